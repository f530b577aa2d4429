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
