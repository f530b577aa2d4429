package wallet_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// TestAutomaticMessagesReachPhonesOnceInTheirLanguage runs the birthday
// and expiry jobs twice at once and again after a restart, and an earning
// that comes within 10% of silver, for a French member who consented to
// marketing and an English one who did not; then moves the French member up
// a tier. Each Apple device is pushed once per change; Google shows each
// message once, in the member's language, notifies the first two of the
// day's messages and keeps the third notification for the tier change; the
// member who did not consent is not told the tier is close; and with the
// messages switched off, a member's birthday present reaches Google with no
// message.
func TestAutomaticMessagesReachPhonesOnceInTheirLanguage(t *testing.T) {
	now := time.Now().UTC()
	si := newStandIns(t, now.AddDate(0, 0, -40)) // members, with their birthday, long enough for a present
	today := loyalty.DateOf(now)
	birthday := loyalty.Date{Year: 1992, Month: today.Month, Day: today.Day}
	ada := si.enroll(loyalty.Profile{Name: "Ada Martin", Email: "ada@example.com", Locale: "fr", Birthday: birthday, TimeZone: "UTC", Marketing: true})
	grace := si.enroll(loyalty.Profile{Name: "Grace Hopper", Email: "grace@example.com", Locale: "en", Birthday: birthday, TimeZone: "UTC"})
	si.handOver()

	// Jobs run twice at once at the instant at, then by another instance.
	runTwiceAndRestart := func(job string, at time.Time) {
		t.Helper()
		si.clock.Set(at)
		errs := make([]error, 2)
		done := make(chan struct{})
		go func() { _, errs[1] = jobs.New(si.deps.Program, si.store).Run(si.ctx, job, at); close(done) }()
		_, errs[0] = jobs.New(si.deps.Program, si.store).Run(si.ctx, job, at)
		<-done
		restarted := jobs.New(loyalty.NewProgram(si.store, si.clock, nil), si.store)
		if _, err := restarted.Run(si.ctx, job, at.Add(time.Minute)); err != nil {
			errs = append(errs, err)
		}
		for _, err := range errs {
			if err != nil {
				t.Fatalf("%s: %v", job, err)
			}
		}
		si.handOver()
	}
	earn := func(m loyalty.Member, receipt string, cents int64) {
		t.Helper()
		if _, err := si.deps.Program.Earn(si.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: cents, Currency: "EUR"},
			StoreID: "paris", ReceiptID: receipt, Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true}); err != nil {
			t.Fatal(err)
		}
		si.handOver()
	}

	runTwiceAndRestart(jobs.NameBirthdays, now)
	earn(ada, "ada-1", 45_000) // 450 qualifying points: 50 from silver
	earn(grace, "grace-1", 45_000)
	// The lots credited so far all expire on the same day, or on two.
	acct, err := si.store.LoadAccount(si.ctx, grace.ID)
	if err != nil {
		t.Fatal(err)
	}
	lot := acct.Lots[0]
	runTwiceAndRestart(jobs.NameExpiry, lot.ExpiresOn.AddDays(-loyalty.ExpiryNoticeDays).Time().Add(5*time.Minute))
	expiring := func(m loyalty.Member) string {
		acct, err := si.store.LoadAccount(si.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		l := locale.Of(m.Locale)
		date, _ := locale.Date(lot.ExpiresOn.String())
		points := locale.Number(acct.Lots[0].Remaining, l)
		if l == locale.French {
			return fmt.Sprintf("%s points expirent le %s\u00a0: pensez à les utiliser.", points, date.In(l))
		}
		return fmt.Sprintf("%s points expire on %s: use them before then.", points, date.In(l))
	}
	earn(ada, "ada-2", 10_000) // silver

	for d := range 2 {
		if got := si.pushed()[token(0, d)]; got != 4 {
			t.Errorf("device %d of Ada was pushed %d times, want 4 (present, two earnings, the expiry notice)", d, got)
		}
		if got := si.pushed()[token(1, d)]; got != 3 {
			t.Errorf("device %d of Grace was pushed %d times, want 3 (present, earning, the expiry notice)", d, got)
		}
	}
	want := []string{
		"TEXT_AND_NOTIFY Joyeux anniversaire, Ada\u00a0! 100 points pour vous.",
		"TEXT_AND_NOTIFY Plus que 50 points pour atteindre le niveau Argent\u00a0!",
		"TEXT " + expiring(ada), // the day's third: shown, kept quiet for the tier change
	}
	if got := si.googleMessages(ada); len(got) != 4 || !slices.Equal(got[:3], want) || got[3] != "TEXT_AND_NOTIFY Félicitations ! Vous avez atteint le niveau Argent." {
		t.Errorf("Ada's Google messages:\n%q\nwant\n%q\nthen the tier change's notification", got, want)
	}
	want = []string{"TEXT_AND_NOTIFY Happy birthday, Grace! 100 points are yours.", "TEXT_AND_NOTIFY " + expiring(grace)}
	if got := si.googleMessages(grace); !slices.Equal(got, want) {
		t.Errorf("Grace's Google messages:\n%q\nwant\n%q", got, want)
	}

	t.Run("switched off, a present sends no message", func(t *testing.T) {
		if _, err := si.deps.Program.ChangeRules(si.ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
			r.AutoMessages = loyalty.AutoMessages{}
			return r, nil
		}); err != nil {
			t.Fatal(err)
		}
		si.clock.Set(now.AddDate(0, 0, -40))
		quiet := si.enroll(loyalty.Profile{Name: "Quiet", Email: "quiet@example.com", Locale: "en", Birthday: birthday, TimeZone: "UTC", Marketing: true})
		si.handOver()
		runTwiceAndRestart(jobs.NameBirthdays, now.AddDate(1, 0, 0))
		if acct, _ := si.store.LoadAccount(si.ctx, quiet.ID); acct.Member.LastBirthdayYear == 0 {
			t.Fatal("the present was not given")
		}
		if got := si.googleMessages(quiet); len(got) != 0 {
			t.Errorf("messages %q, want none", got)
		}
	})
}
