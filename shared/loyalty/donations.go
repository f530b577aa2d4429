package loyalty

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// Gift is what one donation gave a charity: the member's points and their
// money value, and the points the operator matched on top.
type Gift struct {
	CharityID string `json:"charityId"`
	// Month is the month whose report counts the gift.
	Month  Month `json:"month"`
	Points int64 `json:"points"`
	// Value is the gift's own value, rounded down. A month's report values
	// the month's summed points once, so it can be up to a minor unit a gift
	// more than the gifts' values added up (see Charity.Value).
	Value        Money `json:"value"`
	Matched      int64 `json:"matched,omitempty"`
	MatchedValue Money `json:"matchedValue,omitzero"`
}

// DonationPosting is what a gift adds to its charity's totals, committed in
// the same transaction as the member's donate entry: the gift's points and
// matched points are added to one shard of the charity's all-time totals and
// the same shard of its month, and to the member's line of the month. A
// matched gift also adds its match to the month's matched counter, one item
// per charity and month, whose condition keeps the month within its cap.
type DonationPosting struct {
	CharityID string
	Month     Month
	// Shard is which of the CharityShards items of the totals the gift is
	// added to.
	Shard   int
	Points  int64
	Matched int64
	// MatchedAtMost, when Matched > 0, is the most the month's matched
	// counter may hold before the gift (the cap less the match): the Book
	// refuses the posting with ErrVersionConflict when it holds more, so
	// that racing gifts never take the matching past its cap.
	MatchedAtMost int64
	// NewDonor is true for the member's first gift to the charity in the
	// month: the month counts one donor more.
	NewDonor bool
}

// Giving is what a member gave lately, kept on the member and changed in the
// commit of each gift, so that it is exact without reading the ledger.
type Giving struct {
	// Year (UTC) and the points the member gave in it: the card's back shows them.
	Year   int   `json:"year,omitempty"`
	Points int64 `json:"points,omitempty"`
	// Month (UTC) and the charities the member gave to in it: a donor is
	// counted once per charity and month.
	Month     Month    `json:"month,omitzero"`
	Charities []string `json:"charities,omitempty"`
}

// add records a gift made at the instant at and tells whether it is the
// member's first to the charity in its month.
func (g *Giving) add(at time.Time, charityID string, points int64) (newDonor bool) {
	at = at.UTC()
	if g.Year != at.Year() {
		g.Year, g.Points = at.Year(), 0
	}
	g.Points += points
	if month := MonthOf(at); g.Month != month {
		g.Month, g.Charities = month, nil
	}
	for _, id := range g.Charities {
		if id == charityID {
			return false
		}
	}
	g.Charities = append(g.Charities, charityID)
	return true
}

// GivenThisYear is the points the member gave in the UTC year of the instant
// at, for the back of their card.
func (m Member) GivenThisYear(at time.Time) int64 {
	if m.Giving.Year != at.UTC().Year() {
		return 0
	}
	return m.Giving.Points
}

// DonationPlan is a member's standing gift to one charity: MonthlyPoints
// every month, and the points of a lot about to expire given instead of lost.
type DonationPlan struct {
	CharityID            string `json:"charityId"`
	MonthlyPoints        int64  `json:"monthlyPoints,omitempty"`
	DonateExpiringPoints bool   `json:"donateExpiringPoints,omitempty"`
	// NextPledgeOn is the day the next monthly gift is due (the day of the
	// month the plan was set, the 28th at the latest); zero without monthly
	// points. The donation run finds the plans due through it.
	NextPledgeOn Date `json:"nextPledgeOn,omitzero"`
	// LastPledge is what the last monthly run did with the plan.
	LastPledge *PledgeResult `json:"lastPledge,omitempty"`
	UpdatedAt  time.Time     `json:"updatedAt"`
}

// PledgeResult is the outcome of one month's pledge: the points given, or
// why none were.
type PledgeResult struct {
	Month   Month     `json:"month"`
	Points  int64     `json:"points,omitempty"`
	Skipped Skip      `json:"skipped,omitempty"`
	At      time.Time `json:"at"`
}

// PledgeDue is the day the member's next monthly gift is due, zero for none.
func (m Member) PledgeDue() Date {
	if m.DonationPlan == nil {
		return Date{}
	}
	return m.DonationPlan.NextPledgeOn
}

// Why a scheduled donation left a member as they were.
const (
	SkipNoPlan = Skip("no-plan")
	// SkipInsufficientPoints: the balance does not cover the month's pledge;
	// the month is skipped, and the plan says so.
	SkipInsufficientPoints = Skip("insufficient-points")
	// SkipCharityUnavailable: the plan's charity is archived or gone.
	SkipCharityUnavailable = Skip("charity-unavailable")
	// SkipBelowMinimum: fewer points than the charity takes (a pledge below
	// its minimum or off its step, expiring points short of one step).
	SkipBelowMinimum = Skip("below-minimum")
)

// DonateRequest gives points to a charity.
type DonateRequest struct {
	MemberID  string
	CharityID string
	Points    int64
	Actor     Actor
	Key       IdemKey
}

// Donate gives a member's points to a charity, from the lots that expire
// soonest, in one commit with the charity's totals. A gift below the
// charity's minimum or off its step, beyond the balance, or to a charity
// archived or unknown is refused and moves nothing.
func (p *Program) Donate(ctx context.Context, req DonateRequest) (Receipt, error) {
	if err := validPoints(req.Points, false); err != nil {
		return Receipt{}, err
	}
	if err := ValidSlug("charityId", req.CharityID); err != nil {
		return Receipt{}, err
	}
	return p.change(ctx, req.MemberID, req.Actor, req.Key, RequestHash("donate", req.MemberID, req.CharityID, req.Points),
		func(d *draft, _ Rules) error {
			c, err := p.book.Charity(ctx, req.CharityID)
			if err != nil {
				return err
			}
			if err := c.checkGift(req.Points); err != nil {
				return err
			}
			return p.give(ctx, d, c, req.Points, nil, "")
		})
}

// give posts a gift of points to c on the draft: the donate entry, the lots
// (from first, then soonest expiry), the member's giving, and the posting to
// the charity's totals with its matching.
func (p *Program) give(ctx context.Context, d *draft, c Charity, points int64, first *Date, note string) error {
	if d.m.Balance < points {
		return fmt.Errorf("%w: balance is %d, %d needed", ErrInsufficientPoints, d.m.Balance, points)
	}
	month := MonthOf(d.now)
	var match int64
	if c.Matching != nil {
		matched, err := p.book.CharityMonthMatched(ctx, c.ID, month)
		if err != nil {
			return fmt.Errorf("read the matching of %s: %w", c.ID, err)
		}
		match = c.Match(points, matched)
	}
	shard := shardOf(d.m.ID, d.m.LedgerSeq+1)
	d.lots.debit(points, first)
	d.post(LedgerEntry{Kind: KindDonate, Points: -points, Matched: match, Ref: Reference{CharityID: c.ID, Note: note}})
	d.donation = &DonationPosting{
		CharityID: c.ID, Month: month, Shard: shard, Points: points, Matched: match,
		NewDonor: d.m.Giving.add(d.now, c.ID, points),
	}
	d.gift = &Gift{CharityID: c.ID, Month: month, Points: points, Value: c.Value(points), Matched: match}
	if match > 0 {
		d.donation.MatchedAtMost = c.Matching.CapPoints - match
		d.gift.MatchedValue = c.Value(match)
	}
	return nil
}

// shardOf spreads a member's gifts over the shards: by member and entry, so
// that donors giving at once land on different shards, and a member's own
// gifts too.
func shardOf(memberID string, seq int64) int {
	h := fnv.New32a()
	h.Write([]byte(memberID))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, seq, 10))
	return int(h.Sum32() % CharityShards)
}

// SetDonationPlan sets (or replaces) the member's donation plan: the charity,
// the monthly points (0 for none) and whether expiring points are given
// instead of lost. The first monthly gift is due today, unless this month's
// was already made (or skipped), then on the same day next month. A change
// of the member alone, with no ledger entry.
func (p *Program) SetDonationPlan(ctx context.Context, memberID string, plan DonationPlan) (DonationPlan, error) {
	plan = DonationPlan{CharityID: plan.CharityID, MonthlyPoints: plan.MonthlyPoints, DonateExpiringPoints: plan.DonateExpiringPoints}
	if err := ValidSlug("charityId", plan.CharityID); err != nil {
		return DonationPlan{}, err
	}
	if plan.MonthlyPoints != 0 {
		if err := validPoints(plan.MonthlyPoints, false); err != nil {
			return DonationPlan{}, fmt.Errorf("monthlyPoints: %w", err)
		}
	}
	if plan.MonthlyPoints == 0 && !plan.DonateExpiringPoints {
		return DonationPlan{}, fmt.Errorf("%w: a plan gives monthlyPoints, donates expiring points, or both", ErrInvalid)
	}
	c, err := p.book.Charity(ctx, plan.CharityID)
	if err != nil {
		return DonationPlan{}, err
	}
	if c.Archived {
		return DonationPlan{}, fmt.Errorf("%w: %s takes no more gifts", ErrCharityArchived, c.ID)
	}
	if plan.MonthlyPoints != 0 {
		if err := c.checkGift(plan.MonthlyPoints); err != nil {
			return DonationPlan{}, err
		}
	}
	var saved DonationPlan
	_, err = p.apply(ctx, memberID, func(d *draft, _ Rules) (Skip, error) {
		next := plan
		next.UpdatedAt = d.now
		if prev := d.m.DonationPlan; prev != nil {
			next.LastPledge = prev.LastPledge
			next.NextPledgeOn = prev.NextPledgeOn
		}
		switch {
		case next.MonthlyPoints == 0:
			next.NextPledgeOn = Date{}
		case next.NextPledgeOn.IsZero() && d.m.PledgedMonth == d.today.YearMonth():
			next.NextPledgeOn = pledgeDayAfter(d.today, d.today.Day)
		case next.NextPledgeOn.IsZero():
			next.NextPledgeOn = d.today
		}
		d.m.DonationPlan = &next
		d.memberOnly = true
		saved = next
		return "", nil
	})
	return saved, err
}

// DeleteDonationPlan ends the member's donation plan; without one it does nothing.
func (p *Program) DeleteDonationPlan(ctx context.Context, memberID string) error {
	_, err := p.apply(ctx, memberID, func(d *draft, _ Rules) (Skip, error) {
		if d.m.DonationPlan == nil {
			return SkipNoPlan, nil
		}
		d.m.DonationPlan = nil
		d.memberOnly = true
		return "", nil
	})
	return err
}

// pledgeDayAfter is the day of the monthly gift in the month after today's:
// day, or the 28th at the latest, so that it is in every month.
func pledgeDayAfter(today Date, day int) Date {
	return Date{today.Year, today.Month + 1, min(day, 28)}.normal()
}

func (d Date) normal() Date { return DateOf(d.Time()) }

// DonateMonthly carries out the member's monthly pledge when it is due on
// today: the plan's MonthlyPoints to its charity, once per month (UTC), then
// due again next month. When the balance does not cover it, or the charity
// no longer takes it, the month is skipped: the skip is recorded on the plan
// (LastPledge), a change of the member with no entry, and reported in the
// outcome. What is recorded on the member (PledgedMonth, the next day due)
// makes a rerun, or a run racing this one, skip.
func (p *Program) DonateMonthly(ctx context.Context, memberID string, today Date) (Outcome, error) {
	if today.IsZero() {
		return Outcome{MemberID: memberID}, fmt.Errorf("%w: the day of the run is needed", ErrInvalid)
	}
	return p.apply(ctx, memberID, func(d *draft, _ Rules) (Skip, error) {
		plan := d.m.DonationPlan
		if plan == nil || plan.MonthlyPoints == 0 {
			return SkipNoPlan, nil
		}
		if plan.NextPledgeOn.IsZero() || today.Before(plan.NextPledgeOn) {
			return SkipNotDue, nil
		}
		month := today.YearMonth()
		next := *plan
		next.NextPledgeOn = pledgeDayAfter(today, plan.NextPledgeOn.Day)
		d.m.DonationPlan = &next
		if d.m.PledgedMonth == month {
			d.memberOnly = true
			return SkipAlreadyDone, nil
		}
		d.m.PledgedMonth = month
		skip := func(why Skip) (Skip, error) {
			next.LastPledge = &PledgeResult{Month: month, Skipped: why, At: d.now}
			d.memberOnly = true
			return why, nil
		}
		c, err := p.book.Charity(ctx, plan.CharityID)
		switch {
		case errors.Is(err, ErrCharityNotFound):
			return skip(SkipCharityUnavailable)
		case err != nil:
			return "", err
		case c.Archived:
			return skip(SkipCharityUnavailable)
		case c.checkGift(plan.MonthlyPoints) != nil:
			return skip(SkipBelowMinimum)
		case d.m.Balance < plan.MonthlyPoints:
			return skip(SkipInsufficientPoints)
		}
		next.LastPledge = &PledgeResult{Month: month, Points: plan.MonthlyPoints, At: d.now}
		return "", p.give(ctx, d, c, plan.MonthlyPoints, nil, "monthly pledge of "+month.String())
	})
}

// DonateExpiring gives the points left in the member's lot that expired on
// lot (a day before today) to their plan's charity, instead of letting the
// expiry job take them, when the plan says so. It is run before the expiry
// job of the same day. The points are given in whole steps of the charity,
// whatever its minimum (they would be lost otherwise); what is short of a
// step is left to expire. The lot is left with less than a step, so a rerun,
// or a run racing this one, gives nothing more.
func (p *Program) DonateExpiring(ctx context.Context, memberID string, lot, today Date) (Outcome, error) {
	if lot.IsZero() || today.IsZero() {
		return Outcome{MemberID: memberID}, fmt.Errorf("%w: a lot's expiry day and today are needed", ErrInvalid)
	}
	return p.apply(ctx, memberID, func(d *draft, _ Rules) (Skip, error) {
		if !lot.Before(today) {
			return SkipNotExpired, nil
		}
		plan := d.m.DonationPlan
		if plan == nil || !plan.DonateExpiringPoints {
			return SkipNoPlan, nil
		}
		left := d.lots.remaining(lot)
		if left == 0 {
			return SkipNothingLeft, nil
		}
		c, err := p.book.Charity(ctx, plan.CharityID)
		switch {
		case errors.Is(err, ErrCharityNotFound):
			return SkipCharityUnavailable, nil
		case err != nil:
			return "", err
		case c.Archived:
			return SkipCharityUnavailable, nil
		}
		points := left - left%c.Step
		if points == 0 {
			return SkipBelowMinimum, nil
		}
		return "", p.give(ctx, d, c, points, &lot, "points of the lot that expired on "+lot.String()+", given instead of expiring")
	})
}
