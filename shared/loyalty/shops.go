package loyalty

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Shop is one of the program's stores, where staff keys work and members
// earn. (It is called Shop to keep it apart from store.Store, the storage
// port.) Its coordinates let the cards show a notice near it.
type Shop struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
	// TimeZone is an IANA name, such as Europe/Paris.
	TimeZone string `json:"timeZone"`
	// Latitude and Longitude are decimal degrees (WGS 84), both or neither.
	// They are floats, unlike money: a position is a measurement, float64
	// holds it to far better than a millimetre, and Wallet passes take it
	// as a JSON number.
	Latitude  *float64  `json:"latitude,omitempty"`
	Longitude *float64  `json:"longitude,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ErrShopNotFound: no store has that id.
var ErrShopNotFound = errors.New("store not found")

// PrepareShop checks a store as an operator wrote it and returns it cleaned.
func PrepareShop(s Shop, now time.Time) (Shop, error) {
	if err := ValidSlug("id", s.ID); err != nil {
		return Shop{}, err
	}
	var err error
	if s.Name, err = cleanText("name", s.Name, 100, false); err != nil {
		return Shop{}, err
	}
	if s.Address, err = cleanText("address", s.Address, 300, true); err != nil {
		return Shop{}, err
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		return Shop{}, fmt.Errorf("%w: timeZone must be an IANA time zone, such as Europe/Paris", ErrInvalid)
	}
	if (s.Latitude == nil) != (s.Longitude == nil) {
		return Shop{}, fmt.Errorf("%w: give both latitude and longitude, or neither", ErrInvalid)
	}
	if s.Latitude != nil && (math.Abs(*s.Latitude) > 90 || math.Abs(*s.Longitude) > 180) {
		return Shop{}, fmt.Errorf("%w: latitude must be from -90 to 90 and longitude from -180 to 180 (decimal degrees)", ErrInvalid)
	}
	s.UpdatedAt = now
	return s, nil
}

// MaxPassLocations is the most locations Wallet reads from a pass.
const MaxPassLocations = 10

// PassShops orders the stores that have coordinates for m's pass: those
// where m made the most purchases first, then the others by id, at most
// MaxPassLocations.
func PassShops(m Member, shops []Shop) []Shop {
	placed := slices.DeleteFunc(slices.Clone(shops), func(s Shop) bool { return s.Latitude == nil || s.Longitude == nil })
	slices.SortStableFunc(placed, func(a, b Shop) int {
		return cmp.Or(cmp.Compare(m.Activity.Stores[b.ID], m.Activity.Stores[a.ID]), cmp.Compare(a.ID, b.ID))
	})
	return placed[:min(len(placed), MaxPassLocations)]
}
