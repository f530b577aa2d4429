package wallet_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
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
	si := newStandIns(t, time.Now())
	ctx, s, clock, deps, cards, g := si.ctx, si.store, si.clock, si.deps, si.cards, si.g
	var members []loyalty.Member
	for i, consent := range []bool{true, false} {
		members = append(members, si.enroll(loyalty.Profile{Name: "Ada", Email: fmt.Sprintf("m%d@example.com", i), Locale: "fr", Marketing: consent}))
	}
	handOver := si.handOver
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

	pushed := si.pushed()
	for d := range 2 {
		if got := pushed[token(0, d)]; got != 5 {
			t.Errorf("device %d of the consenting member was pushed %d times, want 5 (four campaigns, one earning)", d, got)
		}
		if got := pushed[token(1, d)]; got != 0 {
			t.Errorf("device %d of the member who did not consent was pushed %d times", d, got)
		}
	}
	_, n := g.Object(cards.Google.Client.ObjectID(members[0].Serial))
	kinds := si.googleMessages(members[0])
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
