package loyalty

import (
	"context"
	"maps"
	"sync"
	"time"
)

// RulesMaxAge bounds how old the rules an instance decides with may be. The
// rules are one item that every change of every member needs: read on every
// earning, it would be the hottest key of the table. Each instance reads it
// at most once per RulesMaxAge instead, and takes a save of its own at once.
//
// What the bound allows: for up to RulesMaxAge after an operator saves new
// rules, an instance that did not save them still decides with the old ones,
// so an earning can be credited at the old rate, a promotion judged on the
// old thresholds, a lot given the old expiry and a new member the old
// welcome bonus. Each such change is whole and consistent with the rules of
// one version, all of which passed Validate, and it is idempotent as any
// other: a retry gets the first answer, whatever the rules are by then.
const RulesMaxAge = 15 * time.Second

// RulesReader reads the program's rules as the store holds them.
type RulesReader interface {
	Rules(ctx context.Context) (Rules, error)
}

// RulesCache holds the program's rules for one instance: at most
// RulesMaxAge old, and never older than rules it already holds, by Version.
type RulesCache struct {
	reader RulesReader
	clock  Clock

	// mu is held across a read of the store, so that concurrent callers of
	// an expired cache wait for one read rather than each making their own.
	mu     sync.Mutex
	rules  Rules
	readAt time.Time
	held   bool
}

// NewRulesCache returns an empty cache that reads through reader; a nil
// clock is the real one.
func NewRulesCache(reader RulesReader, clock Clock) *RulesCache {
	if clock == nil {
		clock = SystemClock{}
	}
	return &RulesCache{reader: reader, clock: clock}
}

// Rules returns the rules held, read again when they are RulesMaxAge old. A
// failed read is returned, never answered with rules past the bound.
func (c *RulesCache) Rules(ctx context.Context) (Rules, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	// A clock set back counts as expired, so that no reading stays forever.
	if c.held && now.Sub(c.readAt) < RulesMaxAge && !now.Before(c.readAt) {
		return c.rules.clone(), nil
	}
	rules, err := c.reader.Rules(ctx)
	if err != nil {
		return Rules{}, err
	}
	c.take(rules, now)
	return c.rules.clone(), nil
}

// Saved holds rules this instance has just saved, so that its next change
// decides with them.
func (c *RulesCache) Saved(rules Rules) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.take(rules, c.clock.Now())
}

// take keeps rules read or saved at now, unless those held are newer.
func (c *RulesCache) take(rules Rules, now time.Time) {
	if !c.held || rules.Version >= c.rules.Version {
		c.rules = rules.clone()
	}
	c.readAt, c.held = now, true
}

// clone copies the maps, so that no caller can change the rules held.
func (r Rules) clone() Rules {
	r.MultiplierPercent = maps.Clone(r.MultiplierPercent)
	r.Thresholds = maps.Clone(r.Thresholds)
	return r
}
