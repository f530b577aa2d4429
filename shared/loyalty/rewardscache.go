package loyalty

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// RewardsMaxAge bounds how old the rewards list an instance offers may be.
// The list is one partition that every till's scan and every visit of the
// join page reads: queried each time, it would take more read units than a
// partition serves at a chain's peak. Each instance queries it at most once
// per RewardsMaxAge instead, and takes a save of its own at once.
//
// What the bound allows: for up to RewardsMaxAge after an operator saves or
// retires a reward, an instance that did not save it may still offer the
// list as it was: a new reward missing, an old price shown, a retired reward
// listed. It never lets a member redeem on those terms: a redemption reads
// its reward consistently (Book.Reward) and is refused or priced as it is
// stored.
const RewardsMaxAge = 15 * time.Second

// RewardsReader lists the program's rewards as the store holds them.
type RewardsReader interface {
	Rewards(ctx context.Context) ([]Reward, error)
}

// RewardsCache holds the program's rewards for one instance: read at most
// RewardsMaxAge ago, and never older than a version of a reward it already
// holds. A reward's UpdatedAt is its version: rewards are never deleted, only
// retired (saved again), so a read that lags a save (an eventually consistent
// one, or one that started before it) cannot take a reward back to an older
// version nor drop it.
type RewardsCache struct {
	reader RewardsReader
	clock  Clock

	// mu is held across a read of the store, so that concurrent callers of
	// an expired cache wait for one read rather than each making their own.
	mu      sync.Mutex
	rewards []Reward
	readAt  time.Time
	held    bool
}

// NewRewardsCache returns an empty cache that reads through reader; a nil
// clock is the real one.
func NewRewardsCache(reader RewardsReader, clock Clock) *RewardsCache {
	if clock == nil {
		clock = SystemClock{}
	}
	return &RewardsCache{reader: reader, clock: clock}
}

// Rewards returns every reward, cheapest first, read again when the list
// held is RewardsMaxAge old. A failed read is returned, never answered with
// a list past the bound.
func (c *RewardsCache) Rewards(ctx context.Context) ([]Reward, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	// A clock set back counts as expired, so that no reading stays forever.
	if c.held && now.Sub(c.readAt) < RewardsMaxAge && !now.Before(c.readAt) {
		return slices.Clone(c.rewards), nil
	}
	read, err := c.reader.Rewards(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range read {
		c.take(r)
	}
	c.readAt, c.held = now, true
	return slices.Clone(c.rewards), nil
}

// Saved takes a reward this instance has just saved, so that its next list
// offers it as saved.
func (c *RewardsCache) Saved(r Reward) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.take(r)
}

// take keeps r unless the version held of it is newer, in the list's order.
func (c *RewardsCache) take(r Reward) {
	i := slices.IndexFunc(c.rewards, func(h Reward) bool { return h.ID == r.ID })
	switch {
	case i < 0:
		c.rewards = append(c.rewards, r)
	case r.UpdatedAt.Before(c.rewards[i].UpdatedAt):
		return
	default:
		c.rewards[i] = r
	}
	slices.SortFunc(c.rewards, func(a, b Reward) int {
		return cmp.Or(cmp.Compare(a.Points, b.Points), cmp.Compare(a.ID, b.ID))
	})
}
