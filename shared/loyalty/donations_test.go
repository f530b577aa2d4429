package loyalty

import (
	"fmt"
	"testing"
	"time"
)

func TestGivingCountsADonorOncePerCharityAndMonth(t *testing.T) {
	var m Member
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := []struct {
		at      string
		charity string
		points  int64
		new     bool
	}{
		{"2027-03-01T10:00:00Z", "a", 100, true},
		{"2027-03-05T10:00:00Z", "a", 50, false},
		{"2027-03-06T10:00:00Z", "b", 10, true},
		{"2027-04-01T00:00:00Z", "a", 20, true}, // a new month
		{"2028-01-01T00:00:00Z", "a", 30, true}, // a new year
	}
	for _, s := range steps {
		if got := m.Giving.add(at(s.at), s.charity, s.points); got != s.new {
			t.Fatalf("gift at %s to %s: new donor %v, want %v", s.at, s.charity, got, s.new)
		}
	}
	if got := m.GivenThisYear(at("2028-06-01T00:00:00Z")); got != 30 {
		t.Fatalf("given in 2028 = %d, want 30", got)
	}
	if got := m.GivenThisYear(at("2027-12-31T23:00:00Z")); got != 0 {
		t.Fatalf("given in 2027, asked with 2028's counter = %d, want 0 (the counter holds the latest year)", got)
	}
}

func TestPledgeDayAfter(t *testing.T) {
	for _, tc := range []struct {
		today string
		day   int
		want  string
	}{
		{"2027-03-10", 10, "2027-04-10"},
		{"2027-01-31", 31, "2027-02-28"},
		{"2027-12-05", 3, "2028-01-03"},
		{"2027-11-30", 28, "2027-12-28"},
	} {
		today, _ := ParseDate(tc.today)
		if got := pledgeDayAfter(today, tc.day).String(); got != tc.want {
			t.Errorf("pledgeDayAfter(%s, %d) = %s, want %s", tc.today, tc.day, got, tc.want)
		}
	}
}

func TestShardsSpreadGifts(t *testing.T) {
	seen := map[int]int{}
	for i := range 1600 {
		n := shardOf(fmt.Sprintf("01MEMBER%06d", i), 2)
		if n < 0 || n >= CharityShards {
			t.Fatalf("shard %d out of range", n)
		}
		seen[n]++
	}
	for n := range CharityShards {
		if seen[n] < 50 {
			t.Fatalf("shard %d got %d gifts of 1600: %v", n, seen[n], seen)
		}
	}
}
