package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// scheduledTests check the sparse indexes and the scheduled changes that
// rely on them: birthday presents, points expiry and tier reviews.
var scheduledTests = []struct {
	name string
	fn   func(*env)
}{
	{"the job indexes list a day's matches in pages and follow every change", testIndexes},
	{"a cursor stays valid when the entry it names leaves the index", testIndexCursor},
	{"a birthday present is given on the member's local birthday, once a year", testBirthdayPresents},
	{"concurrent birthday presents for one member give one", testBirthdayRace},
	{"expiry removes what is left of a month-end lot, once", testExpiry},
	{"concurrent expiries of one lot expire it once", testExpiryRace},
	{"a tier review goes down one tier at most and moves the review a year on", testTierReview},
	{"concurrent tier reviews of one member review once", testTierReviewRace},
	{"two runs of each job at the same instant change each member once", testJobsTwice},
	{"a job's watermark is kept per job and never moves back", testJobWatermarks},
	{"expiry catches up from its watermark after 45 days without a run, reading only those days", testExpiryCatchUp},
	{"the lots of many members expiring on one day are listed in small pages and expired once across a stopped run", testExpiryManyMembers},
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) loyalty.Date {
	d, err := loyalty.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// enrollAt enrolls a member at the instant at, with a birthday (YYYY-MM-DD,
// or "" for none) and a time zone.
func (e *env) enrollAt(at time.Time, email, birthday, zone string) loyalty.Member {
	e.t.Helper()
	e.clock.Set(at)
	var bd loyalty.Date
	if birthday != "" {
		bd = day(birthday)
	}
	en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: email, Birthday: bd, TimeZone: zone}})
	if err != nil {
		e.t.Fatalf("enroll %s: %v", email, err)
	}
	return en.Member
}

// setBirthday changes a member's birthday as a profile update does: the
// member alone, conditioned on its version.
func (e *env) setBirthday(id string, birthday loyalty.Date, at time.Time) {
	e.t.Helper()
	acct := e.account(id)
	m := acct.Member
	m.Birthday, m.BirthdayChangedAt, m.UpdatedAt = birthday, at, at
	m.Version++
	if err := e.store.Commit(e.ctx, loyalty.Posting{Member: m, PrevVersion: acct.Member.Version}); err != nil {
		e.t.Fatalf("change the birthday of %s: %v", id, err)
	}
}

// entriesOf returns a member's ledger entries of one kind.
func (e *env) entriesOf(id string, kind loyalty.Kind) []loyalty.LedgerEntry {
	e.t.Helper()
	var out []loyalty.LedgerEntry
	for _, en := range e.ledger(id) {
		if en.Kind == kind {
			out = append(out, en)
		}
	}
	return out
}

// listAll reads every page of an index partition, checking the page size,
// and returns the ids sorted.
func (e *env) listAll(name string, limit int, list func(cursor string, limit int) ([]string, string, error)) []string {
	e.t.Helper()
	var all []string
	cursor := ""
	for range 100 {
		ids, next, err := list(cursor, limit)
		if err != nil {
			e.t.Fatalf("%s: %v", name, err)
		}
		if len(ids) > limit {
			e.t.Fatalf("%s: a page of %d holds %d", name, limit, len(ids))
		}
		all = append(all, ids...)
		if next == "" {
			slices.Sort(all)
			return all
		}
		cursor = next
	}
	e.t.Fatalf("%s: the pages never end", name)
	return nil
}

func (e *env) birthdays(md string, limit int) []string {
	e.t.Helper()
	var m loyalty.MonthDay
	if _, err := fmt.Sscanf(md, "%d-%d", &m.Month, &m.Day); err != nil {
		e.t.Fatal(err)
	}
	return e.listAll("birthdays on "+md, limit, func(cursor string, limit int) ([]string, string, error) {
		members, next, err := e.store.BirthdayMembers(e.ctx, m, cursor, limit)
		ids := make([]string, len(members))
		for i, mem := range members {
			if mem.Birthday.MonthDay() != m {
				e.t.Errorf("member %s with birthday %s listed under %s", mem.ID, mem.Birthday, md)
			}
			ids[i] = mem.ID
		}
		return ids, next, err
	})
}

func (e *env) expiring(d string, limit int) []string {
	e.t.Helper()
	return e.listAll("lots expiring on "+d, limit, func(cursor string, limit int) ([]string, string, error) {
		return e.store.ExpiringLots(e.ctx, day(d), cursor, limit)
	})
}

func (e *env) reviewsDue(d string, limit int) []string {
	e.t.Helper()
	return e.listAll("tier reviews due on "+d, limit, func(cursor string, limit int) ([]string, string, error) {
		return e.store.TierReviewsDue(e.ctx, day(d), cursor, limit)
	})
}

func ids(ms ...loyalty.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	slices.Sort(out)
	return out
}

func (e *env) wantIDs(what string, got, want []string) {
	e.t.Helper()
	if got == nil {
		got = []string{}
	}
	if want == nil {
		want = []string{}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		e.t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func testIndexes(e *env) {
	a := e.enrollAt(Start, "a@example.com", "1990-03-15", "Asia/Tokyo")
	b := e.enrollAt(Start, "b@example.com", "1985-03-15", "America/Los_Angeles")
	c := e.enrollAt(Start, "c@example.com", "2001-03-15", "UTC")
	d := e.enrollAt(Start, "d@example.com", "1990-03-16", "UTC")
	f := e.enrollAt(Start, "f@example.com", "", "UTC")

	e.wantIDs("birthdays on 03-15", e.birthdays("03-15", 2), ids(a, b, c))
	e.wantIDs("birthdays on 03-16", e.birthdays("03-16", 2), ids(d))
	e.wantIDs("birthdays on 03-17", e.birthdays("03-17", 2), nil)
	e.setBirthday(a.ID, day("1990-04-01"), Start)
	e.wantIDs("birthdays on 03-15 after a moved away", e.birthdays("03-15", 1), ids(b, c))
	e.wantIDs("birthdays on 04-01", e.birthdays("04-01", 10), ids(a))

	// Welcome lots of 23 November 2026 expire on 30 November 2027.
	e.wantIDs("lots expiring on 2027-11-30", e.expiring("2027-11-30", 2), ids(a, b, c, d, f))
	if _, err := e.redeem(d.ID, 50, "all-of-d"); err != nil {
		e.t.Fatal(err)
	}
	e.wantIDs("lots expiring on 2027-11-30 after d spent all", e.expiring("2027-11-30", 3), ids(a, b, c, f))
	e.clock.Set(Start.AddDate(0, 1, 0))
	e.earn(f.ID, "december", 1000)
	e.wantIDs("lots expiring on 2027-12-31", e.expiring("2027-12-31", 3), ids(f))

	e.wantIDs("tier reviews due on 2027-11-23", e.reviewsDue("2027-11-23", 2), ids(a, b, c, d, f))
	e.clock.Set(Start.AddDate(0, 0, 2))
	if r := e.earn(c.ID, "upgrade", 60_000); r.Tier != loyalty.Silver {
		e.t.Fatalf("600 qualifying points gave %s", r.Tier)
	}
	e.wantIDs("tier reviews due on 2027-11-23 after c's upgrade", e.reviewsDue("2027-11-23", 2), ids(a, b, d, f))
	e.wantIDs("tier reviews due on 2027-11-25", e.reviewsDue("2027-11-25", 2), ids(c))
}

func testIndexCursor(e *env) {
	var ms []loyalty.Member
	for i := range 4 {
		ms = append(ms, e.enrollAt(Start, fmt.Sprintf("m%d@example.com", i), "1990-07-04", "UTC"))
	}
	page, next, err := e.store.BirthdayMembers(e.ctx, loyalty.MonthDay{Month: time.July, Day: 4}, "", 2)
	if err != nil || len(page) != 2 || next == "" {
		e.t.Fatalf("first page = %d members, next %q, %v; want 2 and a cursor", len(page), next, err)
	}
	for _, m := range page {
		e.setBirthday(m.ID, day("1990-07-05"), Start)
	}
	var rest []string
	for cursor := next; cursor != ""; {
		members, n, err := e.store.BirthdayMembers(e.ctx, loyalty.MonthDay{Month: time.July, Day: 4}, cursor, 2)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, m := range members {
			rest = append(rest, m.ID)
		}
		cursor = n
	}
	slices.Sort(rest)
	want := ids(ms...)
	want = slices.DeleteFunc(want, func(id string) bool { return id == page[0].ID || id == page[1].ID })
	e.wantIDs("the pages after the cursor", rest, want)
}

// birthday gives a member's present at the instant at, the clock set there too.
func (e *env) birthday(m loyalty.Member, at time.Time) loyalty.Outcome {
	e.t.Helper()
	e.clock.Set(at)
	out, err := e.program.BirthdayReward(e.ctx, m.ID, at)
	if err != nil {
		e.t.Fatalf("birthday of %s at %s: %v", m.Email, at, err)
	}
	return out
}

func (e *env) wantSkip(what string, out loyalty.Outcome, skip loyalty.Skip) {
	e.t.Helper()
	if out.Skipped != skip {
		e.t.Fatalf("%s: skipped %q, want %q", what, out.Skipped, skip)
	}
}

func testBirthdayPresents(e *env) {
	joined := instant("2027-01-01T00:00:00Z")
	tokyo := e.enrollAt(joined, "tokyo@example.com", "1990-03-15", "Asia/Tokyo")
	la := e.enrollAt(joined, "la@example.com", "1990-03-15", "America/Los_Angeles")
	leap := e.enrollAt(joined, "leap@example.com", "2000-02-29", "Europe/Paris")
	newcomer := e.enrollAt(instant("2027-03-14T12:00:00Z"), "new@example.com", "1990-03-15", "UTC")
	mover := e.enrollAt(joined, "mover@example.com", "", "UTC")
	e.setBirthday(mover.ID, day("1990-03-15"), instant("2027-03-05T12:00:00Z"))

	// 02:00 UTC on 15 March: 11:00 on the 15th in Tokyo, 19:00 on the 14th in Los Angeles.
	early := instant("2027-03-15T02:00:00Z")
	out := e.birthday(tokyo, early)
	if !out.Changed() || out.Entry.Kind != loyalty.KindBirthday || out.Entry.Points != 100 || out.Balance != 150 || out.Entry.Qualifying != 0 {
		e.t.Fatalf("Tokyo's birthday = %+v, want a birthday entry of 100 and balance 150", out)
	}
	e.wantSkip("Los Angeles at 02:00 UTC", e.birthday(la, early), loyalty.SkipNotBirthday)
	// 20:00 UTC: the 16th in Tokyo, 13:00 on the 15th in Los Angeles.
	late := instant("2027-03-15T20:00:00Z")
	e.wantSkip("Tokyo at 20:00 UTC", e.birthday(tokyo, late), loyalty.SkipNotBirthday)
	if out := e.birthday(la, late); !out.Changed() || out.Entry.Points != 100 {
		e.t.Fatalf("Los Angeles at 20:00 UTC = %+v, want the present", out)
	}
	e.wantSkip("a rerun in Los Angeles", e.birthday(la, late.Add(time.Hour)), loyalty.SkipAlreadyDone)
	e.wantSkip("a member who joined yesterday", e.birthday(newcomer, late), loyalty.SkipNewMember)
	e.wantSkip("a birthday changed ten days ago", e.birthday(mover, late), loyalty.SkipBirthdayChanged)

	e.wantSkip("29 February on 27 February 2027", e.birthday(leap, instant("2027-02-27T12:00:00Z")), loyalty.SkipNotBirthday)
	if out := e.birthday(leap, instant("2027-02-28T12:00:00Z")); !out.Changed() {
		e.t.Fatalf("29 February on 28 February 2027 = %+v, want the present", out)
	}
	e.wantSkip("29 February on 28 February 2027, an hour later", e.birthday(leap, instant("2027-02-28T13:00:00Z")), loyalty.SkipAlreadyDone)
	e.wantSkip("29 February on 1 March 2027", e.birthday(leap, instant("2027-03-01T12:00:00Z")), loyalty.SkipNotBirthday)

	acct := e.account(tokyo.ID)
	if n := len(e.entriesOf(tokyo.ID, loyalty.KindBirthday)); n != 1 || acct.Member.LastBirthdayYear != 2027 {
		e.t.Fatalf("Tokyo has %d presents, last in %d; want 1 in 2027", n, acct.Member.LastBirthdayYear)
	}
	if q := acct.Member.QualifyingPoints(day("2027-03-15")); q != 0 {
		e.t.Fatalf("a present counted %d qualifying points", q)
	}
	if got := fmt.Sprint(acct.Lots); got != "[{2028-01-31 50} {2028-03-31 100}]" {
		e.t.Fatalf("Tokyo's lots = %s, want the present in the lot of March 2027's points", got)
	}
	if out := e.birthday(tokyo, instant("2028-03-15T02:00:00Z")); !out.Changed() || out.Balance != 250 {
		e.t.Fatalf("Tokyo's next birthday = %+v, want another present", out)
	}
}

func testBirthdayRace(e *env) {
	m := e.enrollAt(instant("2027-01-01T00:00:00Z"), "race@example.com", "1990-03-15", "UTC")
	at := instant("2027-03-15T12:00:00Z")
	e.clock.Set(at)
	outs := race(e, 8, func() (loyalty.Outcome, error) { return e.program.BirthdayReward(e.ctx, m.ID, at) })
	e.wantOnce("birthday presents", outs, loyalty.SkipAlreadyDone)
	if n := len(e.entriesOf(m.ID, loyalty.KindBirthday)); n != 1 || e.account(m.ID).Member.Balance != 150 {
		e.t.Fatalf("%d presents after racing runs, want 1", n)
	}
}

// race runs fn n times at once.
func race(e *env, n int, fn func() (loyalty.Outcome, error)) []loyalty.Outcome {
	outs := make([]loyalty.Outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			if outs[i], err = fn(); err != nil {
				e.t.Errorf("racing run: %v", err)
			}
		})
	}
	wg.Wait()
	return outs
}

// wantOnce checks that exactly one racing run changed the member and the
// others skipped it for the reason given.
func (e *env) wantOnce(what string, outs []loyalty.Outcome, skip loyalty.Skip) {
	e.t.Helper()
	changed := 0
	for _, o := range outs {
		switch {
		case o.Changed():
			changed++
		case o.Skipped != skip:
			e.t.Errorf("%s: a racing run skipped %q, want %q", what, o.Skipped, skip)
		}
	}
	if changed != 1 {
		e.t.Fatalf("%s: %d racing runs changed the member, want 1", what, changed)
	}
}

func testExpiry(e *env) {
	m := e.enroll("expiry@example.com") // 50 expiring on 2027-11-30
	e.earn(m.ID, "november", 10_000)    // 100 more in that lot
	e.clock.Set(instant("2026-12-10T10:00:00Z"))
	e.earn(m.ID, "december", 10_000)                       // 100 expiring on 2027-12-31
	if _, err := e.redeem(m.ID, 70, "spend"); err != nil { // from the November lot: 80 left
		e.t.Fatal(err)
	}
	before := e.account(m.ID).Member

	e.clock.Set(instant("2027-11-30T23:00:00Z"))
	out, err := e.program.ExpireLot(e.ctx, m.ID, day("2027-11-30"), day("2027-11-30"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.wantSkip("a lot on its last day", out, loyalty.SkipNotExpired)

	e.clock.Set(instant("2027-12-01T00:05:00Z"))
	out, err = e.program.ExpireLot(e.ctx, m.ID, day("2027-11-30"), day("2027-12-01"))
	if err != nil || !out.Changed() || out.Entry.Kind != loyalty.KindExpire || out.Entry.Points != -80 || out.Balance != 100 {
		e.t.Fatalf("expiry of the November lot = %+v, %v; want -80 and balance 100", out, err)
	}
	acct := e.account(m.ID)
	if got := fmt.Sprint(acct.Lots); got != "[{2027-12-31 100}]" {
		e.t.Fatalf("lots after expiry = %s, want only December's 100", got)
	}
	if fmt.Sprint(acct.Member.Qualifying) != fmt.Sprint(before.Qualifying) || acct.Member.Tier != before.Tier {
		e.t.Fatalf("expiry changed qualifying points or tier: %v %s, was %v %s", acct.Member.Qualifying, acct.Member.Tier, before.Qualifying, before.Tier)
	}
	e.wantIDs("lots expiring on 2027-11-30 after expiry", e.expiring("2027-11-30", 10), nil)
	e.wantIDs("lots expiring on 2027-12-31", e.expiring("2027-12-31", 10), ids(m))

	out, err = e.program.ExpireLot(e.ctx, m.ID, day("2027-11-30"), day("2027-12-01"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.wantSkip("a rerun", out, loyalty.SkipNothingLeft)
	if n := len(e.entriesOf(m.ID, loyalty.KindExpire)); n != 1 {
		e.t.Fatalf("%d expire entries, want 1", n)
	}
}

func testExpiryRace(e *env) {
	m := e.enroll("expiry-race@example.com")
	e.clock.Set(instant("2027-12-01T00:05:00Z"))
	outs := race(e, 8, func() (loyalty.Outcome, error) {
		return e.program.ExpireLot(e.ctx, m.ID, day("2027-11-30"), day("2027-12-01"))
	})
	e.wantOnce("expiries", outs, loyalty.SkipNothingLeft)
	if n := len(e.entriesOf(m.ID, loyalty.KindExpire)); n != 1 || e.account(m.ID).Member.Balance != 0 {
		e.t.Fatalf("%d expire entries after racing runs, want 1", n)
	}
}

// review reviews a member's tier on today.
func (e *env) review(m loyalty.Member, today string) loyalty.Outcome {
	e.t.Helper()
	e.clock.Set(day(today).Time().Add(time.Hour))
	out, err := e.program.ReviewTier(e.ctx, m.ID, day(today))
	if err != nil {
		e.t.Fatalf("review of %s on %s: %v", m.Email, today, err)
	}
	return out
}

func testTierReview(e *env) {
	platinum := e.enroll("platinum@example.com")
	if r := e.earn(platinum.ID, "big", 500_000); r.Tier != loyalty.Platinum {
		e.t.Fatalf("5000 qualifying points gave %s", r.Tier)
	}
	bronze := e.enroll("bronze@example.com")
	silver := e.enroll("silver@example.com")
	e.earn(silver.ID, "silver", 50_000)
	e.clock.Set(instant("2027-10-01T10:00:00Z"))
	e.earn(silver.ID, "keeps-it", 60_000) // 750 qualifying points in the review's window

	e.wantSkip("a review the day before", e.review(platinum, "2027-11-22"), loyalty.SkipNotDue)
	before := e.account(platinum.ID).Member
	entries := len(e.ledger(platinum.ID))

	out := e.review(platinum, "2027-11-23")
	if !out.Changed() || out.Tier != loyalty.Gold || out.PreviousTier != loyalty.Platinum {
		e.t.Fatalf("review of a platinum member with no qualifying points = %+v, want gold (one tier down)", out)
	}
	after := e.account(platinum.ID).Member
	if after.ReviewedTier != loyalty.Gold || after.TierReviewOn != day("2028-11-23") || after.Version != before.Version+1 || after.Balance != before.Balance {
		e.t.Fatalf("member after review = tier %s reviewed %s next %s version %d balance %d", after.Tier, after.ReviewedTier, after.TierReviewOn, after.Version, after.Balance)
	}
	if n := len(e.ledger(platinum.ID)); n != entries {
		e.t.Fatalf("a review posted %d ledger entries", n-entries)
	}
	e.wantSkip("a rerun", e.review(platinum, "2027-11-23"), loyalty.SkipNotDue)

	if out := e.review(bronze, "2027-11-23"); !out.Changed() || out.Tier != loyalty.Bronze {
		e.t.Fatalf("review of a bronze member = %+v, want bronze kept", out)
	}
	if out := e.review(silver, "2027-11-23"); !out.Changed() || out.Tier != loyalty.Silver {
		e.t.Fatalf("review of a silver member with 750 qualifying points = %+v, want silver kept", out)
	}
	e.wantIDs("tier reviews due on 2027-11-23 after the reviews", e.reviewsDue("2027-11-23", 10), nil)
	e.wantIDs("tier reviews due on 2028-11-23", e.reviewsDue("2028-11-23", 2), ids(platinum, bronze, silver))

	if out := e.review(platinum, "2028-11-23"); out.Tier != loyalty.Silver {
		e.t.Fatalf("the next review = %+v, want silver: one more tier down", out)
	}
	e.ledger(platinum.ID)
}

func testTierReviewRace(e *env) {
	m := e.enroll("review-race@example.com")
	e.earn(m.ID, "big", 200_000) // gold
	e.clock.Set(instant("2027-11-23T01:00:00Z"))
	outs := race(e, 8, func() (loyalty.Outcome, error) { return e.program.ReviewTier(e.ctx, m.ID, day("2027-11-23")) })
	e.wantOnce("tier reviews", outs, loyalty.SkipNotDue)
	if got := e.account(m.ID).Member; got.Tier != loyalty.Silver || got.TierReviewOn != day("2028-11-23") {
		e.t.Fatalf("after racing reviews: tier %s, next review %s; want silver and 2028-11-23", got.Tier, got.TierReviewOn)
	}
}

// runTwice runs a job twice at the same instant, at once, and returns the
// sum of the runs' changes.
func (e *env) runTwice(runner *jobs.Runner, job string, at time.Time) (changed int, points int64) {
	e.t.Helper()
	e.clock.Set(at)
	var wg sync.WaitGroup
	sums := make([]jobs.Summary, 2)
	errs := make([]error, 2)
	for i := range sums {
		wg.Go(func() { sums[i], errs[i] = runner.Run(e.ctx, job, at) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		e.t.Fatalf("%s: %v", job, err)
	}
	for _, s := range sums {
		if s.Job != job || !s.At.Equal(at) || s.Unfinished {
			e.t.Errorf("%s summary = %+v", job, s)
		}
		changed += s.Changed
		points += s.Points
	}
	return changed, points
}

func testJobsTwice(e *env) {
	runner := jobs.New(e.program, e.store)
	runner.PageSize = 2
	joined := instant("2027-01-01T00:00:00Z")
	var due, all []loyalty.Member
	for i := range 5 {
		due = append(due, e.enrollAt(joined, fmt.Sprintf("due%d@example.com", i), "1990-03-15", "UTC"))
	}
	all = append(all, due...)
	for i := range 2 {
		all = append(all, e.enrollAt(joined, fmt.Sprintf("later%d@example.com", i), "1990-03-16", "UTC"))
	}

	if changed, points := e.runTwice(runner, jobs.NameBirthdays, instant("2027-03-15T12:00:00Z")); changed != len(due) || points != 100*int64(len(due)) {
		e.t.Fatalf("two birthday runs changed %d members for %d points, want %d and %d", changed, points, len(due), 100*len(due))
	}
	for _, m := range all {
		want := 0
		if slices.Contains(ids(due...), m.ID) {
			want = 1
		}
		if n := len(e.entriesOf(m.ID, loyalty.KindBirthday)); n != want {
			e.t.Fatalf("%s has %d presents, want %d", m.Email, n, want)
		}
	}
	// Every welcome lot expires on 2028-01-31, every review is on 2028-01-01.
	runs := map[string]time.Time{
		jobs.NameBirthdays:  instant("2027-03-15T12:00:00Z"),
		jobs.NameTierReview: instant("2028-01-01T01:00:00Z"),
		jobs.NameExpiry:     instant("2028-02-01T00:05:00Z"),
	}
	if changed, _ := e.runTwice(runner, jobs.NameTierReview, runs[jobs.NameTierReview]); changed != len(all) {
		e.t.Fatalf("two tier review runs changed %d members, want %d", changed, len(all))
	}
	if changed, points := e.runTwice(runner, jobs.NameExpiry, runs[jobs.NameExpiry]); changed != len(all) || points != -50*int64(len(all)) {
		e.t.Fatalf("two expiry runs changed %d members for %d points, want %d and %d", changed, points, len(all), -50*len(all))
	}
	for _, m := range all {
		if n := len(e.entriesOf(m.ID, loyalty.KindExpire)); n != 1 {
			e.t.Fatalf("%s has %d expire entries, want 1", m.Email, n)
		}
	}
	for job, at := range runs {
		s, err := runner.Run(e.ctx, job, at)
		if err != nil || s.Changed != 0 {
			e.t.Fatalf("a rerun of %s = %+v, %v; want nothing changed", job, s, err)
		}
	}
}

func (e *env) watermark(job string) loyalty.Date {
	e.t.Helper()
	d, err := e.store.JobWatermark(e.ctx, job)
	if err != nil {
		e.t.Fatalf("watermark of %s: %v", job, err)
	}
	return d
}

func testJobWatermarks(e *env) {
	if d := e.watermark(jobs.NameExpiry); !d.IsZero() {
		e.t.Fatalf("a new store's watermark = %s, want none", d)
	}
	save := func(job, d string) {
		e.t.Helper()
		if err := e.store.SaveJobWatermark(e.ctx, job, day(d)); err != nil {
			e.t.Fatalf("save %s's watermark %s: %v", job, d, err)
		}
	}
	save(jobs.NameExpiry, "2027-11-30")
	save(jobs.NameExpiry, "2027-11-29")
	if d := e.watermark(jobs.NameExpiry); d != day("2027-11-30") {
		e.t.Fatalf("watermark after an older day = %s, want 2027-11-30 kept", d)
	}
	save(jobs.NameExpiry, "2028-01-02")
	if d := e.watermark(jobs.NameExpiry); d != day("2028-01-02") {
		e.t.Fatalf("watermark = %s, want 2028-01-02", d)
	}
	if d := e.watermark(jobs.NameTierReview); !d.IsZero() {
		e.t.Fatalf("another job's watermark = %s, want none", d)
	}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() { save(jobs.NameTierReview, day("2028-02-01").AddDays(i).String()) })
	}
	wg.Wait()
	if d := e.watermark(jobs.NameTierReview); d != day("2028-02-10") {
		e.t.Fatalf("watermark after racing saves = %s, want the latest, 2028-02-10", d)
	}
}

// expiryReads records the days of the expiry index a runner reads.
type expiryReads struct {
	store.Store
	mu   sync.Mutex
	days []string
}

func (r *expiryReads) ExpiringLots(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	r.mu.Lock()
	r.days = append(r.days, day.String())
	r.mu.Unlock()
	return r.Store.ExpiringLots(ctx, day, cursor, limit)
}

// take returns the days read since the last call.
func (r *expiryReads) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	days := r.days
	r.days = nil
	return days
}

// daysFrom lists n days from first, then the extra partitions.
func daysFrom(first string, n int, extra ...string) []string {
	var out []string
	for i := range n {
		out = append(out, day(first).AddDays(i).String())
	}
	return append(out, extra...)
}

func testExpiryCatchUp(e *env) {
	november := e.enroll("november@example.com") // 50 expiring on 2027-11-30
	e.clock.Set(instant("2026-12-10T10:00:00Z"))
	december := e.enroll("december@example.com") // 50 expiring on 2027-12-31
	reads := &expiryReads{Store: e.store}
	runner := jobs.New(e.program, reads)
	run := func(at string) jobs.Summary {
		e.t.Helper()
		e.clock.Set(instant(at))
		s, err := runner.Run(e.ctx, jobs.NameExpiry, instant(at))
		if err != nil {
			e.t.Fatalf("expiry at %s: %v", at, err)
		}
		return s
	}

	// The first run has no watermark: it reads the 31 days before yesterday
	// and yesterday, then keeps yesterday.
	if s := run("2027-11-01T00:05:00Z"); s.Changed != 0 {
		e.t.Fatalf("the first run = %+v, want nothing expired", s)
	}
	e.wantIDs("days read by the first run", reads.take(), daysFrom("2027-09-30", 32, "2027-12-01"))
	if d := e.watermark(jobs.NameExpiry); d != day("2027-10-31") {
		e.t.Fatalf("watermark after the first run = %s, want 2027-10-31", d)
	}

	// No run for 74 days: the November lot fell due 45 days before this one.
	s := run("2028-01-14T00:05:00Z")
	if s.Changed != 2 || s.Points != -100 || s.Examined != 2 {
		e.t.Fatalf("the run after the gap = %+v, want both lots expired", s)
	}
	e.wantIDs("days read after the gap", reads.take(), daysFrom("2027-11-01", 74, "2028-02-13"))
	if d := e.watermark(jobs.NameExpiry); d != day("2028-01-13") {
		e.t.Fatalf("watermark after the gap = %s, want 2028-01-13", d)
	}
	for _, m := range []loyalty.Member{november, december} {
		if got := e.account(m.ID).Member.Balance; got != 0 || len(e.entriesOf(m.ID, loyalty.KindExpire)) != 1 {
			e.t.Fatalf("%s after the catch-up: balance %d, expire entries %v", m.Email, got, e.entriesOf(m.ID, loyalty.KindExpire))
		}
	}

	if s := run("2028-01-14T00:05:00Z"); s.Examined != 0 || s.Changed != 0 {
		e.t.Fatalf("a rerun = %+v, want nothing read", s)
	}
	e.wantIDs("days read by a rerun", reads.take(), []string{"2028-02-13"})
	if d := e.watermark(jobs.NameExpiry); d != day("2028-01-13") {
		e.t.Fatalf("watermark after a rerun = %s, want 2028-01-13", d)
	}
}

// stopAfterPages cancels a run after it has read pages pages of expiring
// lots, as a deadline would between two pages.
type stopAfterPages struct {
	store.Store
	pages  int
	cancel context.CancelFunc
}

func (s *stopAfterPages) ExpiringLots(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	ids, next, err := s.Store.ExpiringLots(ctx, day, cursor, limit)
	if s.pages--; s.pages == 0 {
		s.cancel()
	}
	return ids, next, err
}

func testExpiryManyMembers(e *env) {
	var all []loyalty.Member
	for i := range 40 {
		all = append(all, e.enroll(fmt.Sprintf("many%d@example.com", i))) // 50 each, expiring on 2027-11-30
	}
	e.wantIDs("lots expiring on 2027-11-30 in pages of 3", e.expiring("2027-11-30", 3), ids(all...))
	if err := e.store.SaveJobWatermark(e.ctx, jobs.NameExpiry, day("2027-11-29")); err != nil {
		e.t.Fatal(err)
	}
	at := instant("2027-12-01T00:05:00Z")
	e.clock.Set(at)

	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	stopped := jobs.New(e.program, &stopAfterPages{Store: e.store, pages: 4, cancel: cancel})
	stopped.PageSize = 3
	first, err := stopped.Run(ctx, jobs.NameExpiry, at)
	if !errors.Is(err, context.Canceled) || first.Changed == 0 || first.Changed >= len(all) {
		e.t.Fatalf("the stopped run = %+v, %v; want some lots expired and the run cancelled", first, err)
	}
	if d := e.watermark(jobs.NameExpiry); d != day("2027-11-29") {
		e.t.Fatalf("watermark after the stopped run = %s, want it left at 2027-11-29", d)
	}

	runner := jobs.New(e.program, e.store)
	runner.PageSize = 3
	rest, err := runner.Run(e.ctx, jobs.NameExpiry, at)
	if err != nil || first.Changed+rest.Changed != len(all) || rest.Points != -50*int64(rest.Changed) {
		e.t.Fatalf("the rerun = %+v, %v after %d expired; want the other %d", rest, err, first.Changed, len(all)-first.Changed)
	}
	for _, m := range all {
		if got := e.account(m.ID).Member.Balance; got != 0 || len(e.entriesOf(m.ID, loyalty.KindExpire)) != 1 {
			e.t.Fatalf("%s after the runs: balance %d, expire entries %v", m.Email, got, e.entriesOf(m.ID, loyalty.KindExpire))
		}
	}
	e.wantIDs("lots expiring on 2027-11-30 after the runs", e.expiring("2027-11-30", 3), nil)
	if d := e.watermark(jobs.NameExpiry); d != day("2027-11-30") {
		e.t.Fatalf("watermark after the rerun = %s, want 2027-11-30", d)
	}
}
