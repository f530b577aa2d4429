package loyalty

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// population replays two years of random purchases and refunds of many
// members, keeping the segment counters as the commits do (an item per
// month of changes), folding them as the nightly job does.
type population struct {
	members map[string]Member
	items   map[string]map[string]int64 // by SegmentCounters.Month
}

func (p *population) change(t *testing.T, id string, now time.Time, entries func(d *draft)) {
	t.Helper()
	m, exists := p.members[id]
	if !exists {
		m = Member{ID: id, CreatedAt: now, Tier: Bronze}
	}
	d := newDraft(Account{Member: m}, now, nil)
	entries(d)
	d.recordActivity()
	var before *Member
	if exists {
		before = &m
	}
	month := SegmentMonth(d.today)
	if p.items[month] == nil {
		p.items[month] = map[string]int64{}
	}
	for name, n := range segmentCounts(before, d.m, d.today) {
		p.items[month][name] += n
	}
	p.members[id] = d.m
}

func (p *population) fold(today Date) {
	if p.items[SegmentBase] == nil {
		p.items[SegmentBase] = map[string]int64{}
	}
	base := p.items[SegmentBase]
	for month, counts := range p.items {
		for from, to := range SegmentFolds(SegmentCounters{Month: month, Counts: counts}, today) {
			n := counts[from]
			delete(counts, from)
			base[to] += n
		}
		if len(counts) == 0 && month != SegmentBase {
			delete(p.items, month)
		}
	}
}

// counters sums every item, as a report reads them.
func (p *population) counters() map[string]int64 {
	var items []SegmentCounters
	for month, counts := range p.items {
		items = append(items, SegmentCounters{Month: month, Counts: counts})
	}
	return SegmentCounts(nil, items)
}

// sortedQuintiles computes the quintiles the slow way: every member's
// values, sorted.
func sortedQuintiles(members map[string]Member, today Date) Quintiles {
	var r, f, m []int
	for _, mem := range members {
		a := mem.Activity
		if !a.HasPurchased() {
			continue
		}
		w := a.Window(today)
		r, f, m = append(r, a.RecencyMonths(today)), append(f, FrequencyBin(w.Purchases)), append(m, SpendBin(w.Spend))
	}
	q := Quintiles{ComputedOn: today, Members: int64(len(r))}
	for i, values := range [][]int{r, f, m} {
		slices.Sort(values)
		for k := range 4 {
			if len(values) == 0 {
				continue
			}
			v := values[(k+1)*len(values)/5]
			[]*[4]int{&q.Recency, &q.Frequency, &q.Monetary}[i][k] = v
		}
	}
	return q
}

func TestQuintilesFromHistogramsEqualSortingEveryMember(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 4))
	p := &population{members: map[string]Member{}, items: map[string]map[string]int64{}}
	start := time.Date(2025, time.January, 1, 10, 0, 0, 0, time.UTC)
	stores := []string{"paris-1", "paris-2", "lyon-1"}
	earnings := map[string][]LedgerEntry{}
	for day := range 730 {
		now := start.AddDate(0, 0, day)
		for range rng.IntN(12) {
			id := fmt.Sprintf("m%03d", rng.IntN(300))
			if rng.IntN(10) == 0 && len(earnings[id]) > 0 { // a whole or partial refund
				e := earnings[id][rng.IntN(len(earnings[id]))]
				part := e.Amount.Value
				if rng.IntN(2) == 0 {
					part /= 2
				}
				p.change(t, id, now, func(d *draft) {
					d.refundOf, d.reversed = e, Reversed{Amount: part}
					d.entries = append(d.entries, LedgerEntry{Kind: KindReversal, Amount: &Money{Value: part, Currency: "EUR"}, Ref: Reference{Reverses: e.Seq, StoreID: e.Ref.StoreID}})
				})
				continue
			}
			e := LedgerEntry{Kind: KindEarn, Amount: &Money{Value: int64(rng.IntN(20_000)), Currency: "EUR"}, Ref: Reference{StoreID: stores[rng.IntN(len(stores))]}, CreatedAt: now}
			p.change(t, id, now, func(d *draft) { d.entries = append(d.entries, e) })
			earnings[id] = append(earnings[id], e)
		}
		today := DateOf(now)
		if day%7 == 3 {
			p.fold(today)
		}
		if day%61 == 0 || day == 729 {
			got := QuintilesOf(HistogramsOf(p.counters(), today), today)
			want := sortedQuintiles(p.members, today)
			if got != want {
				t.Fatalf("on %s the histograms give %+v, sorting every member %+v", today, got, want)
			}
		}
	}
	// Long after the last purchase, every window is empty.
	later := DateOf(start.AddDate(3, 0, 0))
	got, want := QuintilesOf(HistogramsOf(p.counters(), later), later), sortedQuintiles(p.members, later)
	if got != want || got.Frequency != [4]int{} || got.Recency != [4]int{MaxRecencyMonths, MaxRecencyMonths, MaxRecencyMonths, MaxRecencyMonths} {
		t.Fatalf("a year after the last purchase the histograms give %+v, sorting %+v", got, want)
	}
	if n := len(p.counters()); n > 2000 {
		t.Errorf("%d counters after folding; the fold should keep them few", n)
	}
	if len(p.items) > 2 {
		t.Errorf("%d items after folding, want the base and the last fold's month", len(p.items))
	}
}
