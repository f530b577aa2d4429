package storetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// donationTests check charities, gifts, their sharded totals and reports,
// and the donation plans the donation run carries out.
var donationTests = []struct {
	name string
	fn   func(*env)
}{
	{"charities are saved, listed by name and archived, never re-rated", testCharities},
	{"a gift the rules refuse moves nothing", testGiftRefused},
	{"a gift moves points, soonest-expiring first, to the charity's totals in one commit", testGift},
	{"matching is recorded apart and never passes its monthly cap", testMatchingCap},
	{"500 concurrent gifts to one charity total exactly what the ledger says", testConcurrentGifts},
	{"a month's report and its CSV match the ledger", testMonthReport},
	{"donation plans are checked, saved on the member and indexed when due", testPlans},
	{"a pledge is carried out once a month, even when the run is repeated", testPledgeOncePerMonth},
	{"expiring points are given instead of expired for members who opted in", testExpiringGiven},
}

// charity saves a charity of 100 points per euro, gifts from 100 in steps of
// 10, changed by mod.
func (e *env) charity(id string, mod func(*loyalty.Charity)) loyalty.Charity {
	e.t.Helper()
	c := loyalty.Charity{ID: id, Name: "Charity " + id, PointsPerUnit: 100, Currency: "EUR", MinPoints: 100, Step: 10}
	if mod != nil {
		mod(&c)
	}
	c, err := loyalty.PrepareCharity(c, nil, e.clock.Now())
	if err != nil {
		e.t.Fatalf("prepare charity %s: %v", id, err)
	}
	if err := e.store.SaveCharity(e.ctx, c); err != nil {
		e.t.Fatalf("save charity %s: %v", id, err)
	}
	return c
}

func (e *env) donate(memberID, charityID string, points int64, key string) (loyalty.Receipt, error) {
	return e.program.Donate(e.ctx, loyalty.DonateRequest{MemberID: memberID, CharityID: charityID, Points: points, Actor: loyalty.Actor{Who: loyalty.WhoMember, MemberID: memberID}, Key: loyalty.IdemKey{Scope: "donate/" + memberID, Key: key}})
}

func (e *env) totals(charityID string, month string) (all, inMonth loyalty.CharityTotals) {
	e.t.Helper()
	all, err := e.store.CharityTotal(e.ctx, charityID)
	if err != nil {
		e.t.Fatalf("total of %s: %v", charityID, err)
	}
	m, err := loyalty.ParseMonth(month)
	if err != nil {
		e.t.Fatal(err)
	}
	if inMonth, err = e.store.CharityMonth(e.ctx, charityID, m); err != nil {
		e.t.Fatalf("month %s of %s: %v", month, charityID, err)
	}
	return all, inMonth
}

// donors reads every page of a charity's donors of a month.
func (e *env) donors(charityID, month string, limit int) []loyalty.Donor {
	e.t.Helper()
	m, err := loyalty.ParseMonth(month)
	if err != nil {
		e.t.Fatal(err)
	}
	var all []loyalty.Donor
	for cursor := ""; ; {
		page, next, err := e.store.CharityDonors(e.ctx, charityID, m, cursor, limit)
		if err != nil {
			e.t.Fatalf("donors of %s in %s: %v", charityID, month, err)
		}
		if len(page) > limit {
			e.t.Fatalf("a page of %d donors holds %d", limit, len(page))
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// given sums a charity's donate entries in the ledgers of members, in one
// month ("" for all time): the figures its totals must equal.
func (e *env) given(charityID, month string, members ...string) (totals loyalty.CharityTotals, byDonor map[string]loyalty.Donor) {
	e.t.Helper()
	byDonor = map[string]loyalty.Donor{}
	for _, id := range members {
		for _, en := range e.ledger(id) {
			if en.Kind != loyalty.KindDonate || en.Ref.CharityID != charityID || (month != "" && loyalty.MonthOf(en.CreatedAt).String() != month) {
				continue
			}
			d := byDonor[id]
			d.MemberID = id
			d.Gifts++
			d.Points -= en.Points
			d.Matched += en.Matched
			byDonor[id] = d
		}
	}
	for _, d := range byDonor {
		totals.Points += d.Points
		totals.Matched += d.Matched
		totals.Gifts += d.Gifts
		totals.Donors++
	}
	return totals, byDonor
}

func testCharities(e *env) {
	if _, err := e.store.Charity(e.ctx, "nope"); !errors.Is(err, loyalty.ErrCharityNotFound) {
		e.t.Fatalf("unknown charity: err = %v, want ErrCharityNotFound", err)
	}
	zoo := e.charity("zoo", func(c *loyalty.Charity) {
		c.Name, c.Description, c.LogoURL = "Zoo friends", "Feeds the animals", "https://example.org/zoo.png"
		c.Matching = &loyalty.Matching{Ratio: 1, CapPoints: 10_000}
	})
	e.charity("art", func(c *loyalty.Charity) { c.Name = "Art for all" })
	old := e.charity("old", func(c *loyalty.Charity) { c.Name = "Bygone"; c.Archived = true })

	got, err := e.store.Charity(e.ctx, "zoo")
	if err != nil || asJSON(got) != asJSON(zoo) || got.Matching.CapPoints != 10_000 {
		e.t.Fatalf("Charity(zoo) = %+v, %v; want %+v", got, err, zoo)
	}
	names := func(cs []loyalty.Charity) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, " ")
	}
	all, err := e.store.Charities(e.ctx, false)
	if err != nil || names(all) != "art old zoo" {
		e.t.Fatalf("Charities(all) = %s, %v; want art old zoo (by name)", names(all), err)
	}
	active, err := e.store.Charities(e.ctx, true)
	if err != nil || names(active) != "art zoo" {
		e.t.Fatalf("Charities(active) = %s, %v; want art zoo", names(active), err)
	}

	e.clock.Set(Start.Add(time.Hour))
	revived := old
	revived.Archived = false
	revived, err = loyalty.PrepareCharity(revived, &old, e.clock.Now())
	if err != nil || !revived.CreatedAt.Equal(old.CreatedAt) || !revived.UpdatedAt.Equal(Start.Add(time.Hour)) {
		e.t.Fatalf("a charity saved again = %+v, %v; want its creation time kept", revived, err)
	}
	rerated := old
	rerated.PointsPerUnit = 50
	if _, err := loyalty.PrepareCharity(rerated, &old, e.clock.Now()); !errors.Is(err, loyalty.ErrInvalid) {
		e.t.Fatalf("a charity's rate changed: err = %v, want ErrInvalid", err)
	}
}

func testGiftRefused(e *env) {
	e.charity("shelter", nil)
	e.charity("closed", func(c *loyalty.Charity) { c.Archived = true })
	m := e.enroll("giver@example.com")
	e.earn(m.ID, "r1", 10_000) // balance 150
	before := e.account(m.ID)
	cases := []struct {
		what    string
		charity string
		points  int64
		want    error
	}{
		{"below the minimum", "shelter", 90, loyalty.ErrInvalid},
		{"not a multiple of the step", "shelter", 105, loyalty.ErrInvalid},
		{"more than the balance", "shelter", 160, loyalty.ErrInsufficientPoints},
		{"to an archived charity", "closed", 100, loyalty.ErrCharityArchived},
		{"to an unknown charity", "nowhere", 100, loyalty.ErrCharityNotFound},
		{"of no points", "shelter", 0, loyalty.ErrInvalid},
		{"to a malformed charity id", "Not A Slug", 100, loyalty.ErrInvalid},
	}
	for i, c := range cases {
		if _, err := e.donate(m.ID, c.charity, c.points, fmt.Sprint("k", i)); !errors.Is(err, c.want) {
			e.t.Errorf("a gift %s: err = %v, want %v", c.what, err, c.want)
		}
	}
	after := e.account(m.ID)
	if after.Member.Version != before.Member.Version || fmt.Sprint(after.Lots) != fmt.Sprint(before.Lots) || len(e.ledger(m.ID)) != 2 {
		e.t.Fatalf("refused gifts changed the account: %+v", after)
	}
	for _, id := range []string{"shelter", "closed"} {
		if all, month := e.totals(id, "2026-11"); all != (loyalty.CharityTotals{}) || month != (loyalty.CharityTotals{}) {
			e.t.Fatalf("refused gifts reached %s: %+v %+v", id, all, month)
		}
	}
	if d := e.donors("shelter", "2026-11", 10); len(d) != 0 {
		e.t.Fatalf("refused gifts made donors: %+v", d)
	}
	// The key of a refused gift is free for a good one.
	if r, err := e.donate(m.ID, "shelter", 150, "k2"); err != nil || r.Balance != 0 {
		e.t.Fatalf("the whole balance with the key of a refused gift = %+v, %v", r, err)
	}
}

func testGift(e *env) {
	e.charity("school", func(c *loyalty.Charity) { c.PointsPerUnit = 300; c.MinPoints, c.Step = 10, 10 })
	m := e.enroll("teacher@example.com") // 50 expiring 2027-11-30
	e.clock.Set(Start.AddDate(0, 1, 0))
	e.earn(m.ID, "dec", 10_000) // 100 expiring 2027-12-31

	r, err := e.donate(m.ID, "school", 70, "gift-1")
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Entry.Kind != loyalty.KindDonate || r.Entry.Points != -70 || r.Entry.Ref.CharityID != "school" || r.Entry.Matched != 0 || r.Balance != 80 {
		e.t.Fatalf("gift of 70 = %+v, want a donate entry of -70 to school and balance 80", r)
	}
	// 70 points at 300 a euro are 23.33… cents: 23, rounded down.
	want := loyalty.Gift{CharityID: "school", Month: loyalty.Month{Year: 2026, Month: time.December}, Points: 70, Value: loyalty.Money{Value: 23, Currency: "EUR"}}
	if r.Donation == nil || fmt.Sprint(*r.Donation) != fmt.Sprint(want) {
		e.t.Fatalf("the gift's receipt = %+v, want %+v", r.Donation, want)
	}
	if got := fmt.Sprint(e.account(m.ID).Lots); got != "[{2027-12-31 80}]" {
		e.t.Fatalf("lots after the gift = %s, want the November lot spent first", got)
	}
	again, err := e.donate(m.ID, "school", 70, "gift-1")
	if err != nil || !again.Replayed || again.Entry.ID != r.Entry.ID || again.Donation == nil || *again.Donation != *r.Donation {
		e.t.Fatalf("a replayed gift = %+v, %v; want the first answer", again, err)
	}
	if _, err := e.donate(m.ID, "school", 80, "gift-1"); !errors.Is(err, loyalty.ErrIdempotencyMismatch) {
		e.t.Fatalf("the key again with other points: err = %v", err)
	}
	if _, err := e.donate(m.ID, "school", 20, "gift-2"); err != nil {
		e.t.Fatal(err)
	}
	all, month := e.totals("school", "2026-12")
	if all != (loyalty.CharityTotals{Points: 90, Gifts: 2}) || month != (loyalty.CharityTotals{Points: 90, Gifts: 2, Donors: 1}) {
		e.t.Fatalf("totals after two gifts of one member = %+v, month %+v; want 90 points, 2 gifts, 1 donor", all, month)
	}
	if d := e.donors("school", "2026-12", 10); fmt.Sprint(d) != fmt.Sprint([]loyalty.Donor{{MemberID: m.ID, Gifts: 2, Points: 90}}) {
		e.t.Fatalf("donors = %+v", d)
	}
	got := e.account(m.ID).Member
	if got.GivenThisYear(e.clock.Now()) != 90 || got.GivenThisYear(instant("2027-01-01T00:00:00Z")) != 0 {
		e.t.Fatalf("given this year = %d (next year %d), want 90 (0)", got.GivenThisYear(e.clock.Now()), got.GivenThisYear(instant("2027-01-01T00:00:00Z")))
	}
	e.clock.Set(instant("2027-01-02T10:00:00Z"))
	if _, err := e.donate(m.ID, "school", 30, "gift-3"); err != nil {
		e.t.Fatal(err)
	}
	if got := e.account(m.ID).Member.GivenThisYear(e.clock.Now()); got != 30 {
		e.t.Fatalf("given in 2027 = %d, want 30", got)
	}
	all, month = e.totals("school", "2027-01")
	if all.Points != 120 || month != (loyalty.CharityTotals{Points: 30, Gifts: 1, Donors: 1}) {
		e.t.Fatalf("totals after a gift in January = %+v, month %+v", all, month)
	}
	ledger, _ := e.given("school", "", m.ID)
	if ledger.Points != all.Points || ledger.Gifts != all.Gifts {
		e.t.Fatalf("the ledger gave %+v, the totals say %+v", ledger, all)
	}
}

func testMatchingCap(e *env) {
	// One gift of 1000 points, 1:1 up to 1000 a month: all of it matched.
	e.charity("whole", func(c *loyalty.Charity) { c.Matching = &loyalty.Matching{Ratio: 1, CapPoints: 1000} })
	big := e.enroll("big@example.com")
	e.earn(big.ID, "whole-1", 200_000) // 2000 points
	if r, err := e.donate(big.ID, "whole", 1000, "all"); err != nil || r.Entry.Matched != 1000 {
		e.t.Fatalf("a gift of 1000 with a budget of 1000 = %+v, %v; want 1000 matched", r.Entry, err)
	}
	if r, err := e.donate(big.ID, "whole", 100, "more"); err != nil || r.Entry.Matched != 0 {
		e.t.Fatalf("a gift once the budget is spent = %+v, %v; want none matched", r.Entry, err)
	}

	// Doubled up to 2400 matched points a month: gifts of 50 are matched
	// 100 each until the budget is spent, 24 of them, then none.
	e.charity("rescue", func(c *loyalty.Charity) {
		c.MinPoints, c.Step = 10, 10
		c.Matching = &loyalty.Matching{Ratio: 2, CapPoints: 2430}
	})
	m := e.enroll("matched@example.com")
	e.earn(m.ID, "big", 300_000) // 3000 points
	var matched []int64
	for i := range 40 {
		r, err := e.donate(m.ID, "rescue", 50, fmt.Sprint("m", i))
		if err != nil {
			e.t.Fatal(err)
		}
		if r.Donation.Matched != r.Entry.Matched || r.Donation.MatchedValue.Value != r.Entry.Matched {
			e.t.Fatalf("receipt %+v disagrees with its entry %+v", r.Donation, r.Entry)
		}
		matched = append(matched, r.Entry.Matched)
	}
	all, month := e.totals("rescue", "2026-11")
	ledger, _ := e.given("rescue", "2026-11", m.ID)
	if month.Matched != 2430 || month.Matched != ledger.Matched || all.Matched != ledger.Matched {
		e.t.Fatalf("matched %v: month %+v, all time %+v, ledger %+v; want the cap of 2430 reached, as the ledger says", matched, month, all, ledger)
	}
	want := slices.Concat(slices.Repeat([]int64{100}, 24), []int64{30}, slices.Repeat([]int64{0}, 15))
	if month.Points != 2000 || fmt.Sprint(matched) != fmt.Sprint(want) {
		e.t.Fatalf("gifts %+v matched %v; want 2000 points given, 24 gifts doubled, the 25th matched 30, then none", month, matched)
	}
	// A new month has a new budget.
	e.clock.Set(instant("2026-12-01T00:00:00Z"))
	r, err := e.donate(m.ID, "rescue", 50, "december")
	if err != nil || r.Entry.Matched != 100 {
		e.t.Fatalf("the first gift of December = %+v, %v; want 100 matched", r.Entry, err)
	}
}

// testConcurrentGifts has 500 members give to one matched charity at once,
// 32 at a time. The totals are shards updated in each gift's transaction, so
// they equal the ledger however the gifts interleave, and the matching
// reaches its cap exactly.
func testConcurrentGifts(e *env) {
	const donors, workers = 500, 32
	c := e.charity("campaign", func(c *loyalty.Charity) {
		c.MinPoints, c.Step = 10, 10
		c.Matching = &loyalty.Matching{Ratio: 1, CapPoints: 5000}
	})
	members := make([]string, donors)
	parallel(e, donors, workers, func(i int) error {
		en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Donor", Email: fmt.Sprintf("donor%d@example.com", i)}})
		members[i] = en.Member.ID
		return err
	})
	book := &conflicts{Store: e.store}
	program := loyalty.NewProgram(book, e.clock, nil)
	started := time.Now()
	var points, matched atomic.Int64
	parallel(e, donors, workers, func(i int) error {
		r, err := program.Donate(e.ctx, loyalty.DonateRequest{MemberID: members[i], CharityID: c.ID, Points: int64(10 + 10*(i%5)), Actor: loyalty.Actor{Who: loyalty.WhoMember, MemberID: members[i]}, Key: loyalty.IdemKey{Scope: "donate", Key: members[i]}})
		if err == nil {
			points.Add(-r.Entry.Points)
			matched.Add(r.Entry.Matched)
		}
		return err
	})
	e.t.Logf("%d gifts by %d workers in %s, %d commits retried after a conflict", donors, workers, time.Since(started).Round(time.Millisecond), book.n.Load())

	all, month := e.totals(c.ID, "2026-11")
	wantAll := loyalty.CharityTotals{Points: points.Load(), Matched: matched.Load(), Gifts: donors}
	wantMonth := wantAll
	wantMonth.Donors = donors
	if all != wantAll || month != wantMonth || points.Load() != 15_000 {
		e.t.Fatalf("totals %+v, month %+v; the gifts gave %+v", all, month, wantMonth)
	}
	if month.Matched != 5000 {
		e.t.Fatalf("matched %d, want the cap of 5000 exactly", month.Matched)
	}
	var ledger atomic.Int64
	parallel(e, donors, workers, func(i int) error {
		entries, err := e.store.Ledger(e.ctx, members[i], 0, 10)
		for _, en := range entries {
			if en.Kind == loyalty.KindDonate {
				ledger.Add(-en.Points)
			}
		}
		return err
	})
	if ledger.Load() != all.Points {
		e.t.Fatalf("the ledgers gave %d, the total says %d", ledger.Load(), all.Points)
	}
	lines := e.donors(c.ID, "2026-11", 1000)
	var sum loyalty.CharityTotals
	for _, d := range lines {
		sum = sum.Add(loyalty.CharityTotals{Points: d.Points, Matched: d.Matched, Gifts: d.Gifts, Donors: 1})
	}
	if sum != month {
		e.t.Fatalf("the donors' lines add up to %+v, the month to %+v", sum, month)
	}
}

// conflicts counts the commits refused for a conflict, which the program
// retries.
type conflicts struct {
	store.Store
	n atomic.Int64
}

func (c *conflicts) Commit(ctx context.Context, p loyalty.Posting) error {
	err := c.Store.Commit(ctx, p)
	if errors.Is(err, loyalty.ErrVersionConflict) {
		c.n.Add(1)
	}
	return err
}

// parallel runs fn(0…n-1) on workers goroutines.
func parallel(e *env, n, workers int, fn func(i int) error) {
	e.t.Helper()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := fn(i); err != nil {
					e.t.Errorf("%d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	if e.t.Failed() {
		e.t.FailNow()
	}
}

func testMonthReport(e *env) {
	// 3 points a cent: every gift's value is rounded, the month's is exact.
	c := e.charity("library", func(c *loyalty.Charity) {
		c.PointsPerUnit, c.MinPoints, c.Step = 300, 10, 10
		c.Matching = &loyalty.Matching{Ratio: 1, CapPoints: 150}
	})
	e.charity("other", func(c *loyalty.Charity) { c.MinPoints, c.Step = 10, 10 })
	var members []string
	for i := range 5 {
		m := e.enroll(fmt.Sprintf("reader%d@example.com", i))
		e.earn(m.ID, fmt.Sprint("r", i), 50_000)
		members = append(members, m.ID)
	}
	gift := func(at string, member int, charity string, points int64) {
		e.t.Helper()
		e.clock.Set(instant(at))
		if _, err := e.donate(members[member], charity, points, at+charity); err != nil {
			e.t.Fatal(err)
		}
	}
	gift("2026-11-30T23:59:59Z", 0, "library", 100) // November
	gift("2026-12-01T00:00:00Z", 0, "library", 10)
	gift("2026-12-02T10:00:00Z", 1, "library", 20)
	gift("2026-12-03T10:00:00Z", 1, "library", 40)
	gift("2026-12-04T10:00:00Z", 2, "other", 50)
	gift("2026-12-05T10:00:00Z", 3, "library", 110)
	gift("2026-12-31T23:59:59Z", 4, "library", 70)
	gift("2027-01-01T00:00:00Z", 4, "library", 30) // January

	for _, month := range []string{"2026-11", "2026-12", "2027-01"} {
		m, _ := loyalty.ParseMonth(month)
		r, err := store.MonthReport(e.ctx, e.store, c.ID, m, true)
		if err != nil {
			e.t.Fatal(err)
		}
		ledger, byDonor := e.given(c.ID, month, members...)
		if r.Points != ledger.Points || r.Matched != ledger.Matched || r.Donors != ledger.Donors || r.Gifts != ledger.Gifts {
			e.t.Fatalf("report of %s = %+v, the ledger says %+v", month, r, ledger)
		}
		if r.Value != c.Value(ledger.Points) || r.MatchedValue != c.Value(ledger.Matched) || r.Month != m || r.CharityName != c.Name {
			e.t.Fatalf("report of %s values %d points at %+v and %d matched at %+v", month, r.Points, r.Value, r.Matched, r.MatchedValue)
		}
		if len(r.Lines) != len(byDonor) {
			e.t.Fatalf("report of %s has %d lines for %d donors", month, len(r.Lines), len(byDonor))
		}
		var value, matchedValue int64
		for _, l := range r.Lines {
			if l.Donor != byDonor[l.MemberID] {
				e.t.Fatalf("line %+v, the ledger says %+v", l.Donor, byDonor[l.MemberID])
			}
			value += l.Value.Value
			matchedValue += l.MatchedValue.Value
		}
		if value != r.Value.Value || matchedValue != r.MatchedValue.Value {
			e.t.Fatalf("lines of %s add up to %d and %d, the report says %+v and %+v", month, value, matchedValue, r.Value, r.MatchedValue)
		}
		var buf bytes.Buffer
		if err := r.CSV(&buf); err != nil {
			e.t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != len(r.Lines)+2 {
			e.t.Fatalf("CSV of %s = %q, %v", month, rows, err)
		}
		total := rows[len(rows)-1]
		if total[2] != "TOTAL" || total[4] != strconv.FormatInt(ledger.Points, 10) || total[5] != decimal(r.Value.Value) || total[6] != strconv.FormatInt(ledger.Matched, 10) {
			e.t.Fatalf("CSV total of %s = %q, the ledger says %+v", month, total, ledger)
		}
		var sum int64
		for _, row := range rows[1 : len(rows)-1] {
			cents, _ := strconv.ParseInt(strings.Replace(row[5], ".", "", 1), 10, 64)
			sum += cents
		}
		if sum != r.Value.Value {
			e.t.Fatalf("the CSV's lines of %s add up to %d cents, its total is %s", month, sum, total[5])
		}
	}
	dec, _ := loyalty.ParseMonth("2026-12")
	r, _ := store.MonthReport(e.ctx, e.store, c.ID, dec, false)
	// December: 10+20+40+110+70 = 250 points at 300 a euro, 83 cents; the
	// gifts' own values (3+6+13+36+23) add up to 81.
	if r.Points != 250 || r.Value.Value != 83 || r.Donors != 4 || r.Gifts != 5 || r.Lines != nil {
		e.t.Fatalf("December without lines = %+v", r)
	}
	if lines := e.donors(c.ID, "2026-12", 2); len(lines) != 4 {
		e.t.Fatalf("donors in pages of 2 = %+v", lines)
	}
	if _, err := store.MonthReport(e.ctx, e.store, "nowhere", dec, true); !errors.Is(err, loyalty.ErrCharityNotFound) {
		e.t.Fatalf("report of an unknown charity: err = %v", err)
	}
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func decimal(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func (e *env) plan(memberID string, plan loyalty.DonationPlan) loyalty.DonationPlan {
	e.t.Helper()
	saved, err := e.program.SetDonationPlan(e.ctx, memberID, plan)
	if err != nil {
		e.t.Fatalf("set the plan of %s: %v", memberID, err)
	}
	return saved
}

func (e *env) pledgesDue(d string) []string {
	e.t.Helper()
	return e.listAll("pledges due on "+d, 2, func(cursor string, limit int) ([]string, string, error) {
		return e.store.PledgesDue(e.ctx, day(d), cursor, limit)
	})
}

func testPlans(e *env) {
	e.charity("meals", nil)
	e.charity("gone", func(c *loyalty.Charity) { c.Archived = true })
	m := e.enroll("planner@example.com")
	refused := []struct {
		what string
		plan loyalty.DonationPlan
		want error
	}{
		{"an unknown charity", loyalty.DonationPlan{CharityID: "nowhere", MonthlyPoints: 100}, loyalty.ErrCharityNotFound},
		{"an archived charity", loyalty.DonationPlan{CharityID: "gone", DonateExpiringPoints: true}, loyalty.ErrCharityArchived},
		{"monthly points below the minimum", loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 50}, loyalty.ErrInvalid},
		{"monthly points off the step", loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 155}, loyalty.ErrInvalid},
		{"negative monthly points", loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: -100}, loyalty.ErrInvalid},
		{"nothing to give", loyalty.DonationPlan{CharityID: "meals"}, loyalty.ErrInvalid},
	}
	for _, c := range refused {
		if _, err := e.program.SetDonationPlan(e.ctx, m.ID, c.plan); !errors.Is(err, c.want) {
			e.t.Errorf("a plan with %s: err = %v, want %v", c.what, err, c.want)
		}
	}
	if _, err := e.program.SetDonationPlan(e.ctx, "01NOSUCHMEMBER", loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 100}); !errors.Is(err, loyalty.ErrMemberNotFound) {
		e.t.Errorf("a plan for an unknown member: err = %v", err)
	}
	if e.account(m.ID).Member.Version != 1 {
		e.t.Fatal("a refused plan changed the member")
	}

	saved := e.plan(m.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 100, DonateExpiringPoints: true, NextPledgeOn: day("2000-01-01")})
	if saved.NextPledgeOn != day("2026-11-23") || !saved.UpdatedAt.Equal(Start) {
		e.t.Fatalf("a new plan = %+v, want its first pledge due today", saved)
	}
	acct := e.account(m.ID)
	if p := acct.Member.DonationPlan; p == nil || p.CharityID != "meals" || p.MonthlyPoints != 100 || !p.DonateExpiringPoints || p.NextPledgeOn != saved.NextPledgeOn || !p.UpdatedAt.Equal(Start) || acct.Member.Balance != 50 || len(e.ledger(m.ID)) != 1 {
		e.t.Fatalf("member after the plan = %+v, want the plan and no entry", acct.Member)
	}
	e.wantIDs("pledges due on 2026-11-23", e.pledgesDue("2026-11-23"), []string{m.ID})

	e.clock.Set(Start.AddDate(0, 0, 3))
	if again := e.plan(m.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 200}); again.NextPledgeOn != day("2026-11-23") || again.DonateExpiringPoints {
		e.t.Fatalf("a changed plan = %+v, want the day due kept", again)
	}
	e.plan(m.ID, loyalty.DonationPlan{CharityID: "meals", DonateExpiringPoints: true})
	e.wantIDs("pledges due on 2026-11-23 without monthly points", e.pledgesDue("2026-11-23"), nil)
	e.plan(m.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 100})
	e.wantIDs("pledges due on 2026-11-26", e.pledgesDue("2026-11-26"), []string{m.ID})

	if err := e.program.DeleteDonationPlan(e.ctx, m.ID); err != nil {
		e.t.Fatal(err)
	}
	if got := e.account(m.ID).Member; got.DonationPlan != nil {
		e.t.Fatalf("plan after delete = %+v", got.DonationPlan)
	}
	e.wantIDs("pledges due on 2026-11-26 after delete", e.pledgesDue("2026-11-26"), nil)
	version := e.account(m.ID).Member.Version
	if err := e.program.DeleteDonationPlan(e.ctx, m.ID); err != nil || e.account(m.ID).Member.Version != version {
		e.t.Fatalf("deleting no plan: %v, version %d → %d", err, version, e.account(m.ID).Member.Version)
	}
}

func testPledgeOncePerMonth(e *env) {
	e.charity("meals", nil)
	runner := jobs.New(e.program, e.store)
	runner.PageSize = 1
	rich := e.enroll("rich@example.com")
	e.earn(rich.ID, "r", 100_000)
	poor := e.enroll("poor@example.com") // 50 points
	e.plan(rich.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 200})
	e.plan(poor.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 100})
	e.wantIDs("pledges due on 2026-11-23", e.pledgesDue("2026-11-23"), ids(rich, poor))

	if changed, points := e.runTwice(runner, jobs.NameDonations, instant("2026-11-23T12:00:00Z")); changed != 1 || points != -200 {
		e.t.Fatalf("two donation runs changed %d members for %d points, want 1 and -200", changed, points)
	}
	r, p := e.account(rich.ID).Member, e.account(poor.ID).Member
	if r.PledgedMonth.String() != "2026-11" || r.DonationPlan.NextPledgeOn != day("2026-12-23") || fmt.Sprint(*r.DonationPlan.LastPledge) != fmt.Sprint(loyalty.PledgeResult{Month: r.PledgedMonth, Points: 200, At: instant("2026-11-23T12:00:00Z")}) {
		e.t.Fatalf("the rich member after the run: pledged %s, plan %+v", r.PledgedMonth, r.DonationPlan)
	}
	if p.Balance != 50 || p.DonationPlan.NextPledgeOn != day("2026-12-23") || p.DonationPlan.LastPledge == nil || p.DonationPlan.LastPledge.Skipped != loyalty.SkipInsufficientPoints {
		e.t.Fatalf("the poor member after the run: balance %d, plan %+v; want the month skipped for want of points", p.Balance, p.DonationPlan)
	}
	e.wantIDs("pledges due on 2026-11-23 after the run", e.pledgesDue("2026-11-23"), nil)
	e.wantIDs("pledges due on 2026-12-23", e.pledgesDue("2026-12-23"), ids(rich, poor))

	e.clock.Set(instant("2026-11-23T13:00:00Z"))
	s, err := runner.Run(e.ctx, jobs.NameDonations, instant("2026-11-23T13:00:00Z"))
	if err != nil || s.Changed != 0 || s.Examined != 0 {
		e.t.Fatalf("a rerun = %+v, %v; want nothing to read", s, err)
	}
	// Setting the plan again in a month whose pledge was made leaves it made.
	e.clock.Set(instant("2026-11-25T10:00:00Z"))
	if err := e.program.DeleteDonationPlan(e.ctx, rich.ID); err != nil {
		e.t.Fatal(err)
	}
	if again := e.plan(rich.ID, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 300}); again.NextPledgeOn != day("2026-12-25") {
		e.t.Fatalf("the plan set again = %+v, want the next pledge next month", again)
	}
	if out, err := e.program.DonateMonthly(e.ctx, rich.ID, day("2026-11-25")); err != nil || out.Skipped != loyalty.SkipNotDue {
		e.t.Fatalf("a pledge asked again in November = %+v, %v; want not due", out, err)
	}
	// In December the poor member still has too little, the rich one gives.
	e.earn(poor.ID, "p", 1_000) // 60 points
	if changed, points := e.runTwice(runner, jobs.NameDonations, instant("2026-12-26T00:01:00Z")); changed != 1 || points != -300 {
		e.t.Fatalf("December's runs, a day late for rich: changed %d for %d points, want 1 and -300", changed, points)
	}
	if n := len(e.entriesOf(rich.ID, loyalty.KindDonate)); n != 2 {
		e.t.Fatalf("the rich member made %d gifts in two months, want 2", n)
	}
	if p := e.account(poor.ID).Member; p.Balance != 60 || p.DonationPlan.LastPledge.Month.String() != "2026-12" || p.DonationPlan.NextPledgeOn != day("2027-01-23") {
		e.t.Fatalf("the poor member in December: %+v", p.DonationPlan)
	}
	_, month := e.totals("meals", "2026-12")
	if month != (loyalty.CharityTotals{Points: 300, Gifts: 1, Donors: 1}) {
		e.t.Fatalf("December's totals = %+v", month)
	}
}

func testExpiringGiven(e *env) {
	// The minimum does not hold for expiring points, the step does.
	e.charity("trees", func(c *loyalty.Charity) { c.MinPoints, c.Step = 500, 10 })
	whole := e.enroll("whole@example.com") // 50 expiring on 2027-11-30
	part := e.enroll("part@example.com")
	e.earn(part.ID, "five", 500) // 55 expiring on 2027-11-30
	plain := e.enroll("plain@example.com")
	e.clock.Set(instant("2026-12-10T10:00:00Z"))
	e.earn(whole.ID, "december", 10_000) // 100 expiring on 2027-12-31
	e.plan(whole.ID, loyalty.DonationPlan{CharityID: "trees", DonateExpiringPoints: true})
	e.plan(part.ID, loyalty.DonationPlan{CharityID: "trees", DonateExpiringPoints: true})

	runner := jobs.New(e.program, e.store)
	runner.PageSize = 2
	e.clock.Set(instant("2027-11-30T23:00:00Z"))
	if s, err := runner.Run(e.ctx, jobs.NameDonations, instant("2027-11-30T23:00:00Z")); err != nil || s.Changed != 0 {
		e.t.Fatalf("a run on the lot's last day = %+v, %v; want nothing given", s, err)
	}
	if changed, points := e.runTwice(runner, jobs.NameDonations, instant("2027-12-01T00:01:00Z")); changed != 2 || points != -100 {
		e.t.Fatalf("two donation runs changed %d members for %d points, want 2 and -100", changed, points)
	}
	e.wantIDs("lots expiring on 2027-11-30 after the donations", e.expiring("2027-11-30", 10), ids(part, plain))
	s, err := runner.Run(e.ctx, jobs.NameExpiry, instant("2027-12-01T00:05:00Z"))
	if err != nil || s.Changed != 2 || s.Points != -55 {
		e.t.Fatalf("expiry after the donations = %+v, %v; want part's 5 and plain's 50", s, err)
	}
	if n := len(e.entriesOf(whole.ID, loyalty.KindExpire)); n != 0 {
		e.t.Fatalf("the whole lot given still expired %d times", n)
	}
	w := e.account(whole.ID)
	if fmt.Sprint(w.Lots) != "[{2027-12-31 100}]" || w.Member.GivenThisYear(instant("2027-12-01T00:01:00Z")) != 50 {
		e.t.Fatalf("whole after the runs: lots %v, given %+v", w.Lots, w.Member.Giving)
	}
	gifts := e.entriesOf(part.ID, loyalty.KindDonate)
	if len(gifts) != 1 || gifts[0].Points != -50 || gifts[0].Actor != "program" || e.account(part.ID).Member.Balance != 0 {
		e.t.Fatalf("part's gifts = %+v, want one of 50 and the 5 short of a step expired", gifts)
	}
	all, month := e.totals("trees", "2027-12")
	if all.Points != 100 || month != (loyalty.CharityTotals{Points: 100, Gifts: 2, Donors: 2}) {
		e.t.Fatalf("trees' totals = %+v, month %+v", all, month)
	}
	if slices.ContainsFunc(e.ledger(plain.ID), func(en loyalty.LedgerEntry) bool { return en.Kind == loyalty.KindDonate }) {
		e.t.Fatal("a member without a plan gave")
	}
}
