package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// TestCountersOfEveryMemberAreOneItemADay earns for members of many shards
// and finds the day's counters and all time's on one item each, which a
// group of changes writes as one page; the counters of shards written by an
// older build are read beside them.
func TestCountersOfEveryMemberAreOneItemADay(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	day := loyalty.DateOf(now)
	err := s.update(nil, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketStats), statsDayKey(day, 41), map[string]int64{"earnings": 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	program := loyalty.NewProgram(s, fixedClock(now), nil)
	shards := map[int]bool{}
	for i := range 16 {
		en, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Stats", Email: fmt.Sprintf("stats%d@example.com", i)}})
		if err != nil {
			t.Fatal(err)
		}
		shards[loyalty.StatsShardOf(en.Member.ID)] = true
		_, err = program.Earn(ctx, loyalty.EarnRequest{MemberID: en.Member.ID, Amount: loyalty.Money{Value: 1000, Currency: "EUR"}, StoreID: "paris", ReceiptID: fmt.Sprint("r", i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(shards) < 2 {
		t.Fatalf("the members fell on %d shard: the test needs several", len(shards))
	}
	counters, err := s.StatsCounters(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	earnings := int64(0)
	for _, c := range counters {
		items = append(items, fmt.Sprintf("%s/%d", c.Day, c.Shard))
		if !c.Day.IsZero() {
			earnings += c.Counts["earnings"]
		}
	}
	want := fmt.Sprintf("[%s/0 %s/41 /0]", day, day)
	if fmt.Sprint(items) != want || earnings != 17 {
		t.Fatalf("counter items %v counting %d earnings on the day; want %s and 17, members on %d shards", items, earnings, want, len(shards))
	}
}

// The counters of a group's postings are written once, at the end of its
// transaction, but before any other write of the group, which may read
// them: here the fold of the month's counters into the base sees the two
// postings before it, not the one after.
func TestTheCountersOfAGroupAreWrittenBeforeAWriteThatReadsThem(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	day := loyalty.Date{Year: 2026, Month: 3, Day: 14}
	month := loyalty.SegmentMonth(day)
	posting := func(id string) loyalty.Posting {
		p := newMember(id, id+"@example.com")
		p.Stats = loyalty.StatsChange{Day: day, Counts: map[string]int64{"earned": 5}, Segments: map[string]int64{"tier:gold": 1}}
		return p
	}
	release := holdLead(t, s)
	outcomes := queue(s,
		func() error { return s.Commit(ctx, posting("ada")) },
		func() error { return s.Commit(ctx, posting("bob")) },
		func() error { return s.FoldSegmentCounters(ctx, 0, month, map[string]string{"tier:gold": "tier:gold"}) },
		func() error { return s.Commit(ctx, posting("cid")) },
	)
	release()
	for i, o := range outcomes {
		if err := <-o; err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	counters, err := s.SegmentCounters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, c := range counters {
		got[c.Month] = c.Counts["tier:gold"]
	}
	if got[loyalty.SegmentBase] != 2 || got[month] != 1 {
		t.Errorf("tier:gold = %v; want 2 folded into the base and 1 in %s", got, month)
	}
	stats, err := s.StatsCounters(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	var earned int64
	for _, c := range stats {
		if c.Day == day {
			earned += c.Counts["earned"]
		}
	}
	if earned != 15 {
		t.Errorf("earned on %s = %d, want 15: each posting's 5", day, earned)
	}
}
