package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

var _ jobs.Index = store.Store(nil)

type fixture struct {
	t       *testing.T
	ctx     context.Context
	store   *embedded.Store
	clock   *storetest.Clock
	program *loyalty.Program
	runner  *jobs.Runner
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := storetest.NewClock(storetest.Start)
	program := loyalty.NewProgram(s, clock, nil)
	return &fixture{t: t, ctx: context.Background(), store: s, clock: clock, program: program, runner: jobs.New(program, s)}
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func (f *fixture) enroll(at, email, birthday, zone string) loyalty.Member {
	f.t.Helper()
	f.clock.Set(instant(at))
	var bd loyalty.Date
	if birthday != "" {
		var err error
		if bd, err = loyalty.ParseDate(birthday); err != nil {
			f.t.Fatal(err)
		}
	}
	en, err := f.program.Enroll(f.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: email, Birthday: bd, TimeZone: zone}})
	if err != nil {
		f.t.Fatal(err)
	}
	return en.Member
}

// run runs a job at an instant, the program's clock set there too.
func (f *fixture) run(job, at string) jobs.Summary {
	f.t.Helper()
	f.clock.Set(instant(at))
	s, err := f.runner.Run(f.ctx, job, instant(at))
	if err != nil {
		f.t.Fatalf("%s at %s: %v", job, at, err)
	}
	return s
}

func (f *fixture) member(id string) loyalty.Member {
	f.t.Helper()
	m, err := f.store.Member(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

func TestBirthdaysInTokyoAndLosAngeles(t *testing.T) {
	f := newFixture(t)
	tokyo := f.enroll("2027-01-01T00:00:00Z", "tokyo@example.com", "1990-03-15", "Asia/Tokyo")
	la := f.enroll("2027-01-01T00:00:00Z", "la@example.com", "1990-03-15", "America/Los_Angeles")
	f.enroll("2027-03-14T12:00:00Z", "new@example.com", "1990-03-15", "UTC")
	f.enroll("2027-01-01T00:00:00Z", "none@example.com", "", "UTC")

	// 02:00 UTC: the 15th in Tokyo (11:00), still the 14th in Los Angeles (19:00).
	s := f.run(jobs.NameBirthdays, "2027-03-15T02:00:00Z")
	if fmt.Sprint(s.Days) != "[03-14 03-15]" || s.Examined != 3 || s.Changed != 1 || s.Points != 100 {
		t.Fatalf("birthdays at 02:00 UTC = %+v, want 3 examined on [03-14 03-15] and Tokyo's present", s)
	}
	if s.Skipped[loyalty.SkipNotBirthday] != 1 || s.Skipped[loyalty.SkipNewMember] != 1 {
		t.Fatalf("skipped = %v, want Los Angeles not yet and the newcomer", s.Skipped)
	}
	if f.member(tokyo.ID).LastBirthdayYear != 2027 || f.member(la.ID).LastBirthdayYear != 0 {
		t.Fatal("the present went to the wrong member")
	}

	// 20:00 UTC: the 16th in Tokyo, the 15th (13:00) in Los Angeles.
	s = f.run(jobs.NameBirthdays, "2027-03-15T20:00:00Z")
	if s.Changed != 1 || f.member(la.ID).LastBirthdayYear != 2027 || f.member(tokyo.ID).Balance != 150 {
		t.Fatalf("birthdays at 20:00 UTC = %+v, want Los Angeles's present only", s)
	}
	s = f.run(jobs.NameBirthdays, "2027-03-15T21:00:00Z")
	if s.Changed != 0 || s.Skipped[loyalty.SkipAlreadyDone] != 1 {
		t.Fatalf("the next hour's run = %+v, want Los Angeles already done", s)
	}
}

func TestLeapDayBirthdayIn2027(t *testing.T) {
	f := newFixture(t)
	leap := f.enroll("2026-06-01T00:00:00Z", "leap@example.com", "2000-02-29", "Europe/Paris")
	if s := f.run(jobs.NameBirthdays, "2027-02-27T12:00:00Z"); s.Changed != 0 {
		t.Fatalf("27 February = %+v, want no present", s)
	}
	s := f.run(jobs.NameBirthdays, "2027-02-28T12:00:00Z")
	if fmt.Sprint(s.Days) != "[02-28 02-29 03-01]" || s.Changed != 1 {
		t.Fatalf("28 February 2027 = %+v, want 29 February read and the present given", s)
	}
	if s := f.run(jobs.NameBirthdays, "2027-03-01T12:00:00Z"); s.Changed != 0 {
		t.Fatalf("1 March = %+v, want no second present", s)
	}
	if m := f.member(leap.ID); m.LastBirthdayYear != 2027 || m.Balance != 150 {
		t.Fatalf("member after 2027 = %+v", m)
	}
	if s := f.run(jobs.NameBirthdays, "2028-02-28T12:00:00Z"); s.Changed != 0 {
		t.Fatalf("28 February 2028 = %+v, want nothing: 2028 has a 29th", s)
	}
	if s := f.run(jobs.NameBirthdays, "2028-02-29T12:00:00Z"); s.Changed != 1 {
		t.Fatalf("29 February 2028 = %+v, want the present", s)
	}
}

func TestPagesAreReadToTheEnd(t *testing.T) {
	f := newFixture(t)
	f.runner.PageSize = 2
	f.runner.Workers = 3
	for i := range 7 {
		f.enroll("2027-01-01T00:00:00Z", fmt.Sprintf("m%d@example.com", i), "1990-03-15", "UTC")
	}
	s := f.run(jobs.NameBirthdays, "2027-03-15T12:00:00Z")
	if s.Examined != 7 || s.Changed != 7 {
		t.Fatalf("birthdays in pages of 2 = %+v, want all 7", s)
	}
	// The welcome lots expire on 2028-01-31: the run on 1 February expires
	// them, page by page, while each page it expires leaves the index.
	s = f.run(jobs.NameExpiry, "2028-02-01T00:05:00Z")
	if s.Examined != 7 || s.Changed != 7 || s.Points != -350 {
		t.Fatalf("expiry in pages of 2 = %+v, want 7 lots of 50", s)
	}
	if s := f.run(jobs.NameExpiry, "2028-02-01T00:05:00Z"); s.Examined != 0 {
		t.Fatalf("a rerun = %+v, want nothing left to read", s)
	}
}

func TestExpiryCatchesUpWithinItsWindow(t *testing.T) {
	f := newFixture(t)
	f.runner.CatchUpDays = 7
	m := f.enroll("2026-11-23T10:00:00Z", "late@example.com", "", "UTC") // lot of 2027-11-30
	if s := f.run(jobs.NameExpiry, "2027-11-30T23:00:00Z"); s.Changed != 0 || len(s.Days) != 9 || s.Days[7] != "2027-11-29" {
		t.Fatalf("on the lot's last day = %+v, want nothing expired, the 8 days before read, and the notice day", s)
	}
	if got := f.watermark(jobs.NameExpiry); got != "2027-11-29" {
		t.Fatalf("watermark after the first run = %s, want 2027-11-29", got)
	}
	if s := f.run(jobs.NameExpiry, "2027-12-08T00:05:00Z"); s.Changed != 1 || s.Days[0] != "2027-11-30" {
		t.Fatalf("a week late = %+v, want the days from the watermark read and the lot expired", s)
	}
	if got := f.member(m.ID).Balance; got != 0 {
		t.Fatalf("balance after expiry = %d", got)
	}
}

// failingIndex fails the expiry index of one day, as a throttled or
// unreachable table would.
type failingIndex struct {
	jobs.Index
	day loyalty.Date
}

func (f failingIndex) ExpiringLots(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	if day == f.day {
		return nil, "", errors.New("index unavailable")
	}
	return f.Index.ExpiringLots(ctx, day, cursor, limit)
}

func (f *fixture) watermark(job string) string {
	f.t.Helper()
	d, err := f.store.JobWatermark(f.ctx, job)
	if err != nil {
		f.t.Fatal(err)
	}
	return d.String()
}

func TestExpiryResumesFromTheFirstDayItDidNotFinish(t *testing.T) {
	f := newFixture(t)
	november := f.enroll("2026-11-23T10:00:00Z", "november@example.com", "", "UTC") // lot of 2027-11-30
	december := f.enroll("2026-12-10T10:00:00Z", "december@example.com", "", "UTC") // lot of 2027-12-31
	f.run(jobs.NameExpiry, "2027-11-01T00:05:00Z")

	at := instant("2028-01-14T00:05:00Z")
	f.clock.Set(at)
	broken := jobs.New(f.program, failingIndex{Index: f.store, day: loyalty.Date{Year: 2027, Month: time.December, Day: 15}})
	s, err := broken.Run(f.ctx, jobs.NameExpiry, at)
	if err == nil || !s.Unfinished || s.Changed != 1 || s.Days[len(s.Days)-1] != "2027-12-15" {
		t.Fatalf("a run that fails on 15 December = %+v, %v; want November's lot expired and the run stopped there", s, err)
	}
	if got := f.watermark(jobs.NameExpiry); got != "2027-12-14" {
		t.Fatalf("watermark after the failure = %s, want 2027-12-14, the last day done", got)
	}
	s = f.run(jobs.NameExpiry, "2028-01-14T00:05:00Z")
	if s.Days[0] != "2027-12-15" || s.Changed != 1 || f.member(december.ID).Balance != 0 || f.member(november.ID).Balance != 0 {
		t.Fatalf("the rerun = %+v, want it to start on 15 December and expire December's lot", s)
	}
	if got := f.watermark(jobs.NameExpiry); got != "2028-01-13" {
		t.Fatalf("watermark after the rerun = %s, want 2028-01-13", got)
	}
}

func TestTierReviewsAndPledgesCatchUpAfter45Days(t *testing.T) {
	f := newFixture(t)
	f.charity("meals", false)
	m := f.enroll("2026-11-23T10:00:00Z", "platinum@example.com", "", "UTC") // review on 2027-11-23
	if _, err := f.program.Earn(f.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: 600_000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "r1", Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	f.run(jobs.NameDonations, "2026-11-23T12:00:00Z")
	f.clock.Set(instant("2026-11-23T13:00:00Z"))
	f.plan(m.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 200}) // due today, after today's run
	if got := f.watermark(jobs.NameDonations); got != "2026-11-22" {
		t.Fatalf("the donations' watermark = %s, want 2026-11-22: today's partition can still grow", got)
	}
	if s := f.run(jobs.NameDonations, "2026-11-24T00:01:00Z"); s.Changed != 1 {
		t.Fatalf("the next day's donations = %+v, want the plan set after yesterday's run carried out", s)
	}
	// The pledge of 23 December and the review of 23 November are missed by 45 days.
	if s := f.run(jobs.NameDonations, "2027-02-06T00:01:00Z"); s.Changed != 1 || s.Points != -200 {
		t.Fatalf("donations 45 days after a pledge's day = %+v, want it made", s)
	}
	if next := f.member(m.ID).DonationPlan.NextPledgeOn.String(); next != "2027-03-23" {
		t.Fatalf("next pledge on %s, want 2027-03-23", next)
	}
	f.run(jobs.NameTierReview, "2027-11-01T03:00:00Z")
	s := f.run(jobs.NameTierReview, "2028-01-07T03:00:00Z")
	if s.Changed != 1 || s.Downgraded != 1 || s.Days[0] != "2027-11-01" || f.member(m.ID).Tier != loyalty.Gold {
		t.Fatalf("tier review 45 days after the member's day = %+v, want it reviewed from the watermark on", s)
	}
	if got := f.watermark(jobs.NameTierReview); got != "2028-01-06" {
		t.Fatalf("the reviews' watermark = %s, want 2028-01-06", got)
	}
	if s := f.run(jobs.NameTierReview, "2028-01-07T04:00:00Z"); fmt.Sprint(s.Days) != "[2028-01-07]" {
		t.Fatalf("a rerun read %v, want today alone", s.Days)
	}
}

func TestTierReviewOneStepDown(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("2026-11-23T10:00:00Z", "platinum@example.com", "", "UTC")
	if _, err := f.program.Earn(f.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: 600_000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "r1", Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true}); err != nil {
		t.Fatal(err)
	}
	if s := f.run(jobs.NameTierReview, "2027-11-22T03:00:00Z"); s.Changed != 0 || s.Examined != 0 {
		t.Fatalf("the day before = %+v", s)
	}
	s := f.run(jobs.NameTierReview, "2027-11-24T03:00:00Z") // a day late: caught up
	if s.Changed != 1 || s.Downgraded != 1 || f.member(m.ID).Tier != loyalty.Gold {
		t.Fatalf("review = %+v, tier %s; want gold", s, f.member(m.ID).Tier)
	}
	if next := f.member(m.ID).TierReviewOn.String(); next != "2028-11-24" {
		t.Fatalf("next review on %s, want 2028-11-24", next)
	}
	if s := f.run(jobs.NameTierReview, "2027-11-24T04:00:00Z"); s.Examined != 0 {
		t.Fatalf("a rerun = %+v, want nothing left to read", s)
	}
}

func TestAStopNearTheDeadlineIsResumedByARerun(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.enroll("2027-01-01T00:00:00Z", fmt.Sprintf("m%d@example.com", i), "1990-03-15", "UTC")
	}
	at := instant("2027-03-15T12:00:00Z")
	f.clock.Set(at)
	ctx, cancel := context.WithTimeout(f.ctx, time.Second) // within the 5 s margin
	defer cancel()
	s, err := f.runner.Birthdays(ctx, at)
	if !errors.Is(err, jobs.ErrUnfinished) || !s.Unfinished || s.Changed != 0 {
		t.Fatalf("a run with too little time = %+v, %v; want it unfinished", s, err)
	}
	s, err = f.runner.Birthdays(f.ctx, at)
	if err != nil || s.Unfinished || s.Changed != 3 {
		t.Fatalf("the rerun = %+v, %v; want the 3 presents", s, err)
	}
}

func TestUnknownJob(t *testing.T) {
	f := newFixture(t)
	_, err := f.runner.Run(f.ctx, "lottery", storetest.Start)
	if !errors.Is(err, jobs.ErrUnknownJob) || !errors.Is(err, loyalty.ErrInvalid) {
		t.Fatalf("err = %v, want ErrUnknownJob, an ErrInvalid", err)
	}
}

func TestSummaryJSON(t *testing.T) {
	f := newFixture(t)
	s := f.run(jobs.NameExpiry, "2027-01-01T00:05:00Z")
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"job", "at", "examined", "changed", "days"} {
		if _, ok := got[k]; !ok {
			t.Errorf("summary JSON %s has no %q", b, k)
		}
	}
	if got["job"] != "expiry" || got["at"] != "2027-01-01T00:05:00Z" {
		t.Fatalf("summary JSON = %s", b)
	}
}

func TestExpiryIsAnnouncedOnTheCardOnce(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("2026-11-23T10:00:00Z", "notice@example.com", "", "UTC") // 50 points expiring 2027-11-30
	before := f.member(m.ID)
	s := f.run(jobs.NameExpiry, "2027-10-31T00:05:00Z")
	after := f.member(m.ID)
	if s.Announced != 1 || s.Changed != 0 || after.ExpiryNoticeOn.String() != "2027-11-30" || !after.CardUpdatedAt.After(before.CardUpdatedAt) || after.Balance != 50 {
		t.Fatalf("30 days before: %+v, member %+v; want the card changed once, no points moved", s, after)
	}
	if s := f.run(jobs.NameExpiry, "2027-10-31T00:05:00Z"); s.Announced != 0 {
		t.Fatalf("a rerun announced again: %+v", s)
	}
	if s := f.run(jobs.NameExpiry, "2027-11-01T00:05:00Z"); s.Announced != 0 {
		t.Fatalf("the next day announced again: %+v", s)
	}
}

func TestARunInTheFutureIsRefused(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("2027-01-01T00:00:00Z", "early@example.com", "1990-03-15", "UTC")
	now := instant("2027-03-01T12:00:00Z")
	f.clock.Set(now)
	for _, job := range []string{jobs.NameBirthdays, jobs.NameExpiry, jobs.NameTierReview, jobs.NameDonations} {
		s, err := f.runner.Run(f.ctx, job, instant("2030-03-15T12:00:00Z"))
		if !errors.Is(err, jobs.ErrFutureRun) || s.Changed != 0 || len(s.Days) != 0 {
			t.Fatalf("%s in 2030 = %+v, %v; want ErrFutureRun and nothing read", job, s, err)
		}
	}
	if _, err := f.runner.Handler(jobs.NameBirthdays)(f.ctx, jobs.Trigger{At: "2030-03-15T12:00:00Z"}); !errors.Is(err, jobs.ErrFutureRun) {
		t.Fatalf("a scheduled trigger in 2030: %v, want ErrFutureRun", err)
	}
	if got := f.member(m.ID); got.LastBirthdayYear != 0 || got.Balance != 50 {
		t.Fatalf("member after refused runs = %+v", got)
	}
	if _, err := f.runner.Run(f.ctx, jobs.NameExpiry, now.Add(jobs.MaxClockSkew+time.Second)); !errors.Is(err, jobs.ErrFutureRun) {
		t.Fatalf("a second beyond the clock skew: %v, want ErrFutureRun", err)
	}
	if _, err := f.runner.Run(f.ctx, jobs.NameExpiry, now.Add(jobs.MaxClockSkew)); err != nil {
		t.Fatalf("a run within the clock skew: %v", err)
	}

	f.runner.TimeTravel = true
	if s, err := f.runner.Run(f.ctx, jobs.NameBirthdays, instant("2027-03-15T12:00:00Z")); err != nil || s.Changed != 1 {
		t.Fatalf("a time travelling run = %+v, %v; want the present given", s, err)
	}
}
