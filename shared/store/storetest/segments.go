package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
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
	rng := rand.New(rand.NewPCG(4, 17))
	var ids []string
	var earnings [][]loyalty.LedgerEntry
	for i := range 40 {
		e.clock.Set(Start.AddDate(0, 0, i))
		m := e.enroll(fmt.Sprintf("segment%02d@example.com", i))
		ids, earnings = append(ids, m.ID), append(earnings, nil)
	}
	charity, err := loyalty.PrepareCharity(loyalty.Charity{ID: "trees", Name: "Trees", PointsPerUnit: 100, Currency: "EUR", MinPoints: 10, Step: 10}, nil, Start)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SaveCharity(e.ctx, charity); err != nil {
		e.t.Fatal(err)
	}
	runner := jobs.New(e.program, e.store)
	for day := 40; day < 460; day += 3 {
		e.clock.Set(Start.AddDate(0, 0, day))
		for range rng.IntN(6) {
			i := rng.IntN(len(ids) / 2) // half the members buy, the others drift away
			if i%3 == 0 {
				i = rng.IntN(len(ids))
			}
			switch n := rng.IntN(10); {
			case n == 0 && len(earnings[i]) > 0:
				tx := earnings[i][rng.IntN(len(earnings[i]))].TxID()
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
				earnings[i] = append(earnings[i], r.Entry)
			}
		}
		if day%30 != 1 {
			continue
		}
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
		counters, err := e.store.StatsCounters(e.ctx, today)
		if err != nil {
			e.t.Fatal(err)
		}
		report := loyalty.NewSegmentReport(loyalty.SegmentCounts(counters), q, today)
		if report.Members != int64(len(members)) {
			e.t.Errorf("on %s the report counts %d members, there are %d", today, report.Members, len(members))
		}
		for _, sc := range report.Segments {
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
