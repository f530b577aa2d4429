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
