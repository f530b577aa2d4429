package wallet

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// ShopLister lists the program's stores.
type ShopLister interface {
	Shops(ctx context.Context) ([]loyalty.Shop, error)
}

// MaxPassLocations is the most locations Wallet reads from a pass.
const MaxPassLocations = 10

// UsualShops orders the stores that have coordinates for m's pass: those
// where m made the most purchases first, then the others by id, at most
// MaxPassLocations.
func UsualShops(m loyalty.Member, shops []loyalty.Shop) []loyalty.Shop {
	placed := slices.DeleteFunc(slices.Clone(shops), func(s loyalty.Shop) bool { return s.Latitude == nil || s.Longitude == nil })
	slices.SortStableFunc(placed, func(a, b loyalty.Shop) int {
		return cmp.Or(cmp.Compare(m.Activity.Stores[b.ID], m.Activity.Stores[a.ID]), cmp.Compare(a.ID, b.ID))
	})
	return placed[:min(len(placed), MaxPassLocations)]
}

// locations are the places m's pass is relevant at, with the lock screen's
// text in m's language; none when the cards have no stores to read.
func (c *Cards) locations(ctx context.Context, m loyalty.Member) ([]apple.Location, error) {
	if c.Shops == nil {
		return nil, nil
	}
	shops, err := c.Shops.Shops(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the stores: %w", err)
	}
	lang := locale.Of(m.Locale)
	var out []apple.Location
	for _, s := range UsualShops(m, shops) {
		out = append(out, apple.Location{Latitude: *s.Latitude, Longitude: *s.Longitude, RelevantText: locale.NearStore(s.Name).In(lang)})
	}
	return out, nil
}
