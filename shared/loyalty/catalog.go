package loyalty

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Reward is something a member can spend points on.
type Reward struct {
	ID string `json:"id"`
	// Name is the reward's name in English, which every language without
	// its own reads; NameFR is its French name.
	Name   string `json:"name"`
	NameFR string `json:"nameFr,omitempty"`
	Points int64  `json:"points"`
	// MinTier, when set, is the lowest tier that may redeem it.
	MinTier Tier `json:"minTier,omitempty"`
	// From and Until, when set, bound when it may be redeemed: from From,
	// until just before Until.
	From  time.Time `json:"from,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// ArchivedAt is when the operator retired it: it is kept, so that the
	// ledger's redemptions still name it, and never offered again.
	ArchivedAt time.Time `json:"archivedAt,omitzero"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Errors of a redemption the reward's own terms refuse.
var (
	// ErrRewardUnavailable: the reward is retired, or outside its dates.
	ErrRewardUnavailable = errors.New("reward not available")
	// ErrTierTooLow: the reward is for a higher tier than the member's.
	ErrTierTooLow = errors.New("reward is for a higher tier")
)

// AvailableTo refuses the reward to a member of tier at now, saying why.
func (r Reward) AvailableTo(tier Tier, now time.Time) error {
	switch {
	case !r.ArchivedAt.IsZero():
		return fmt.Errorf("%w: %s was retired on %s", ErrRewardUnavailable, r.ID, DateOf(r.ArchivedAt))
	case !r.From.IsZero() && now.Before(r.From):
		return fmt.Errorf("%w: %s can be redeemed from %s", ErrRewardUnavailable, r.ID, r.From.UTC().Format(time.RFC3339))
	case !r.Until.IsZero() && !now.Before(r.Until):
		return fmt.Errorf("%w: %s could be redeemed until %s", ErrRewardUnavailable, r.ID, r.Until.UTC().Format(time.RFC3339))
	case r.MinTier != "" && tier.Rank() < r.MinTier.Rank():
		return fmt.Errorf("%w: %s is for %s members and above", ErrTierTooLow, r.ID, r.MinTier)
	}
	return nil
}

// StaffKey lets one employee of one store award and redeem points. Its
// secret is kept only as a hash; a revoked key is kept, so that what it did
// still names it.
type StaffKey struct {
	ID      string `json:"id"`
	StoreID string `json:"storeId"`
	// Name is the employee's.
	Name      string     `json:"name"`
	Hash      string     `json:"hash"`
	CreatedAt time.Time  `json:"createdAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

var (
	ErrRewardNotFound   = errors.New("reward not found")
	ErrStaffKeyNotFound = errors.New("staff key not found")
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidSlug checks an operator-chosen id such as a reward's or a store's.
func ValidSlug(field, v string) error {
	if !slugPattern.MatchString(v) {
		return fmt.Errorf("%w: %s must be 1 to 40 lower-case letters, digits or dashes, starting with a letter or digit", ErrInvalid, field)
	}
	return nil
}

// Validate checks a reward as an operator wrote it.
func (r Reward) Validate() error {
	if err := ValidSlug("id", r.ID); err != nil {
		return err
	}
	if _, err := cleanText("name", r.Name, 100, false); err != nil {
		return err
	}
	if r.NameFR != "" {
		if _, err := cleanText("nameFr", r.NameFR, 100, false); err != nil {
			return err
		}
	}
	if r.MinTier != "" && r.MinTier.Rank() < 0 {
		return fmt.Errorf("%w: minTier must be one of bronze, silver, gold or platinum", ErrInvalid)
	}
	if !r.From.IsZero() && !r.Until.IsZero() && !r.From.Before(r.Until) {
		return fmt.Errorf("%w: from must come before until", ErrInvalid)
	}
	return validPoints(r.Points, false)
}

// NewStaffKey makes a key for an employee of a store and returns it with its
// secret, "fs_<id>_<random>", which exists in clear only in this answer.
func NewStaffKey(ids IDs, now time.Time, storeID, name string) (StaffKey, string, error) {
	if err := ValidSlug("storeId", storeID); err != nil {
		return StaffKey{}, "", err
	}
	name, err := cleanText("name (the employee's)", name, 100, false)
	if err != nil {
		return StaffKey{}, "", err
	}
	k := StaffKey{ID: ids.NewID(now), StoreID: storeID, Name: name, CreatedAt: now}
	secret := "fs_" + k.ID + "_" + ids.Secret()
	k.Hash = HashSecret(secret)
	return k, secret, nil
}
