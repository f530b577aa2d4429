package store

import (
	"context"
	"errors"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Registration is a device that asked Wallet's web service to be told when
// a pass changes.
type Registration struct {
	DeviceID  string    `json:"deviceId"`
	Serial    string    `json:"serial"`
	PushToken string    `json:"pushToken"`
	CreatedAt time.Time `json:"createdAt"`
}

// Registrations keeps devices' registrations for pass updates, both ways:
// by device (which passes to list for it) and by pass (whom to push).
type Registrations interface {
	// Register records or refreshes a registration; created is false when
	// the device had registered the pass already.
	Register(ctx context.Context, r Registration) (created bool, err error)
	// Unregister removes a registration; removing one that is not there is no error.
	Unregister(ctx context.Context, deviceID, serial string) error
	// DeviceSerials lists the serials a device registered.
	DeviceSerials(ctx context.Context, deviceID string) ([]string, error)
	// PassRegistrations lists the devices registered for a pass.
	PassRegistrations(ctx context.Context, serial string) ([]Registration, error)
	// ClaimPush records that the change of a pass to a version is pushed
	// to a device; it reports false when it was already (a stream record
	// delivered again, or another updater on it), so that no device is told
	// of a change twice. A claim stays its caller's through the retries of
	// its own call: a claim written whose answer was lost is not refused.
	ClaimPush(ctx context.Context, serial string, version int64, deviceID string) (bool, error)
	// ReleasePush gives up a claim whose push failed, so that the change is
	// pushed to the device when it is handed over again.
	ReleasePush(ctx context.Context, serial string, version int64, deviceID string) error
	// ClaimCardMessage records that the message messageID goes to a card
	// on a UTC day, once: claimed is false when it was recorded before (the
	// change handed over again). notify says whether it may notify the
	// phone: fewer than most of the day's messages did (Google Wallet allows
	// three notifications a day).
	ClaimCardMessage(ctx context.Context, serial string, day loyalty.Date, messageID string, most int) (claimed, notify bool, err error)
	// ReleaseCardMessage gives up a claim whose message could not be sent,
	// so that it is sent when the change is handed over again.
	ReleaseCardMessage(ctx context.Context, serial string, day loyalty.Date, messageID string) error
}

// DeviceCard is a card a device registered, and when what it shows last
// changed (loyalty.Member.CardUpdatedAt).
type DeviceCard struct {
	Serial    string
	UpdatedAt time.Time
}

// DeviceCards lists the cards a device registered, for Wallet's question of
// what changed. A deleted account's card is listed this once, so that the
// phone fetches it voided, and the device's registration of it ends with
// the answer: the account changes no more, and its push token is not kept.
// A card whose member is not found is left out.
func DeviceCards(ctx context.Context, s interface {
	Registrations
	Member(ctx context.Context, id string) (loyalty.Member, error)
}, deviceID string) ([]DeviceCard, error) {
	serials, err := s.DeviceSerials(ctx, deviceID)
	if err != nil {
		return nil, err
	}
	cards := make([]DeviceCard, 0, len(serials))
	for _, serial := range serials {
		m, err := s.Member(ctx, serial)
		if errors.Is(err, loyalty.ErrMemberNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		cards = append(cards, DeviceCard{Serial: serial, UpdatedAt: m.CardUpdatedAt})
		if !m.ErasedAt.IsZero() {
			if err := s.Unregister(ctx, deviceID, serial); err != nil {
				return nil, err
			}
		}
	}
	return cards, nil
}

// ErasedCardDays is how many days the registrations of a deleted account's
// card are kept. The deletion pushes every phone that has the card, and
// the device list names it once more so that the phone fetches it voided,
// which ends its registration (DeviceCards); a phone that is switched off
// gets the push when it comes back, as long as APNs holds it. After 30
// days a phone that never asked is taken for gone, and its registration, a
// device id and a push token, is erased with the rest (PurgeErasedCards).
const ErasedCardDays = 30

// ErasedCard is a deleted account's card whose registrations are not yet
// purged: the account's erasure records it, in the same commit.
type ErasedCard struct {
	Serial   string
	ErasedOn loyalty.Date
}

// ErasedCards keeps the records of the erased cards whose registrations are
// still to purge.
type ErasedCards interface {
	// ErasedCards lists the cards erased on through or before, oldest
	// first, at most limit of them.
	ErasedCards(ctx context.Context, through loyalty.Date, limit int) ([]ErasedCard, error)
	// ForgetErasedCard drops a card's record; dropping one that is not there
	// is no error.
	ForgetErasedCard(ctx context.Context, c ErasedCard) error
}

// PurgeErasedCards ends every registration left of the cards erased
// ErasedCardDays or more before today, at most limit cards, and forgets
// them; it returns how many cards it purged and how many registrations it
// ended. A purge cut short keeps the records of the cards it did not
// finish, so that the next one does.
func PurgeErasedCards(ctx context.Context, s interface {
	ErasedCards
	PassRegistrations(ctx context.Context, serial string) ([]Registration, error)
	Unregister(ctx context.Context, deviceID, serial string) error
}, today loyalty.Date, limit int) (cards, registrations int, err error) {
	erased, err := s.ErasedCards(ctx, today.AddDays(-ErasedCardDays), limit)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range erased {
		regs, err := s.PassRegistrations(ctx, c.Serial)
		if err != nil {
			return cards, registrations, err
		}
		for _, r := range regs {
			if err := s.Unregister(ctx, r.DeviceID, c.Serial); err != nil {
				return cards, registrations, err
			}
			registrations++
		}
		if err := s.ForgetErasedCard(ctx, c); err != nil {
			return cards, registrations, err
		}
		cards++
	}
	return cards, registrations, nil
}
