package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var segmentTests = []struct {
	name string
	fn   func(*env)
}{
	{"the nightly quintiles and the segments' counts equal what every member says, month after month", testSegments},
}

// testSegments drives fifteen months of purchases, refunds and gifts of
// forty members through the Program, runs the segments job every so often,
// and holds its quintiles to sorting every member, and the report's count
// of each segment to the members Segment.Matches.
func testSegments(e *env) {
	sh := e.newShoppers(40)
	runner := jobs.New(e.program, e.store)
	for day := 40; day < 460; day += 3 {
		e.shop(sh, day)
		if day%30 == 1 {
			e.checkSegments(runner)
		}
	}
}

// shoppers are members whose purchases, refunds and gifts a test draws at
// random, always the same.
type shoppers struct {
	rng      *rand.Rand
	ids      []string
	earnings [][]loyalty.LedgerEntry
}

// newShoppers enrolls n members, one a day from Start, and the charity they
// give to.
func (e *env) newShoppers(n int) *shoppers {
	e.t.Helper()
	sh := &shoppers{rng: rand.New(rand.NewPCG(4, 17))}
	for i := range n {
		e.clock.Set(Start.AddDate(0, 0, i))
		m := e.enroll(fmt.Sprintf("segment%02d@example.com", i))
		sh.ids, sh.earnings = append(sh.ids, m.ID), append(sh.earnings, nil)
	}
	charity, err := loyalty.PrepareCharity(loyalty.Charity{ID: "trees", Name: "Trees", PointsPerUnit: 100, Currency: "EUR", MinPoints: 10, Step: 10}, nil, Start)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SaveCharity(e.ctx, charity); err != nil {
		e.t.Fatal(err)
	}
	return sh
}

// shop sets the clock to day days after Start and makes up to five changes
// of the shoppers.
func (e *env) shop(sh *shoppers, day int) {
	e.t.Helper()
	e.clock.Set(Start.AddDate(0, 0, day))
	rng, ids := sh.rng, sh.ids
	for range rng.IntN(6) {
		i := rng.IntN(len(ids) / 2) // half the members buy, the others drift away
		if i%3 == 0 {
			i = rng.IntN(len(ids))
		}
		switch n := rng.IntN(10); {
		case n == 0 && len(sh.earnings[i]) > 0:
			tx := sh.earnings[i][rng.IntN(len(sh.earnings[i]))].TxID()
			if _, err := e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: tx, Amount: &loyalty.Money{Value: 100, Currency: "EUR"}, Actor: Till, Key: loyalty.IdemKey{Scope: "refund", Key: fmt.Sprint(day, n, i)}}); err != nil && !isRefusal(err) {
				e.t.Fatalf("refund %s: %v", tx, err)
			}
		case n == 1:
			if _, err := e.donate(ids[i], "trees", 10, fmt.Sprint("gift", day, i)); err != nil && !isRefusal(err) {
				e.t.Fatalf("gift: %v", err)
			}
		default:
			store := []string{"paris", "lyon"}[rng.IntN(2)]
			r, err := e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: ids[i], Amount: loyalty.Money{Value: int64(200 + rng.IntN(30_000)), Currency: "EUR"}, StoreID: store, ReceiptID: fmt.Sprint("r", day, i, rng.Int()), Actor: Till, Confirmed: true})
			if err != nil {
				e.t.Fatalf("earn: %v", err)
			}
			sh.earnings[i] = append(sh.earnings[i], r.Entry)
		}
	}
}

// checkSegments runs the segments job twice (the second finds nothing to
// fold), and holds its quintiles to sorting every member, and the report's
// count of each segment to the members Segment.Matches.
func (e *env) checkSegments(runner *jobs.Runner) { e.checkSegmentsOf(runner, true) }

// checkSegmentsOf is checkSegments, of the segment counters alone unless
// withStats: the members and their tiers are the stats' counters, which a
// table written before them lacks.
func (e *env) checkSegmentsOf(runner *jobs.Runner, withStats bool) {
	e.t.Helper()
	today := loyalty.DateOf(e.clock.Now())
	first, err := runner.Run(e.ctx, jobs.NameSegments, e.clock.Now())
	if err != nil {
		e.t.Fatalf("segments run on %s: %v", today, err)
	}
	again, err := runner.Run(e.ctx, jobs.NameSegments, e.clock.Now())
	if err != nil || again.Changed != 0 {
		e.t.Fatalf("a rerun on %s folded %d counters (first %d), %v", today, again.Changed, first.Changed, err)
	}
	members := e.allMembers()
	q, err := e.store.Quintiles(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if want := sortedQuintiles(members, today); q != want {
		e.t.Fatalf("on %s the job saved %+v, sorting every member gives %+v", today, q, want)
	}
	report := e.segmentReport(q, today)
	if withStats && report.Members != int64(len(members)) {
		e.t.Errorf("on %s the report counts %d members, there are %d", today, report.Members, len(members))
	}
	for _, sc := range report.Segments {
		if sc.Segment.Tier != "" && !withStats {
			continue
		}
		var want int64
		for _, m := range members {
			if sc.Segment.Matches(m, q, today) {
				want++
			}
		}
		if sc.Members != want {
			e.t.Errorf("on %s segment %+v counts %d members, %d match it", today, sc.Segment, sc.Members, want)
		}
	}
}

// segmentReport counts the segments as GET /v1/admin/segments does.
func (e *env) segmentReport(q loyalty.Quintiles, today loyalty.Date) loyalty.SegmentReport {
	e.t.Helper()
	stats, err := e.store.StatsCounters(e.ctx, today)
	if err != nil {
		e.t.Fatal(err)
	}
	segments, err := e.store.SegmentCounters(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return loyalty.NewSegmentReport(loyalty.SegmentCounts(stats, segments), q, today)
}

func (e *env) allMembers() []loyalty.Member {
	e.t.Helper()
	var all []loyalty.Member
	cursor := ""
	for {
		page, next, err := e.store.ExportMembers(e.ctx, cursor, 100)
		if err != nil {
			e.t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// sortedQuintiles computes the quintiles the slow way: every member's
// values, sorted, the one at rank ⌊k·n/5⌋.
func sortedQuintiles(members []loyalty.Member, today loyalty.Date) loyalty.Quintiles {
	var r, f, m []int
	for _, mem := range members {
		a := mem.Activity
		if !a.HasPurchased() {
			continue
		}
		w := a.Window(today)
		r, f, m = append(r, a.RecencyMonths(today)), append(f, loyalty.FrequencyBin(w.Purchases)), append(m, loyalty.SpendBin(w.Spend))
	}
	q := loyalty.Quintiles{ComputedOn: today, Members: int64(len(r))}
	for i, values := range [][]int{r, f, m} {
		slices.Sort(values)
		for k := range 4 {
			if len(values) > 0 {
				[]*[4]int{&q.Recency, &q.Frequency, &q.Monetary}[i][k] = values[(k+1)*len(values)/5]
			}
		}
	}
	return q
}

// isRefusal: a refund of more than is left, or a gift beyond the balance,
// which the random drive may ask for.
func isRefusal(err error) bool {
	return errors.Is(err, loyalty.ErrRefundExceedsRemaining) || errors.Is(err, loyalty.ErrAlreadyReversed) || errors.Is(err, loyalty.ErrInsufficientPoints) || errors.Is(err, loyalty.ErrInvalid)
}

// RunSegmentCountersMove checks the migration to schema version 5 on a
// store that open returns empty: toLegacy must move every segment counter
// of the store where the builds before version 5 kept them, in the stats'
// all-time items of their shard, and record version 4. The segments count
// right before the migration, after it, after a second run, and after more
// changes.
func RunSegmentCountersMove(t *testing.T, open func(t *testing.T) store.Store, toLegacy func(t *testing.T, s store.Store)) {
	s := open(t)
	clock := NewClock(Start)
	e := &env{t: t, store: s, program: loyalty.NewProgram(s, clock, nil), clock: clock, ctx: context.Background()}
	sh := e.newShoppers(20)
	runner := jobs.New(e.program, e.store)
	for day := 20; day < 140; day += 2 {
		e.shop(sh, day)
		if day == 70 {
			e.checkSegments(runner) // a base item and months after it
		}
	}
	e.checkSegments(runner)
	toLegacy(t, s)
	if segments, err := s.SegmentCounters(e.ctx); err != nil || len(segments) != 0 {
		t.Fatalf("segment counters after toLegacy = %v, %v; want none", segments, err)
	}
	e.shop(sh, 141) // in the days between the deploy and the migration
	e.checkSegments(runner)
	legacy := e.legacyTotals()
	if legacy == 0 {
		t.Fatal("toLegacy left no segment counter in the all-time items")
	}

	// The members, enrolled with their activity, have nothing to rebuild
	// (schema version 6).
	sum, err := runner.Migrate(e.ctx, s, true)
	if err != nil || sum.From != 4 || sum.To != store.SchemaVersion || sum.Migrations[0].Version != 5 || sum.Migrations[0].Items != legacy || sum.Migrations[1].Changed != 0 {
		t.Fatalf("dry run = %+v, %v; want 4 → %d with %d items to move", sum, err, store.SchemaVersion, legacy)
	}
	if n := e.legacyTotals(); n != legacy {
		t.Fatalf("after a dry run %d all-time items hold segment counters, want %d", n, legacy)
	}
	sum, err = runner.Migrate(e.ctx, s, false)
	if err != nil || sum.To != store.SchemaVersion || sum.Migrations[0].Items != legacy || sum.Migrations[1].Changed != 0 {
		t.Fatalf("migration = %+v, %v; want 4 → %d moving %d items", sum, err, store.SchemaVersion, legacy)
	}
	if n := e.legacyTotals(); n != 0 {
		t.Fatalf("after the migration %d all-time items hold segment counters", n)
	}
	e.checkSegments(runner)
	if n, err := s.MoveSegmentCounters(e.ctx, false); err != nil || n != 0 {
		t.Fatalf("the move again moved %d items, %v; want none", n, err)
	}
	for day := 142; day < 200; day += 2 {
		e.shop(sh, day)
	}
	e.checkSegments(runner)
}

// legacyTotals counts the all-time items that hold segment counters.
func (e *env) legacyTotals() int {
	e.t.Helper()
	stats, err := e.store.StatsCounters(e.ctx, loyalty.DateOf(e.clock.Now()))
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, c := range stats {
		if c.Day.IsZero() && len(loyalty.LegacySegmentCounters(c.Counts)) > 0 {
			n++
		}
	}
	return n
}

// RunSegmentCountersSplit checks the migration to schema version 7 on a
// store that open returns empty: toVersion5 must move every segment counter
// of the store to the items schema version 5 kept them in, and record
// version 6. The segments count right before the migration (a nightly run
// folding those items too), after it, after a second run, and after more
// changes.
func RunSegmentCountersSplit(t *testing.T, open func(t *testing.T) store.Store, toVersion5 func(t *testing.T, s store.Store) int) {
	s := open(t)
	clock := NewClock(Start)
	e := &env{t: t, store: s, program: loyalty.NewProgram(s, clock, nil), clock: clock, ctx: context.Background()}
	sh := e.newShoppers(20)
	runner := jobs.New(e.program, e.store)
	for day := 20; day < 140; day += 2 {
		e.shop(sh, day)
		if day == 70 {
			e.checkSegments(runner)
		}
	}
	old := toVersion5(t, s)
	if old == 0 {
		t.Fatal("toVersion5 wrote no item")
	}
	e.shop(sh, 141) // in the days between the deploy and the migration
	sum, err := runner.Migrate(e.ctx, s, true)
	if last := sum.Migrations[len(sum.Migrations)-1]; err != nil || sum.From != 6 || last.Version != 7 || last.Items != old {
		t.Fatalf("dry run = %+v, %v; want 6 → 7 splitting %d items", sum, err, old)
	}
	e.checkSegments(runner) // folds the items of months gone, whatever their version
	sum, err = runner.Migrate(e.ctx, s, false)
	if err != nil || sum.To != store.SchemaVersion {
		t.Fatalf("migration = %+v, %v; want 6 → %d", sum, err, store.SchemaVersion)
	}
	e.checkSegments(runner)
	if n, err := s.SplitSegmentCounters(e.ctx, false); err != nil || n != 0 {
		t.Fatalf("the split again split %d items, %v; want none", n, err)
	}
	for day := 142; day < 200; day += 2 {
		e.shop(sh, day)
	}
	e.checkSegments(runner)
}
