package loyalty

import (
	"errors"
	"fmt"
	"slices"
)

// ErrInvalidSegment: a segment names a tier, class or store that does not
// exist, or a condition out of range. The API answers it 422
// invalid_segment.
var ErrInvalidSegment = errors.New("invalid segment")

// Segment is a set of conditions a member must all meet; the zero Segment
// is every member. Campaigns and promotions are addressed to one.
type Segment struct {
	Tier Tier `json:"tier,omitempty"`
	// Class is an RFM class (Classes).
	Class Class `json:"class,omitempty"`
	// InactiveDays: no purchase in the last InactiveDays days, counted from
	// enrollment for a member who never bought.
	InactiveDays int `json:"inactiveDays,omitempty"`
	// Store is the store where the member made the most purchases.
	Store string `json:"store,omitempty"`
	// BirthdayMonth is 1 to 12.
	BirthdayMonth int  `json:"birthdayMonth,omitempty"`
	Donors        bool `json:"donors,omitempty"`
	Referrers     bool `json:"referrers,omitempty"`
}

// MaxInactiveDays bounds a segment's InactiveDays (ten years).
const MaxInactiveDays = 3650

// Validate refuses a segment whose tier, class or store (among shops) does
// not exist, or whose numbers are out of range, with ErrInvalidSegment.
func (s Segment) Validate(shops []Shop) error {
	if s.Tier != "" && s.Tier.Rank() < 0 {
		return fmt.Errorf("%w: %q is not a tier (bronze, silver, gold, platinum)", ErrInvalidSegment, s.Tier)
	}
	if s.Class != "" && !slices.Contains(Classes, s.Class) {
		return fmt.Errorf("%w: %q is not a class (champions, loyal, promising, new, at-risk, hibernating, lost)", ErrInvalidSegment, s.Class)
	}
	if s.InactiveDays < 0 || s.InactiveDays > MaxInactiveDays {
		return fmt.Errorf("%w: inactiveDays is from 1 to %d", ErrInvalidSegment, MaxInactiveDays)
	}
	if s.Store != "" && !slices.ContainsFunc(shops, func(sh Shop) bool { return sh.ID == s.Store }) {
		return fmt.Errorf("%w: no store has the id %q", ErrInvalidSegment, s.Store)
	}
	if s.BirthdayMonth < 0 || s.BirthdayMonth > 12 {
		return fmt.Errorf("%w: birthdayMonth is from 1 to 12", ErrInvalidSegment)
	}
	return nil
}

// Matches reports whether m meets every condition of s on today, its class
// scored against q.
func (s Segment) Matches(m Member, q Quintiles, today Date) bool {
	switch {
	case s.Tier != "" && m.Tier != s.Tier,
		s.Class != "" && q.ClassOf(m.Activity, today) != s.Class,
		s.InactiveDays > 0 && m.InactiveDays(today) < s.InactiveDays,
		s.Store != "" && m.Activity.TopStore != s.Store,
		s.BirthdayMonth > 0 && (m.Birthday.IsZero() || int(m.Birthday.Month) != s.BirthdayMonth),
		s.Donors && !m.Activity.Donor,
		s.Referrers && m.Activity.Referrals == 0:
		return false
	}
	return true
}

// InactiveDays is how many days ago the member last bought, or enrolled
// when they never did.
func (m Member) InactiveDays(today Date) int {
	since := m.Activity.LastPurchaseOn
	if since.IsZero() {
		since = DateOf(m.CreatedAt.UTC())
	}
	return daysBetween(since, today)
}

func daysBetween(from, to Date) int {
	return int(to.Time().Sub(from.Time()).Hours() / 24)
}
