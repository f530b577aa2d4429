package wallet_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
	"github.com/fidelio/fidelio/shared/wire"
)

// TestCampaignsReachPhonesOnceWithinGooglesBudget delivers four campaigns
// in a day to a consenting member with two Apple devices and a Google card,
// then moves the member up a tier, each change handed to the updater twice
// (the stream handing a record over again). Each device is pushed once per
// campaign; Google notifies the first two campaigns, shows the others
// without a notification, and keeps the day's third notification for the
// tier change; the campaigns' reports count the pushes; a member who did
// not consent is not touched.
func TestCampaignsReachPhonesOnceWithinGooglesBudget(t *testing.T) {
	ctx := context.Background()
	const issuer, topic, base = "3388000000022222228", "pass.example.fidelio", "https://fidelio.example"
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g := googletest.New(t, issuer)
	push := apnstest.New(t)
	cfg := config.Config{GoogleIssuerID: issuer, GoogleAPIURL: g.URL, PublicURL: base,
		Secrets: config.Secrets{GoogleServiceAccount: string(g.KeyJSON), CodeKeys: signing.NewKeySpec("K1")}}
	clock := storetest.NewClock(time.Now())
	deps, err := wire.Deps(cfg, s, clock, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	cards := deps.Cards.(*wallet.Cards)
	u := &wallet.Updater{Cards: cards, Accounts: s, Registrations: s, Campaigns: s,
		Pusher: apns.New(apnstest.ClientCert(t, topic), topic, push.URL, push.Roots()), Logger: slog.New(slog.DiscardHandler)}
	rules, _ := s.Rules(ctx)
	if err := cards.EnsureClasses(ctx, base, rules); err != nil {
		t.Fatal(err)
	}
	var members []loyalty.Member
	for i, consent := range []bool{true, false} {
		en, err := deps.Program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Ada", Email: fmt.Sprintf("m%d@example.com", i), Locale: "fr", Marketing: consent}})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, en.Member)
		for d := range 2 {
			if _, err := s.Register(ctx, store.Registration{DeviceID: fmt.Sprintf("device-%d-%d", i, d), Serial: en.Member.Serial, PushToken: token(i, d)}); err != nil {
				t.Fatal(err)
			}
		}
		acct, _ := s.LoadAccount(ctx, en.Member.ID)
		if err := cards.Google.Client.Sync(ctx, nil, cards.GoogleCard(acct, rules, time.Now(), base)); err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	handOver := func() {
		t.Helper()
		changes, err := s.Changes(ctx, last, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range changes {
			last = ch.Seq
			for range 2 {
				if err := u.Changed(ctx, ch.Before, ch.After); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	handOver() // the enrollments

	var campaigns []loyalty.Campaign
	for i := range 4 {
		clock.Set(clock.Now().Add(time.Second))
		c, err := loyalty.NewCampaign(loyalty.NewRandomIDs(), clock.Now(), "owner", loyalty.Campaign{
			Name: fmt.Sprint("campaign ", i), Message: loyalty.Texts{EN: fmt.Sprint("News ", i), FR: fmt.Sprint("Nouvelle ", i)},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCampaign(ctx, c, loyalty.NewAudit(loyalty.NewRandomIDs(), clock.Now(), loyalty.Actor{}, "campaign.create", c.ID, "")); err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if _, err := deps.Program.DeliverCampaign(ctx, c, loyalty.Quintiles{}, m.ID); err != nil {
				t.Fatal(err)
			}
		}
		campaigns = append(campaigns, c)
		handOver()
	}
	if _, err := deps.Program.Earn(ctx, loyalty.EarnRequest{MemberID: members[0].ID, Amount: loyalty.Money{Value: 60_000, Currency: "EUR"},
		StoreID: "paris", ReceiptID: "R1", Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	handOver()

	pushed := map[string]int{}
	for _, p := range push.Pushes() {
		pushed[p.Token]++
	}
	for d := range 2 {
		if got := pushed[token(0, d)]; got != 5 {
			t.Errorf("device %d of the consenting member was pushed %d times, want 5 (four campaigns, one earning)", d, got)
		}
		if got := pushed[token(1, d)]; got != 0 {
			t.Errorf("device %d of the member who did not consent was pushed %d times", d, got)
		}
	}
	_, n := g.Object(cards.Google.Client.ObjectID(members[0].Serial))
	messages := g.Messages[cards.Google.Client.ObjectID(members[0].Serial)]
	var kinds []string
	for _, m := range messages {
		kinds = append(kinds, fmt.Sprint(m["messageType"], " ", m["body"]))
	}
	want := []string{"TEXT_AND_NOTIFY Nouvelle 0", "TEXT_AND_NOTIFY Nouvelle 1", "TEXT Nouvelle 2", "TEXT Nouvelle 3"}
	if n != 5 || fmt.Sprint(kinds[:4]) != fmt.Sprint(want) || kinds[4][:len("TEXT_AND_NOTIFY")] != "TEXT_AND_NOTIFY" {
		t.Errorf("Google messages %q, want %q then the tier change's notification", kinds, want)
	}
	if _, n := g.Object(cards.Google.Client.ObjectID(members[1].Serial)); n != 0 {
		t.Errorf("the member who did not consent got %d Google messages", n)
	}
	for i, c := range campaigns {
		got, err := s.Campaign(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(2 + min(1, max(0, 2-i))); got.Pushed != want {
			t.Errorf("campaign %d: %d pushed, want %d (two devices, and Google while its budget lasts)", i, got.Pushed, want)
		}
	}
}
