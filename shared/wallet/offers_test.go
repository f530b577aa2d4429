package wallet

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
)

// promotionList is a store's promotions.
type promotionList []loyalty.Promotion

func (l promotionList) Promotions(context.Context) ([]loyalty.Promotion, error) { return l, nil }

// accountsOf reads the member the test holds, as the store would.
type accountsOf struct{ m *loyalty.Member }

func (a accountsOf) LoadAccount(context.Context, string) (loyalty.Account, error) {
	return loyalty.Account{Member: *a.m}, nil
}
func (a accountsOf) Rules(context.Context) (loyalty.Rules, error) { return loyalty.DefaultRules(), nil }

// TestAPromotionIsOnTheCardsOfItsMembersDuringItsWindow: a card drawn as at
// a change inside a promotion's window, of a member of its segment, shows it
// in the member's language: a back field of the Apple pass, a text module of
// the Google object, which the change's update adds and the end's removes.
func TestAPromotionIsOnTheCardsOfItsMembersDuringItsWindow(t *testing.T) {
	created := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	weekend := loyalty.Promotion{ID: "weekend", Name: loyalty.Texts{EN: "Double points", FR: "Points doublés"}, MultiplierPercent: 200,
		StartsAt: created.Add(15 * time.Hour), EndsAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		Segment: &loyalty.Segment{Tier: loyalty.Gold}, CreatedAt: created}
	cards := testCards(t)
	cards.Promotions = promotionList{weekend}
	inside, after := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 1, 0, time.UTC)

	for _, c := range []struct {
		name   string
		tier   loyalty.Tier
		locale string
		at     time.Time
		want   string
	}{
		{"drawn inside the window, in English", loyalty.Gold, "en", inside, "Double points, until 29 November 2026"},
		{"drawn inside the window, in French", loyalty.Gold, "fr", inside, "Points doublés, jusqu’au 29 novembre 2026"},
		{"drawn before its start", loyalty.Gold, "en", weekend.StartsAt.Add(-time.Second), ""},
		{"drawn after its end", loyalty.Gold, "en", after, ""},
		{"out of its segment", loyalty.Silver, "en", inside, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := testMember(c.tier, c.locale)
			m.CardUpdatedAt = c.at
			pkpass, err := cards.ApplePass(t.Context(), loyalty.Account{Member: m}, loyalty.DefaultRules(), c.at)
			if err != nil {
				t.Fatal(err)
			}
			var pass struct {
				StoreCard struct{ BackFields []map[string]any } `json:"storeCard"`
			}
			if err := json.Unmarshal(unzip(t, pkpass)["pass.json"], &pass); err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, f := range pass.StoreCard.BackFields {
				if f["key"] == "offers" {
					got, _ = f["value"].(string)
					if _, notifies := f["changeMessage"]; notifies {
						t.Errorf("the offers field notifies: %v", f)
					}
				}
			}
			if got != c.want {
				t.Errorf("the pass's offers %q, want %q", got, c.want)
			}
		})
	}

	const issuer = "3388000000022222228"
	g := googletest.New(t, issuer)
	client, err := google.NewClient(t.Context(), issuer, g.URL, g.KeyJSON)
	if err != nil {
		t.Fatal(err)
	}
	cards.Google = &GoogleWallet{Client: client}
	if err := cards.EnsureClasses(t.Context(), cards.PublicURL, loyalty.DefaultRules()); err != nil {
		t.Fatal(err)
	}
	m := testMember(loyalty.Gold, "fr")
	m.Version, m.CardUpdatedAt = 1, weekend.StartsAt.Add(-time.Hour)
	if err := client.Sync(t.Context(), nil, cards.GoogleCard(loyalty.Account{Member: m}, loyalty.DefaultRules(), time.Now(), cards.PublicURL)); err != nil {
		t.Fatal(err)
	}
	u := &Updater{Cards: cards, Accounts: accountsOf{&m}, Logger: slog.New(slog.DiscardHandler)}
	change := func(at time.Time) {
		t.Helper()
		before := m
		m.Version, m.CardUpdatedAt = m.Version+1, at
		if err := u.Changed(t.Context(), &before, m); err != nil {
			t.Fatal(err)
		}
	}
	offers := func() string {
		t.Helper()
		o, _ := g.Object(client.ObjectID(m.Serial))
		modules, _ := o["textModulesData"].([]any)
		for _, mod := range modules {
			if mod := mod.(map[string]any); mod["id"] == "offers" {
				return fmt.Sprint(mod["header"], ": ", mod["body"])
			}
		}
		return ""
	}
	if got := offers(); got != "" {
		t.Fatalf("before the window the object shows %q", got)
	}
	change(inside) // the fan-out at its start, or any change in the window
	if got := offers(); got != "Offres: Points doublés, jusqu’au 29 novembre 2026" {
		t.Errorf("after a change inside the window the object shows %q", got)
	}
	change(after) // the fan-out at its end
	if got := offers(); got != "" {
		t.Errorf("after a change past its end the object still shows %q", got)
	}
}
