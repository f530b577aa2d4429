package wallet

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// chain is a program of twelve stores, two of them without coordinates.
type chain struct{}

func (chain) Shops(context.Context) ([]loyalty.Shop, error) {
	var out []loyalty.Shop
	for i := range 12 {
		lat, lon := 40+float64(i), 2+float64(i)/4
		s := loyalty.Shop{ID: fmt.Sprintf("shop-%02d", i), Name: fmt.Sprintf("Shop %d", i), TimeZone: "Europe/Paris", Latitude: &lat, Longitude: &lon}
		if i == 0 || i == 7 {
			s.Latitude, s.Longitude = nil, nil
		}
		out = append(out, s)
	}
	return out, nil
}

// regular shops mostly at shop-09, then shop-04, and once at shop-07,
// which has no place.
func regular(locale string) loyalty.Member {
	m := testMember(loyalty.Silver, locale)
	m.Activity.Stores = map[string]int64{"shop-04": 3, "shop-09": 5, "shop-07": 9}
	return m
}

func TestThePassCarriesTheMembersUsualStoresFirst(t *testing.T) {
	cards := testCards(t)
	cards.Shops = chain{}
	for _, c := range []struct{ locale, first string }{
		{"en", "Shop 9 is nearby: show your card at the till"},
		{"fr", "Shop 9 est tout près : présentez votre carte en caisse"},
	} {
		pkpass, err := cards.ApplePass(t.Context(), loyalty.Account{Member: regular(c.locale)}, loyalty.DefaultRules(), schemaNow)
		if err != nil {
			t.Fatal(err)
		}
		var pass struct {
			Locations []struct {
				Latitude, Longitude float64
				RelevantText        string
			}
			MaxDistance int
		}
		if err := json.Unmarshal(passJSONOf(t, pkpass), &pass); err != nil {
			t.Fatal(err)
		}
		if len(pass.Locations) != loyalty.MaxPassLocations || pass.MaxDistance != 100 {
			t.Fatalf("%s: %d locations, maxDistance %d; want %d and 100", c.locale, len(pass.Locations), pass.MaxDistance, loyalty.MaxPassLocations)
		}
		if got := pass.Locations[0]; got.RelevantText != c.first || got.Latitude != 49 || got.Longitude != 4.25 {
			t.Errorf("%s: first location %+v, want shop-09's, saying %q", c.locale, got, c.first)
		}
		if got := pass.Locations[1].Latitude; got != 44 {
			t.Errorf("%s: second location at latitude %v, want shop-04's", c.locale, got)
		}
		if got := pass.Locations[2].Latitude; got != 41 {
			t.Errorf("%s: third location at latitude %v, want the first of the others by id (shop-01)", c.locale, got)
		}
	}
}

func TestAPassWithoutStoresCarriesNoLocations(t *testing.T) {
	cards := testCards(t)
	pkpass, err := cards.ApplePass(t.Context(), loyalty.Account{Member: regular("en")}, loyalty.DefaultRules(), schemaNow)
	if err != nil {
		t.Fatal(err)
	}
	var pass map[string]any
	if err := json.Unmarshal(passJSONOf(t, pkpass), &pass); err != nil {
		t.Fatal(err)
	}
	if _, ok := pass["locations"]; ok || pass["maxDistance"] != nil {
		t.Errorf("a program without placed stores: locations %v, maxDistance %v", pass["locations"], pass["maxDistance"])
	}
}
