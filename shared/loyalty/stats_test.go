package loyalty

import (
	"testing"
	"time"
)

// TestActiveMembersFromEarningDays earns for two members on chosen days,
// through the drafts the Program commits, and checks each day's active
// members against the definition: an earning on one of the 30 days up to it.
func TestActiveMembersFromEarningDays(t *testing.T) {
	start := time.Date(2026, time.November, 1, 12, 0, 0, 0, time.UTC)
	earnings := map[string][]int{
		"01KAAAAAAAAAAAAAAAAAAAAAAA": {0, 5, 5, 29, 30, 70},
		"01KBBBBBBBBBBBBBBBBBBBBBBB": {3, 34, 90},
	}
	var counters []StatsCounters
	for id, days := range earnings {
		m := Member{ID: id, Tier: Bronze, Version: 1}
		for _, day := range days {
			acct := Account{Member: m}
			if m.Balance > 0 {
				acct.Lots = []Lot{{Date{2030, 1, 1}, m.Balance}}
			}
			d := newDraft(acct, start.AddDate(0, 0, day), NewRandomIDs())
			if err := d.credit(Date{2030, 1, 1}, LedgerEntry{Kind: KindEarn, Points: 1, Amount: &Money{100, "EUR"}, Ref: Reference{StoreID: "paris"}}); err != nil {
				t.Fatal(err)
			}
			p, err := d.posting()
			if err != nil {
				t.Fatal(err)
			}
			m = p.Member
			counters = append(counters, StatsCounters{Day: p.Stats.Day, Shard: p.Stats.Shard, Counts: p.Stats.Counts}, StatsCounters{Shard: p.Stats.Shard, Counts: p.Stats.AllTime()})
		}
	}
	from := DateOf(start)
	report := NewStatsReport(from, from.AddDays(129), counters, DefaultRules())
	for i, day := range report.Days {
		var want int64
		for _, days := range earnings {
			for _, e := range days {
				if e <= i && i-e < StatsWindowDays {
					want++
					break
				}
			}
		}
		if day.ActiveMembers != want {
			t.Errorf("day %d (%s): %d active members, want %d", i, day.Day, day.ActiveMembers, want)
		}
	}
	if got := report.Total.Earnings; got != 9 {
		t.Errorf("%d earnings in total, want 9", got)
	}
	if got := report.Total.Stores["paris"]; got != (StoreFigures{Earnings: 9, Points: 9}) {
		t.Errorf("paris: %+v", got)
	}
}
