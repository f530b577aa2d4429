package loyalty

import "fmt"

// AutoMessages are the operator's switches of the program's automatic
// messages, each a card's news sent from the commit of its occasion: off
// sends nothing. Points about to expire and the birthday present are
// service messages, about the member's own account, sent without marketing
// consent; close to the next tier urges a purchase, so it is marketing and
// reaches only members who consented (Member.Marketing).
type AutoMessages struct {
	// Expiring: the lot that comes within ExpiryNoticeDays of expiring.
	Expiring bool `json:"expiring"`
	// NearTier: an earning that brings the member within NearTierPercent
	// of the next tier's threshold.
	NearTier bool `json:"nearTier"`
	// Birthday: the birthday present given.
	Birthday bool `json:"birthday"`
}

// The kinds of automatic message, the second part of their news's id.
const (
	AutoExpiring AutoKind = "expiring"
	AutoNearTier AutoKind = "near-tier"
	AutoBirthday AutoKind = "birthday"
)

// AutoKind is what an automatic message is about.
type AutoKind string

// NearTierPercent: a member whose qualifying points are this close to the
// next tier's threshold (in percent of it) is told once.
const NearTierPercent = 10

// AutoNews is what an automatic message says; the card writes it in the
// member's language when it shows it, the operator writes no text.
type AutoNews struct {
	Kind AutoKind `json:"kind"`
	// Points are the points that expire, the points still needed for the
	// tier, or the present.
	Points int64 `json:"points"`
	// Tier is the tier within reach (near-tier).
	Tier Tier `json:"tier,omitempty"`
	// On is the day the points expire (expiring).
	On Date `json:"on,omitzero"`
}

// tell puts an automatic message on the draft's card, as its news: the
// occasion is the rest of the news's id, "auto/<kind>/<occasion>", which
// names what the member is told of once. An erased member's card says
// nothing new.
func (d *draft) tell(occasion string, n AutoNews) {
	if !d.m.ErasedAt.IsZero() {
		return
	}
	d.m.News = &News{ID: "auto/" + string(n.Kind) + "/" + occasion, Auto: &n, At: d.now}
}

// tellNearTier tells a consenting member whose earning brought them within
// NearTierPercent of the next tier's threshold, once per tier, threshold
// and tier year (the year up to the member's review day: the window of
// qualifying points rolls, and a member who drifts away and comes close
// again next year is told again). Member.NearTierNotice records it in the
// same commit as the earning.
func (d *draft) tellNearTier(rules Rules) {
	if !rules.AutoMessages.NearTier || !d.m.Marketing {
		return
	}
	next, needed, ok := rules.NextTier(d.m.Tier, d.m.QualifyingPoints(d.today))
	threshold := rules.Thresholds[next]
	if !ok || needed == 0 || needed*100 > threshold*NearTierPercent {
		return
	}
	occasion := fmt.Sprintf("%s/%d/%s", next, threshold, d.m.TierReviewOn)
	if d.m.NearTierNotice == occasion {
		return
	}
	d.m.NearTierNotice = occasion
	d.tell(occasion, AutoNews{Kind: AutoNearTier, Points: needed, Tier: next})
}
