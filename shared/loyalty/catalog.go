package loyalty

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Reward is something a member can spend points on.
type Reward struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Points    int64     `json:"points"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// StaffKey lets the staff of one store award and redeem points. Its secret is
// kept only as a hash.
type StaffKey struct {
	ID        string    `json:"id"`
	StoreID   string    `json:"storeId"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"createdAt"`
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
	return validPoints(r.Points, false)
}

// NewStaffKey makes a key for the staff of a store and returns it with its
// secret, "fs_<id>_<random>", which exists in clear only in this answer.
func NewStaffKey(ids IDs, now time.Time, storeID, name string) (StaffKey, string, error) {
	if err := ValidSlug("storeId", storeID); err != nil {
		return StaffKey{}, "", err
	}
	name, err := cleanText("name", name, 100, false)
	if err != nil {
		return StaffKey{}, "", err
	}
	k := StaffKey{ID: ids.NewID(now), StoreID: storeID, Name: name, CreatedAt: now}
	secret := "fs_" + k.ID + "_" + ids.Secret()
	k.Hash = HashSecret(secret)
	return k, secret, nil
}
