package loyalty

import (
	"context"
	"fmt"
	"time"
)

// ExpireLot removes what is left of the member's lot that expires on lot,
// once that day is over (lot is before today), as an expire entry. The lot is
// gone afterwards, so a rerun, or a run racing this one, finds nothing left.
// Qualifying points are not touched: they count for the tier whether spent,
// kept or expired.
func (p *Program) ExpireLot(ctx context.Context, memberID string, lot, today Date) (Outcome, error) {
	if lot.IsZero() || today.IsZero() {
		return Outcome{MemberID: memberID}, fmt.Errorf("%w: a lot's expiry day and today are needed", ErrInvalid)
	}
	return p.apply(ctx, memberID, func(d *draft, _ Rules) (Skip, error) {
		if !lot.Before(today) {
			return SkipNotExpired, nil
		}
		left := d.lots.remaining(lot)
		if left == 0 {
			return SkipNothingLeft, nil
		}
		d.lots.debit(left, &lot)
		d.post(LedgerEntry{Kind: KindExpire, Points: -left, Actor: "program", Ref: Reference{Note: "points of the lot that expired on " + lot.String()}})
		return "", nil
	})
}

// remaining is what is left in the lot that expires on day.
func (s *lotSet) remaining(day Date) int64 {
	for _, l := range s.lots {
		if l.ExpiresOn == day {
			return l.Remaining
		}
	}
	return 0
}

// ExpiryNoticeDays is how long before they expire points are shown on the
// back of the card.
const ExpiryNoticeDays = 30

// Expiring returns the points of the account's lots that expire within
// ExpiryNoticeDays of now, and the first day one of them expires.
func (a Account) Expiring(now time.Time) (int64, Date) {
	soon := DateOf(now).AddDays(ExpiryNoticeDays)
	var points int64
	var first Date
	for _, l := range a.Lots {
		if !soon.Before(l.ExpiresOn) {
			if first.IsZero() {
				first = l.ExpiresOn
			}
			points += l.Remaining
		}
	}
	return points, first
}

// NoticeExpiry marks, once, that the member's lot expiring on lot has come
// within ExpiryNoticeDays of today. The card's back shows those points from
// then on; marking it is a change of the card, so phones are told once, when
// the points enter the window, rather than every day they stay in it. When
// the rules say so, the same change puts the automatic message on the card.
// Lots come into the window in the order of their days, so a lot on or
// before the last one marked was told of: a late rerun of an earlier day
// does not tell it again.
func (p *Program) NoticeExpiry(ctx context.Context, memberID string, lot, today Date) (Outcome, error) {
	return p.apply(ctx, memberID, func(d *draft, rules Rules) (Skip, error) {
		if !d.m.ExpiryNoticeOn.Before(lot) {
			return SkipAlreadyDone, nil
		}
		if today.AddDays(ExpiryNoticeDays).Before(lot) {
			return SkipNotDue, nil
		}
		left := d.lots.remaining(lot)
		if left == 0 {
			return SkipNothingLeft, nil
		}
		d.m.ExpiryNoticeOn = lot
		d.memberOnly = true
		if rules.AutoMessages.Expiring {
			d.tell(lot.String(), AutoNews{Kind: AutoExpiring, Points: left, On: lot})
		}
		return "", nil
	})
}
