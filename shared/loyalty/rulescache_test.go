package loyalty

import (
	"context"
	"errors"
	"testing"
	"time"
)

// storedRules is the rules item of a store, counting its reads.
type storedRules struct {
	rules Rules
	err   error
	reads int
}

func (s *storedRules) Rules(ctx context.Context) (Rules, error) {
	s.reads++
	return s.rules.clone(), s.err
}

func (s *storedRules) save(pointsPerUnit int64) Rules {
	s.rules.PointsPerUnit = pointsPerUnit
	s.rules.Version++
	return s.rules.clone()
}

// settableClock is a clock a test moves by hand.
type settableClock struct{ now time.Time }

func (c *settableClock) Now() time.Time { return c.now }

func newCache(t *testing.T) (*RulesCache, *storedRules, *settableClock) {
	t.Helper()
	stored := &storedRules{rules: DefaultRules()}
	clock := &settableClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	return NewRulesCache(stored, clock), stored, clock
}

func rulesAt(t *testing.T, c *RulesCache) Rules {
	t.Helper()
	r, err := c.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRulesCache(t *testing.T) {
	t.Run("reads the store once for any number of changes within RulesMaxAge", func(t *testing.T) {
		c, stored, clock := newCache(t)
		start := clock.now
		for i := range 1000 {
			clock.now = start.Add(time.Duration(i) * (RulesMaxAge - time.Millisecond) / 1000)
			rulesAt(t, c)
		}
		if n := stored.reads; n != 1 {
			t.Fatalf("%d reads of the rules item for 1000 changes within RulesMaxAge, want 1", n)
		}
	})
	t.Run("takes rules saved elsewhere once the ones held are RulesMaxAge old", func(t *testing.T) {
		c, stored, clock := newCache(t)
		start := clock.now
		rulesAt(t, c)
		stored.save(3)
		clock.now = start.Add(RulesMaxAge - time.Nanosecond)
		if r := rulesAt(t, c); r.PointsPerUnit != 1 || r.Version != 0 {
			t.Fatalf("within RulesMaxAge: %d points per unit, version %d; want the rules held, 1 and 0", r.PointsPerUnit, r.Version)
		}
		clock.now = start.Add(RulesMaxAge)
		if r := rulesAt(t, c); r.PointsPerUnit != 3 || r.Version != 1 {
			t.Fatalf("at RulesMaxAge: %d points per unit, version %d; want the saved rules, 3 and 1", r.PointsPerUnit, r.Version)
		}
		if n := stored.reads; n != 2 {
			t.Fatalf("%d reads, want 2", n)
		}
	})
	t.Run("takes rules saved on this instance at once", func(t *testing.T) {
		c, stored, _ := newCache(t)
		rulesAt(t, c)
		c.Saved(stored.save(4))
		if r := rulesAt(t, c); r.PointsPerUnit != 4 {
			t.Fatalf("right after a save here: %d points per unit, want 4", r.PointsPerUnit)
		}
		if n := stored.reads; n != 1 {
			t.Fatalf("%d reads, want 1: a save here needs no read", n)
		}
	})
	t.Run("never goes back to an older version than it holds", func(t *testing.T) {
		c, stored, clock := newCache(t)
		saved := stored.save(5)
		saved.Version, saved.PointsPerUnit = 9, 9 // saved here, not yet seen by the store's reader
		c.Saved(saved)
		clock.now = clock.now.Add(RulesMaxAge)
		if r := rulesAt(t, c); r.Version != 9 || r.PointsPerUnit != 9 {
			t.Fatalf("after reading version 1 while holding version 9: version %d, %d points per unit; want 9 and 9", r.Version, r.PointsPerUnit)
		}
		clock.now = clock.now.Add(RulesMaxAge - time.Nanosecond)
		rulesAt(t, c)
		if n := stored.reads; n != 1 {
			t.Fatalf("%d reads, want 1: the older read restarts RulesMaxAge", n)
		}
	})
	t.Run("returns a failed read, and reads again at the next change", func(t *testing.T) {
		c, stored, clock := newCache(t)
		rulesAt(t, c)
		stored.err = errors.New("throttled")
		clock.now = clock.now.Add(RulesMaxAge)
		if _, err := c.Rules(context.Background()); err == nil {
			t.Fatal("rules past RulesMaxAge were answered while the store failed")
		}
		stored.err = nil
		rulesAt(t, c)
		if n := stored.reads; n != 3 {
			t.Fatalf("%d reads, want 3", n)
		}
	})
	t.Run("reads again when the clock is set back", func(t *testing.T) {
		c, stored, clock := newCache(t)
		rulesAt(t, c)
		clock.now = clock.now.Add(-time.Hour)
		rulesAt(t, c)
		rulesAt(t, c)
		if n := stored.reads; n != 2 {
			t.Fatalf("%d reads, want 2: one at the first change, one when the clock went back", n)
		}
	})
	t.Run("gives each caller its own copy", func(t *testing.T) {
		c, _, _ := newCache(t)
		r := rulesAt(t, c)
		r.MultiplierPercent[Gold] = 1000
		r.Thresholds[Gold] = 1
		if again := rulesAt(t, c); again.MultiplierPercent[Gold] != 150 || again.Thresholds[Gold] != 1500 {
			t.Fatalf("a caller changed the rules held: %+v", again)
		}
	})
}
