package loyalty

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Promotion multiplies the points of the earnings made inside its window
// (StartsAt included, EndsAt excluded), at its store or anywhere when it
// names none, by the members of its segment or by all. The operator may end it early (EndedAt); it is never deleted,
// since ledger entries name it.
type Promotion struct {
	ID string `json:"id"`
	// Name is what the card and the receipt call it ("Double points").
	Name Texts `json:"name"`
	// MultiplierPercent multiplies the points the tier earns: 200 doubles
	// them. Integers only, like the tiers' multipliers.
	MultiplierPercent int64     `json:"multiplierPercent"`
	StartsAt          time.Time `json:"startsAt"`
	EndsAt            time.Time `json:"endsAt"`
	// StoreID limits it to the earnings of one store; "" for every store.
	StoreID string `json:"storeId,omitempty"`
	// Segment limits it to the members who meet its conditions before the
	// earning (an "inactive for 60 days" promotion rewards the purchase that
	// ends the inactivity); nil for every member. It names no RFM class:
	// the earning's decision does not read the quintiles.
	Segment   *Segment   `json:"segment,omitempty"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
}

var (
	// ErrPromotionNotFound: no promotion has that id.
	ErrPromotionNotFound = errors.New("promotion not found")
	// ErrPromotionExists: a promotion has that id already.
	ErrPromotionExists = errors.New("a promotion with this id exists")
)

// Bounds of a promotion: a multiplier that changes something, at most ten
// times the points (so an earning stays far inside int64 on the way), and a
// window of at most a year.
const (
	minPromotionPercent = 101
	maxPromotionPercent = 1000
	maxPromotionWindow  = 366 * 24 * time.Hour
)

// PreparePromotion checks a new promotion as an operator wrote it and
// returns it cleaned, created at now, against the program's stores.
func PreparePromotion(p Promotion, shops []Shop, now time.Time) (Promotion, error) {
	if err := ValidSlug("id", p.ID); err != nil {
		return Promotion{}, err
	}
	if p.Name.IsZero() {
		return Promotion{}, fmt.Errorf("%w: name needs its English text (en), which the card and the receipt show", ErrInvalid)
	}
	var err error
	if p.Name, err = p.Name.validate("name", 40, false); err != nil {
		return Promotion{}, err
	}
	if p.MultiplierPercent < minPromotionPercent || p.MultiplierPercent > maxPromotionPercent {
		return Promotion{}, fmt.Errorf("%w: multiplierPercent must be a whole number from %d to %d (200 doubles the points)", ErrInvalid, minPromotionPercent, maxPromotionPercent)
	}
	if p.StartsAt.IsZero() || p.EndsAt.IsZero() || !p.StartsAt.Before(p.EndsAt) {
		return Promotion{}, fmt.Errorf("%w: startsAt and endsAt are both needed, startsAt before endsAt", ErrInvalid)
	}
	if p.EndsAt.Sub(p.StartsAt) > maxPromotionWindow {
		return Promotion{}, fmt.Errorf("%w: a promotion lasts at most 366 days", ErrInvalid)
	}
	if !p.EndsAt.After(now) {
		return Promotion{}, fmt.Errorf("%w: endsAt is past; a promotion applies to earnings made from now on", ErrInvalid)
	}
	if p.StoreID != "" && !slices.ContainsFunc(shops, func(s Shop) bool { return s.ID == p.StoreID }) {
		return Promotion{}, fmt.Errorf("%w: no store has the id %q", ErrShopNotFound, p.StoreID)
	}
	if p.Segment != nil {
		if err := p.Segment.Validate(shops); err != nil {
			return Promotion{}, err
		}
		if p.Segment.Class != "" {
			return Promotion{}, fmt.Errorf("%w: a promotion's segment names no class (it is decided at each earning, without the quintiles); use tier, inactiveDays, store, birthdayMonth, donors or referrers", ErrInvalidSegment)
		}
		if *p.Segment == (Segment{}) {
			p.Segment = nil
		}
	}
	p.StartsAt, p.EndsAt = p.StartsAt.UTC().Truncate(time.Second), p.EndsAt.UTC().Truncate(time.Second)
	p.EndedAt, p.CreatedAt = nil, now
	return p, nil
}

// Until is when the promotion stops applying: its end, or when the operator
// ended it, whichever came first.
func (p Promotion) Until() time.Time {
	if p.EndedAt != nil && p.EndedAt.Before(p.EndsAt) {
		return *p.EndedAt
	}
	return p.EndsAt
}

// ActiveAt reports whether t is inside the promotion's window.
func (p Promotion) ActiveAt(t time.Time) bool {
	return !t.Before(p.StartsAt) && t.Before(p.Until())
}

// AppliesTo reports whether an earning of m at storeID at t is multiplied.
func (p Promotion) AppliesTo(m Member, storeID string, t time.Time) bool {
	return p.ActiveAt(t) && (p.StoreID == "" || p.StoreID == storeID) &&
		(p.Segment == nil || p.Segment.Matches(m, Quintiles{}, DateOf(t)))
}

// Multiply is the points of an earning under the promotion, rounded down.
func (p Promotion) Multiply(points int64) int64 { return points * p.MultiplierPercent / 100 }

// Ended is the promotion ended at t: from then on it no longer applies.
// One that has stopped applying already is left as it is.
func (p Promotion) Ended(t time.Time) (Promotion, bool) {
	if !t.Before(p.Until()) {
		return p, false
	}
	t = t.UTC()
	p.EndedAt = &t
	return p, true
}

// BestPromotion is the promotion that multiplies an earning of m at
// storeID at t the most (the lower id on a tie): promotions do not add up.
// ok is false when none applies.
func BestPromotion(ps []Promotion, m Member, storeID string, t time.Time) (best Promotion, ok bool) {
	for _, p := range ps {
		if !p.AppliesTo(m, storeID, t) {
			continue
		}
		if !ok || p.MultiplierPercent > best.MultiplierPercent || (p.MultiplierPercent == best.MultiplierPercent && p.ID < best.ID) {
			best, ok = p, true
		}
	}
	return best, ok
}

// SortPromotions orders promotions as they are listed: the latest start
// first, then by id.
func SortPromotions(ps []Promotion) {
	slices.SortFunc(ps, func(a, b Promotion) int {
		return cmp.Or(b.StartsAt.Compare(a.StartsAt), cmp.Compare(a.ID, b.ID))
	})
}

// PromotionsReader reads every promotion the store holds.
type PromotionsReader interface {
	Promotions(ctx context.Context) ([]Promotion, error)
}

// PromotionsCache holds the promotions for one instance, read at most once
// per RulesMaxAge as the rules are: every earning and every card drawn needs
// them, and read on each they would make one partition the hottest of the
// table. A window's bounds are exact (each earning checks them against its
// own time); what the bound delays is a promotion created or ended on
// another instance.
type PromotionsCache struct {
	reader PromotionsReader
	clock  Clock

	mu     sync.Mutex
	held   []Promotion
	readAt time.Time
	valid  bool
}

// NewPromotionsCache reads the promotions through reader; a nil clock is
// the system's.
func NewPromotionsCache(reader PromotionsReader, clock Clock) *PromotionsCache {
	if clock == nil {
		clock = SystemClock{}
	}
	return &PromotionsCache{reader: reader, clock: clock}
}

// Promotions returns the promotions held, ended ones too (a card drawn as
// at a moment before the end shows them), read again when they are
// RulesMaxAge old.
func (c *PromotionsCache) Promotions(ctx context.Context) ([]Promotion, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if c.valid && now.Sub(c.readAt) < RulesMaxAge && !now.Before(c.readAt) {
		return c.held, nil
	}
	ps, err := c.reader.Promotions(ctx)
	if err != nil {
		return nil, fmt.Errorf("read promotions: %w", err)
	}
	c.held, c.readAt, c.valid = ps, now, true
	return c.held, nil
}

// PromotionsChanged has this instance read the promotions again at its next
// earning, after it created or ended one.
func (p *Program) PromotionsChanged() {
	p.promotions.mu.Lock()
	defer p.promotions.mu.Unlock()
	p.promotions.valid = false
}

// promotionFor is the promotion that multiplies an earning of m at storeID
// at t, ok false when none does.
func (p *Program) promotionFor(ctx context.Context, m Member, storeID string, t time.Time) (Promotion, bool, error) {
	ps, err := p.promotions.Promotions(ctx)
	if err != nil {
		return Promotion{}, false, err
	}
	best, ok := BestPromotion(ps, m, storeID, t)
	return best, ok, nil
}

// OnCard reports whether the card of m, drawn as at t (its CardUpdatedAt),
// shows the promotion: inside its window, created by then, and for m's
// segment. A store's promotion shows too: the member may shop there. Drawn
// as at the card's change, a pass is the same at the same Last-Modified, and
// the Google object's update sees the promotion come and go between the
// change before and the one after.
func (p Promotion) OnCard(m Member, t time.Time) bool {
	return p.ActiveAt(t) && !t.Before(p.CreatedAt) && (p.Segment == nil || p.Segment.Matches(m, Quintiles{}, DateOf(t)))
}

// PromotionsOnCard are the promotions m's card shows, drawn as at its last
// change, by id.
func PromotionsOnCard(ps []Promotion, m Member) []Promotion {
	var out []Promotion
	for _, p := range ps {
		if p.OnCard(m, m.CardUpdatedAt) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Promotion) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
