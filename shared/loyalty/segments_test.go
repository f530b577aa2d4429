package loyalty

import (
	"errors"
	"testing"
	"time"
)

func TestSegmentValidateRefusesWhatDoesNotExist(t *testing.T) {
	shops := []Shop{{ID: "paris-1"}}
	for _, tc := range []struct {
		name string
		seg  Segment
		ok   bool
	}{
		{"the zero segment is everyone", Segment{}, true},
		{"a known tier, class and store", Segment{Tier: Gold, Class: ClassAtRisk, Store: "paris-1", InactiveDays: 60, BirthdayMonth: 12, Donors: true, Referrers: true}, true},
		{"an unknown tier", Segment{Tier: "diamond"}, false},
		{"a tier in capitals", Segment{Tier: "Gold"}, false},
		{"an unknown class", Segment{Class: "whales"}, false},
		{"an unknown store", Segment{Store: "lyon-9"}, false},
		{"negative inactive days", Segment{InactiveDays: -1}, false},
		{"inactive days past ten years", Segment{InactiveDays: MaxInactiveDays + 1}, false},
		{"month 13", Segment{BirthdayMonth: 13}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.seg.Validate(shops)
			if tc.ok != (err == nil) {
				t.Fatalf("Validate(%+v) = %v, want ok=%v", tc.seg, err, tc.ok)
			}
			if err != nil && (!errors.Is(err, ErrInvalidSegment) || errors.Is(err, ErrInvalid)) {
				t.Errorf("error %v is not ErrInvalidSegment alone", err)
			}
		})
	}
}

func TestSegmentMatchesEveryConditionTogether(t *testing.T) {
	today := Date{2026, time.June, 15}
	regular := Member{
		Tier: Gold, Birthday: Date{1990, time.March, 3}, CreatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Activity: Activity{
			LastPurchaseOn: Date{2026, time.April, 10},
			Months:         map[string]MonthActivity{"2026-04": {Purchases: 6, Spend: 30_000}, "2026-01": {Purchases: 6, Spend: 20_000}},
			Stores:         map[string]int64{"paris-1": 9, "lyon-1": 3}, TopStore: "paris-1",
			Donor: true, Referrals: 2,
		},
	}
	newcomer := Member{Tier: Bronze, CreatedAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	q := Quintiles{Recency: [4]int{0, 0, 1, 1}, Frequency: [4]int{1, 2, 4, 8}, Monetary: [4]int{3, 5, 7, 9}}
	for _, tc := range []struct {
		name string
		seg  Segment
		m    Member
		want bool
	}{
		{"everyone matches the zero segment", Segment{}, newcomer, true},
		{"the tier", Segment{Tier: Gold}, regular, true},
		{"another tier", Segment{Tier: Silver}, regular, false},
		{"inactive 60 days: last bought 66 days ago", Segment{InactiveDays: 60}, regular, true},
		{"inactive 70 days: not yet", Segment{InactiveDays: 70}, regular, false},
		{"a member who never bought is inactive since enrollment", Segment{InactiveDays: 15}, newcomer, false},
		{"the usual store", Segment{Store: "paris-1"}, regular, true},
		{"a store visited less", Segment{Store: "lyon-1"}, regular, false},
		{"the birthday month", Segment{BirthdayMonth: 3}, regular, true},
		{"no birthday matches no month", Segment{BirthdayMonth: 1}, newcomer, false},
		{"donors", Segment{Donors: true}, regular, true},
		{"donors leave out who never gave", Segment{Donors: true}, newcomer, false},
		{"referrers", Segment{Referrers: true}, regular, true},
		{"referrers leave out who brought no one", Segment{Referrers: true}, newcomer, false},
		{"the class: 12 purchases, 2 months ago", Segment{Class: ClassAtRisk}, regular, true},
		{"a member who never bought has no class", Segment{Class: ClassLost}, newcomer, false},
		{"all conditions must hold", Segment{Tier: Gold, Store: "paris-1", Donors: true, InactiveDays: 90}, regular, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.seg.Matches(tc.m, q, today); got != tc.want {
				t.Errorf("Matches(%+v) = %v, want %v (class %q)", tc.seg, got, tc.want, q.ClassOf(tc.m.Activity, today))
			}
		})
	}
}

func TestClassOfScoresNamesEveryCell(t *testing.T) {
	seen := map[Class]bool{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			seen[ClassOfScores(r, f)] = true
		}
	}
	for _, c := range Classes {
		if !seen[c] {
			t.Errorf("no scores give the class %q", c)
		}
	}
	if got := ClassOfScores(5, 5); got != ClassChampions {
		t.Errorf("R5 F5 is %q, want champions", got)
	}
	if got := ClassOfScores(1, 1); got != ClassLost {
		t.Errorf("R1 F1 is %q, want lost", got)
	}
}
