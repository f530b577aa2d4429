package loyalty

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// ErrRefreshNotFound: no card refresh has that id.
var ErrRefreshNotFound = errors.New("card refresh not found")

// A CardRefresh brings members' cards up to something they draw from outside
// the member: the rules (name, terms, contact, tier thresholds, referral),
// the stores on the Apple pass, a promotion at one of its bounds. It is a
// campaign without a message: each delivery is a change of the member alone
// that moves the card's change time (CardUpdatedAt), so the pass updater
// pushes each device once and the phone fetches the card as drawn now. No
// message is added, so it needs no consent and takes nothing of Google's
// budget. Its fan-out is the campaigns' (a queue, a page at a time).
type CardRefresh struct {
	// ID says what changed, so the same change asks once: "rules-<version>",
	// "store-<id>-<saved at>", "promotion-<id>-start|end|ended".
	ID string `json:"id"`
	// Store is a store's change; Promotion the promotion whose bound this
	// is; neither: the rules changed.
	Store     *StoreChange `json:"store,omitempty"`
	Promotion *Promotion   `json:"promotion,omitempty"`
	// StartsAt is when every instance draws the change (RefreshSettle after
	// it was made), in whole seconds: a card changed since already shows
	// it, and the fan-out starts then.
	StartsAt  time.Time `json:"startsAt"`
	CreatedAt time.Time `json:"createdAt"`

	CampaignProgress
}

// StoreChange is a store as it was (nil: new) and as it is.
type StoreChange struct {
	Before *Shop `json:"before,omitempty"`
	After  Shop  `json:"after"`
}

// RefreshSettle is how long after a change a refresh starts: every instance
// reads the rules and the promotions again within RulesMaxAge, so a card
// drawn after it shows the change.
const RefreshSettle = RulesMaxAge

// Finished reports a refresh whose fan-out is over.
func (r CardRefresh) Finished() bool { return !r.FinishedAt.IsZero() }

// newRefresh is a refresh of a change made at changedAt.
func newRefresh(id string, changedAt, now time.Time) CardRefresh {
	start := changedAt.Add(RefreshSettle).UTC()
	if t := start.Truncate(time.Second); !t.Equal(start) {
		start = t.Add(time.Second)
	}
	return CardRefresh{ID: id, StartsAt: start, CreatedAt: now.UTC()}
}

// RulesRefresh is the refresh of rules saved at now, changed from before to
// after; ok false when nothing a card draws from the rules changed.
func RulesRefresh(before, after Rules, now time.Time) (r CardRefresh, ok bool) {
	if before.Name == after.Name && before.Terms == after.Terms && before.Contact == after.Contact &&
		before.Referral.Enabled == after.Referral.Enabled && maps.Equal(before.Thresholds, after.Thresholds) {
		return CardRefresh{}, false
	}
	return newRefresh(fmt.Sprintf("rules-%d", after.Version), now, now), true
}

// StoreRefresh is the refresh of a store saved (after), which was before (nil
// when new); ok false when nothing a pass shows of it changed: a store
// without coordinates is on no pass.
func StoreRefresh(before *Shop, after Shop) (r CardRefresh, ok bool) {
	if before != nil && passPlace(*before) == passPlace(after) {
		return CardRefresh{}, false
	}
	if before == nil && after.Latitude == nil {
		return CardRefresh{}, false
	}
	r = newRefresh(fmt.Sprintf("%s%s-%d", storeRefreshPrefix, after.ID, after.UpdatedAt.Unix()), after.UpdatedAt, after.UpdatedAt)
	r.Store = &StoreChange{Before: before, After: after}
	return r, true
}

// storeRefreshPrefix begins the id of a store's refresh.
const storeRefreshPrefix = "store-"

// RefreshedGoogle reports whether the change from before to after is a card
// refresh that changes the Google object: a store's changes only the Apple
// pass's locations, which the object does not carry.
func RefreshedGoogle(before, after Member) bool {
	return before.CardRefresh != after.CardRefresh && !strings.HasPrefix(after.CardRefresh, storeRefreshPrefix)
}

// PromotionRefreshes are the refreshes of a new promotion: at its start
// (or now, when it started) and at its end.
func PromotionRefreshes(p Promotion, now time.Time) []CardRefresh {
	start := newRefresh("promotion-"+p.ID+"-start", later(p.StartsAt, now), now)
	end := newRefresh("promotion-"+p.ID+"-end", p.EndsAt, now)
	start.Promotion, end.Promotion = &p, &p
	return []CardRefresh{start, end}
}

// PromotionEndedRefresh is the refresh of a promotion ended early (EndedAt):
// the refresh of its planned end then finds no card showing it.
func PromotionEndedRefresh(p Promotion, now time.Time) CardRefresh {
	r := newRefresh("promotion-"+p.ID+"-ended", now, now)
	r.Promotion = &p
	return r
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// place is what a pass shows of a store.
type place struct {
	id, name string
	lat, lon float64
	placed   bool
}

func passPlace(s Shop) place {
	p := place{id: s.ID, name: s.Name}
	if s.Latitude != nil && s.Longitude != nil {
		p.lat, p.lon, p.placed = *s.Latitude, *s.Longitude, true
	}
	return p
}

// Reaches reports whether the refresh changes m's card, now, the program's
// stores being shops: not a card changed since StartsAt (drawn with the
// change already), nor a deleted account's; for a store, a pass whose
// places differ with the store as it was and as it is; for a promotion, a
// card that shows it as at its last change and not now, or the reverse.
func (r CardRefresh) Reaches(m Member, shops []Shop, now time.Time) bool {
	if !m.ErasedAt.IsZero() || !m.CardUpdatedAt.Before(r.StartsAt) {
		return false
	}
	switch {
	case r.Promotion != nil:
		return r.Promotion.OnCard(m, m.CardUpdatedAt) != r.Promotion.OnCard(m, now)
	case r.Store != nil:
		return !slices.Equal(places(PassShops(m, r.Store.before(shops))), places(PassShops(m, r.Store.after(shops))))
	}
	return true
}

// after is the stores with the change in; before with it taken back.
func (c StoreChange) after(shops []Shop) []Shop {
	out := slices.DeleteFunc(slices.Clone(shops), func(s Shop) bool { return s.ID == c.After.ID })
	return append(out, c.After)
}

func (c StoreChange) before(shops []Shop) []Shop {
	out := slices.DeleteFunc(slices.Clone(shops), func(s Shop) bool { return s.ID == c.After.ID })
	if c.Before != nil {
		out = append(out, *c.Before)
	}
	return out
}

func places(shops []Shop) []place {
	out := make([]place, len(shops))
	for i, s := range shops {
		out[i] = passPlace(s)
	}
	return out
}

// RefreshCard moves the card's change time of a member the refresh reaches
// (Reaches, decided on the account read again), so the pass updater tells
// the phones: a change of the member alone, recorded in CardRefresh. A
// member whose card changed since StartsAt is not reached again, so a page
// done twice, a racing worker or the same change asking again move no card
// twice; DeliveredBefore names those this refresh moved.
func (p *Program) RefreshCard(ctx context.Context, r CardRefresh, shops []Shop, memberID string) (Delivered, error) {
	got := NotTargeted
	_, err := p.apply(ctx, memberID, func(d *draft, _ Rules) (Skip, error) {
		switch {
		case d.m.CardRefresh == r.ID:
			got = DeliveredBefore
			return SkipAlreadyDone, nil
		case !r.Reaches(d.m, shops, d.now):
			got = NotTargeted
			return SkipAlreadyDone, nil
		}
		got = DeliveredNow
		d.memberOnly = true
		d.m.CardRefresh = r.ID
		return "", nil
	})
	if errors.Is(err, ErrMemberNotFound) {
		return NotTargeted, nil
	}
	return got, err
}
