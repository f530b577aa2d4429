package wallet

import (
	"context"
	"fmt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// ShopLister lists the program's stores.
type ShopLister interface {
	Shops(ctx context.Context) ([]loyalty.Shop, error)
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
	for _, s := range loyalty.PassShops(m, shops) {
		out = append(out, apple.Location{Latitude: *s.Latitude, Longitude: *s.Longitude, RelevantText: locale.NearStore(s.Name).In(lang)})
	}
	return out, nil
}
