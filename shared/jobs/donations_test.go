package jobs_test

import (
	"slices"
	"testing"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
)

func (f *fixture) charity(id string, archived bool) {
	f.t.Helper()
	c, err := loyalty.PrepareCharity(loyalty.Charity{ID: id, Name: id, PointsPerUnit: 100, Currency: "EUR", MinPoints: 100, Step: 10, Archived: archived}, nil, f.clock.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.SaveCharity(f.ctx, c); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) plan(id string, p loyalty.DonationPlan) {
	f.t.Helper()
	if _, err := f.program.SetDonationPlan(f.ctx, id, p); err != nil {
		f.t.Fatal(err)
	}
}

func TestMonthlyPledgesAreMadeOrSkippedWithAReason(t *testing.T) {
	f := newFixture(t)
	f.charity("meals", false)
	rich := f.enroll("2026-11-23T10:00:00Z", "rich@example.com", "", "UTC")
	if _, err := f.program.Earn(f.ctx, loyalty.EarnRequest{MemberID: rich.ID, Amount: loyalty.Money{Value: 100_000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "r1", Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	poor := f.enroll("2026-11-23T10:00:00Z", "poor@example.com", "", "UTC")
	f.plan(rich.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 200})
	f.plan(poor.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 100})

	s := f.run(jobs.NameDonations, "2026-11-24T00:01:00Z") // a day late
	if s.Job != jobs.NameDonations || s.Examined != 2 || s.Changed != 1 || s.Points != -200 || s.Skipped[loyalty.SkipInsufficientPoints] != 1 {
		t.Fatalf("donations = %+v, want the rich member's 200 given and the poor one skipped for want of points", s)
	}
	if !slices.Contains(s.Days, "pledges:2026-11-23") || !slices.Contains(s.Days, "expiring:2026-11-23") || slices.Contains(s.Days, "expiring:2026-11-24") || len(s.Days) != 2*(f.runner.CatchUpDays+1) {
		t.Fatalf("days read = %v", s.Days)
	}
	if p := f.member(poor.ID).DonationPlan; p.LastPledge == nil || p.LastPledge.Skipped != loyalty.SkipInsufficientPoints || p.NextPledgeOn.String() != "2026-12-23" {
		t.Fatalf("the poor member's plan = %+v, want the skip noted and next month due", p)
	}
	if s := f.run(jobs.NameDonations, "2026-11-24T00:02:00Z"); s.Examined != 0 {
		t.Fatalf("a rerun = %+v, want nothing left to read", s)
	}
	if got := f.member(rich.ID).GivenThisYear(instant("2026-12-01T00:00:00Z")); got != 200 {
		t.Fatalf("given this year = %d", got)
	}
}

func TestExpiringPointsAreGivenBeforeTheExpiryRun(t *testing.T) {
	f := newFixture(t)
	f.charity("trees", false)
	f.charity("closed", false)
	saver := f.enroll("2026-11-23T10:00:00Z", "saver@example.com", "", "UTC") // 50 expiring on 2027-11-30
	late := f.enroll("2026-11-23T10:00:00Z", "late@example.com", "", "UTC")
	f.enroll("2026-11-23T10:00:00Z", "plain@example.com", "", "UTC")
	f.plan(saver.ID, loyalty.DonationPlan{CharityID: "trees", DonateExpiringPoints: true})
	f.plan(late.ID, loyalty.DonationPlan{CharityID: "closed", DonateExpiringPoints: true})
	f.charity("closed", true) // archived after the plan was made

	s := f.run(jobs.NameDonations, "2027-12-01T00:01:00Z")
	if s.Examined != 3 || s.Changed != 1 || s.Points != -50 || s.Skipped[loyalty.SkipNoPlan] != 1 || s.Skipped[loyalty.SkipCharityUnavailable] != 1 {
		t.Fatalf("donations = %+v, want the saver's 50 given, the plain member without a plan and the archived charity skipped", s)
	}
	s = f.run(jobs.NameExpiry, "2027-12-01T00:05:00Z")
	if s.Examined != 2 || s.Changed != 2 || s.Points != -100 {
		t.Fatalf("expiry after the donations = %+v, want only the two other lots", s)
	}
	if m := f.member(saver.ID); m.Balance != 0 || m.GivenThisYear(instant("2027-12-01T00:05:00Z")) != 50 {
		t.Fatalf("saver = %+v", m)
	}
	total, err := f.store.CharityTotal(f.ctx, "trees")
	if err != nil || total != (loyalty.CharityTotals{Points: 50, Gifts: 1}) {
		t.Fatalf("trees total = %+v, %v", total, err)
	}
}
