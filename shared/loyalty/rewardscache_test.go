package loyalty

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// storedRewards is the rewards partition of a store, counting its reads.
type storedRewards struct {
	rewards []Reward
	err     error
	reads   int
}

func (s *storedRewards) Rewards(ctx context.Context) ([]Reward, error) {
	s.reads++
	return slices.Clone(s.rewards), s.err
}

func newRewardsCache(t *testing.T, rewards ...Reward) (*RewardsCache, *storedRewards, *settableClock) {
	t.Helper()
	stored := &storedRewards{rewards: rewards}
	clock := &settableClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	return NewRewardsCache(stored, clock), stored, clock
}

// offered is the list the cache answers, as "id:points" in its order.
func offered(t *testing.T, c *RewardsCache) []string {
	t.Helper()
	rs, err := c.Rewards(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s:%d", r.ID, r.Points))
	}
	return out
}

func TestRewardsCache(t *testing.T) {
	v1 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	coffee := Reward{ID: "coffee", Points: 100, UpdatedAt: v1}
	cake := Reward{ID: "cake", Points: 250, UpdatedAt: v1}

	t.Run("queries the store once for any number of scans within RewardsMaxAge", func(t *testing.T) {
		c, stored, clock := newRewardsCache(t, coffee, cake)
		start := clock.now
		for i := range 1000 {
			clock.now = start.Add(time.Duration(i) * (RewardsMaxAge - time.Millisecond) / 1000)
			offered(t, c)
		}
		if stored.reads != 1 {
			t.Fatalf("%d queries of the rewards for 1000 scans within RewardsMaxAge, want 1", stored.reads)
		}
	})

	t.Run("takes another instance's save within RewardsMaxAge", func(t *testing.T) {
		c, stored, clock := newRewardsCache(t, coffee)
		offered(t, c)
		stored.rewards = append(stored.rewards, cake)
		clock.now = clock.now.Add(RewardsMaxAge - time.Millisecond)
		if got := offered(t, c); !slices.Equal(got, []string{"coffee:100"}) {
			t.Fatalf("within the bound: %v, want the list held", got)
		}
		clock.now = clock.now.Add(time.Millisecond)
		if got := offered(t, c); !slices.Equal(got, []string{"coffee:100", "cake:250"}) {
			t.Fatalf("at the bound: %v, want the stored list", got)
		}
	})

	t.Run("offers its own save at once, in price order", func(t *testing.T) {
		c, stored, _ := newRewardsCache(t, coffee, cake)
		offered(t, c)
		cheap := Reward{ID: "tea", Points: 50, UpdatedAt: v1.Add(time.Hour)}
		dearer := coffee
		dearer.Points, dearer.UpdatedAt = 300, v1.Add(time.Hour)
		c.Saved(cheap)
		c.Saved(dearer)
		if got := offered(t, c); !slices.Equal(got, []string{"tea:50", "cake:250", "coffee:300"}) {
			t.Fatalf("after its own saves: %v", got)
		}
		if stored.reads != 1 {
			t.Fatalf("%d queries, want the one", stored.reads)
		}
	})

	t.Run("a read that lags a save neither takes a reward back nor drops it", func(t *testing.T) {
		c, stored, clock := newRewardsCache(t, coffee)
		offered(t, c)
		retired := coffee
		retired.ArchivedAt, retired.UpdatedAt = v1.Add(time.Hour), v1.Add(time.Hour)
		tea := Reward{ID: "tea", Points: 50, UpdatedAt: v1.Add(time.Hour)}
		c.Saved(retired)
		c.Saved(tea)
		// The store still answers the list from before both saves.
		clock.now = clock.now.Add(RewardsMaxAge)
		rs, err := c.Rewards(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || rs[0].ID != "tea" || rs[1].ArchivedAt.IsZero() {
			t.Fatalf("after a lagging read: %+v, want tea and the retired coffee", rs)
		}
		if stored.reads != 2 {
			t.Fatalf("%d queries, want 2", stored.reads)
		}
	})

	t.Run("a failed read is returned, not the list past its bound", func(t *testing.T) {
		c, stored, clock := newRewardsCache(t, coffee)
		offered(t, c)
		stored.err = errors.New("table unreachable")
		clock.now = clock.now.Add(RewardsMaxAge)
		if _, err := c.Rewards(context.Background()); !errors.Is(err, stored.err) {
			t.Fatalf("err %v, want the read's", err)
		}
	})

	t.Run("a clock set back reads again", func(t *testing.T) {
		c, stored, clock := newRewardsCache(t, coffee)
		offered(t, c)
		clock.now = clock.now.Add(-time.Second)
		offered(t, c)
		if stored.reads != 2 {
			t.Fatalf("%d queries, want 2", stored.reads)
		}
	})

	t.Run("a caller cannot change the list held", func(t *testing.T) {
		c, _, _ := newRewardsCache(t, coffee, cake)
		rs, _ := c.Rewards(context.Background())
		rs[0].Points = 1
		if got := offered(t, c); got[0] != "coffee:100" {
			t.Fatalf("the list held changed to %v", got)
		}
	})
}
