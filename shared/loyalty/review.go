package loyalty

import (
	"context"
	"fmt"
)

// ReviewTier reviews the member's tier once their review day (TierReviewOn)
// has come: on the qualifying points of the QualifyingDays up to today, a
// member below their tier's threshold goes down one tier, never more, and
// never up (an upgrade is given when it is earned). The tier kept or given
// becomes ReviewedTier, and the next review is twelve months after today.
// A review that keeps the tier still moves the review day, a change of the
// member with no ledger entry; a rerun, or a run racing this one, finds the
// review no longer due.
func (p *Program) ReviewTier(ctx context.Context, memberID string, today Date) (Outcome, error) {
	if today.IsZero() {
		return Outcome{MemberID: memberID}, fmt.Errorf("%w: the day of the review is needed", ErrInvalid)
	}
	return p.apply(ctx, memberID, func(d *draft, rules Rules) (Skip, error) {
		if d.m.TierReviewOn.IsZero() || today.Before(d.m.TierReviewOn) {
			return SkipNotDue, nil
		}
		tier := d.m.Tier
		if rules.TierFor(d.m.QualifyingPoints(today)).Rank() < tier.Rank() {
			tier = tier.below()
		}
		d.m.moveTo(tier)
		d.m.ReviewedTier = tier
		d.m.TierReviewOn = DateOf(today.Time().AddDate(1, 0, 0))
		d.m.addQualifying(today, 0, today) // forgets the days that left the window
		d.memberOnly = true
		return "", nil
	})
}
