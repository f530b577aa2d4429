package wallet_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// inZone is the program's clock read in a zone other than UTC, as
// time.Now() is on a machine set to that zone.
type inZone struct {
	*storetest.Clock
	loc *time.Location
}

func (c inZone) Now() time.Time { return c.Clock.Now().In(c.loc) }

// TestGooglesDailyBudgetIsTheProgramsDay: the day whose notifying messages
// Google's budget counts is the program's day, the UTC day the jobs count
// by, read from the program's clock, whatever zone that clock's time is
// in. Just before UTC midnight (already the next afternoon in Kiritimati,
// UTC+14) the day's two news notifications are spent, so a news is shown
// without notifying; just after it, the next UTC day's budget notifies.
func TestGooglesDailyBudgetIsTheProgramsDay(t *testing.T) {
	kiritimati, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Fatal(err)
	}
	beforeMidnight := time.Date(2026, time.January, 15, 23, 50, 0, 0, time.UTC)
	si := newStandIns(t, beforeMidnight.AddDate(0, 0, -40)) // long enough a member for a birthday present
	si.u.Clock = inZone{si.clock, kiritimati}
	ada := si.enroll(loyalty.Profile{Name: "Ada Martin", Email: "ada@example.com", Locale: "fr", Birthday: loyalty.Date{Year: 1992, Month: time.January, Day: 16}, TimeZone: "UTC", Marketing: true})
	si.handOver()

	si.clock.Set(beforeMidnight)
	for _, id := range []string{"campaign/a", "campaign/b"} {
		if _, _, err := si.store.ClaimCardMessage(si.ctx, ada.Serial, loyalty.DateOf(beforeMidnight), id, 2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := si.deps.Program.Earn(si.ctx, loyalty.EarnRequest{MemberID: ada.ID, Amount: loyalty.Money{Value: 45_000, Currency: "EUR"},
		StoreID: "paris", ReceiptID: "ada-1", Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true}); err != nil {
		t.Fatal(err) // 450 qualifying points: within 10% of silver, a news
	}
	si.handOver()

	afterMidnight := beforeMidnight.Add(20 * time.Minute)
	si.clock.Set(afterMidnight)
	if _, err := jobs.New(si.deps.Program, si.store).Run(si.ctx, jobs.NameBirthdays, afterMidnight); err != nil {
		t.Fatal(err)
	}
	si.handOver()

	var types []string
	for _, m := range si.googleMessages(ada) {
		types = append(types, strings.Fields(m)[0])
	}
	if want := []string{"TEXT", "TEXT_AND_NOTIFY"}; !slices.Equal(types, want) {
		t.Fatalf("Google's messages: %q, want the close-to-silver news shown quietly (the UTC day's budget spent) and the birthday's notifying (the next UTC day's)\n%s",
			types, strings.Join(si.googleMessages(ada), "\n"))
	}
}
