package loyalty

import (
	"fmt"
	"hash/fnv"
	"maps"
	"strings"
	"time"
)

// The program's figures are counters kept in the same commit as each change
// (Posting.Stats): a day's counters and the all-time ones, each split over
// StatsShards items chosen by the member, so that no single item takes every
// change of the program. A report reads the counters of the days it needs and
// the all-time ones, never the members or the ledger.
//
// Counters are named; the names are what the stores keep:
//
//	enrollments, earnings, reversals           counts
//	referrals, referralsRewarded,              members who joined with a referral code,
//	referralsTakenBack                         whose referral was rewarded, taken back
//	issued, redeemed, expired, donated,        points (positive), by what moved them
//	reversed, adjusted                         (adjusted is signed)
//	tier:<tier>                                members that entered (+) or left (−) a tier
//	cur:<currency>:<field>                     earnings, amount, reversals, reversedAmount (minor units)
//	store:<store id>:<field>                   earnings, points, reversals, reversedPoints,
//	                                           redemptions, redeemedPoints
//	active+<nn>                                a day's counter only: see activeCounter
//
// 64 shards: at 10,000 earnings a second across a chain, each shard's
// partition takes about 156 changes a second, two counter items each written
// in a transaction (two write units apiece), 625 write units a second, under
// two thirds of what a partition takes; 16 shards took 2,500, two and a half
// times the limit. Counters written on fewer shards before stay readable: a
// report reads every shard.
const StatsShards = 64

// StatsWindowDays is how long an earning keeps its member active.
const StatsWindowDays = 30

// MaxStatsDays bounds the days one report covers.
const MaxStatsDays = 366

// StatsChange is what one posting adds to the counters of Day, on Shard.
type StatsChange struct {
	Day   Date
	Shard int
	// Counts are added to the day's counters, and, but for the day-only
	// ones (IsDayCounter), to the all-time counters.
	Counts map[string]int64
	// Segments are added to the segment counters (SegmentCounters) of
	// Day's month on Shard.
	Segments map[string]int64
}

// IsDayCounter reports whether a counter is kept on days only: an active
// member's reach means nothing summed over all time.
func IsDayCounter(name string) bool { return strings.HasPrefix(name, "active+") }

// AllTime is the part of the change added to the all-time counters.
func (c StatsChange) AllTime() map[string]int64 {
	out := maps.Clone(c.Counts)
	maps.DeleteFunc(out, func(name string, _ int64) bool { return IsDayCounter(name) })
	return out
}

// StatsCounters is one shard of one day's counters, or of all time when Day
// is zero, as a Book keeps them.
type StatsCounters struct {
	Day    Date             `json:"day,omitzero"`
	Shard  int              `json:"shard"`
	Counts map[string]int64 `json:"counts"`
}

// StatsShardOf is the shard a member's changes are counted on.
func StatsShardOf(memberID string) int {
	h := fnv.New32a()
	h.Write([]byte(memberID))
	return int(h.Sum32() % StatsShards)
}

// activeCounter names the counter of the members whose earning on a day made
// them active from offset days later until StatsWindowDays days after it. A
// member's active days are the union of [e, e+29] over their earning days e;
// each earning adds only what the earlier ones did not cover, which starts
// at offset max(0, last+30−e) from it (last being the member's previous
// earning day). Those stretches never overlap, so the members active on day
// D are the sum, over the earning days e from D−29 to D, of the counters of e
// whose offset is at most D−e: a report reads 29 days before its first, and
// no earning moves a counter of a day other than its own.
func activeCounter(offset int) string { return activeCounters[offset] }

var activeCounters = func() (names [StatsWindowDays]string) {
	for i := range names {
		names[i] = fmt.Sprintf("active+%02d", i)
	}
	return names
}()

// statsChange is what the draft's posting adds to the counters. It records
// the day of an earning on the member, which the next one needs.
func (d *draft) statsChange() StatsChange {
	c := StatsChange{Day: d.today, Shard: StatsShardOf(d.m.ID), Counts: map[string]int64{}}
	add := func(name string, n int64) {
		if n != 0 {
			c.Counts[name] += n
		}
	}
	if d.prev == 0 {
		add("enrollments", 1)
		add("tier:"+string(d.m.Tier), 1)
	} else if d.orig.Tier != d.m.Tier {
		add("tier:"+string(d.orig.Tier), -1)
		add("tier:"+string(d.m.Tier), 1)
	}
	d.countReferrals(add)
	earned := false
	for _, e := range d.entries {
		switch e.Kind {
		case KindEarn:
			earned = true
			add("earnings", 1)
			add("issued", e.Points)
			add("store:"+e.Ref.StoreID+":earnings", 1)
			add("store:"+e.Ref.StoreID+":points", e.Points)
			if e.Amount != nil {
				add("cur:"+e.Amount.Currency+":earnings", 1)
				add("cur:"+e.Amount.Currency+":amount", e.Amount.Value)
			}
		case KindWelcome, KindBirthday, KindCampaign:
			add("issued", e.Points)
		case KindReferral:
			if e.Points > 0 {
				add("issued", e.Points)
			} else {
				add("reversed", -e.Points)
			}
		case KindRedeem:
			add("redeemed", -e.Points)
			if e.Ref.StoreID != "" {
				add("store:"+e.Ref.StoreID+":redemptions", 1)
				add("store:"+e.Ref.StoreID+":redeemedPoints", -e.Points)
			}
		case KindExpire:
			add("expired", -e.Points)
		case KindDonate:
			add("donated", -e.Points)
		case KindAdjust:
			add("adjusted", e.Points)
		case KindReversal:
			if e.Ref.RewardID != "" { // an undone redemption was not redeemed
				add("redeemed", -e.Points)
				add("store:"+e.Ref.StoreID+":redemptions", -1)
				add("store:"+e.Ref.StoreID+":redeemedPoints", -e.Points)
				continue
			}
			add("reversals", 1)
			add("reversed", -e.Points)
			add("store:"+e.Ref.StoreID+":reversals", 1)
			add("store:"+e.Ref.StoreID+":reversedPoints", -e.Points)
			if e.Amount != nil {
				add("cur:"+e.Amount.Currency+":reversals", 1)
				add("cur:"+e.Amount.Currency+":reversedAmount", e.Amount.Value)
			}
		}
	}
	var before *Member
	if d.prev != 0 {
		before = &d.orig
	}
	c.Segments = segmentCounts(before, d.m, d.today)
	if earned {
		last := d.orig.LastEarnedOn
		offset := 0
		if !last.IsZero() && !last.AddDays(StatsWindowDays-1).Before(d.today) {
			offset = int(last.AddDays(StatsWindowDays).Time().Sub(d.today.Time()) / (24 * time.Hour))
		}
		if offset < StatsWindowDays { // an earning on the day of the last adds no day
			add(activeCounter(offset), 1)
		}
		if last.Before(d.today) {
			d.m.LastEarnedOn = d.today
		}
	}
	return c
}

// PointValue is what points are worth to the operator, to value the points
// members hold (the program's liability): Minor minor units of the program's
// currency for every Points points. The zero PointValue values nothing.
type PointValue struct {
	Minor  int64 `json:"minor"`
	Points int64 `json:"points"`
}

func (v PointValue) validate() error {
	if v == (PointValue{}) {
		return nil
	}
	if v.Minor < 0 || v.Minor > 1000 || v.Points < 1 || v.Points > 1_000_000 {
		return fmt.Errorf("%w: pointValue is minor units from 0 to 1000 for points from 1 to 1000000", ErrInvalid)
	}
	return nil
}

// value is what points are worth in currency, rounded down; nil when no
// value is set.
func (v PointValue) value(points int64, currency string) *Money {
	if v.Points < 1 {
		return nil
	}
	return &Money{Value: scaled(points, v.Minor, v.Points).Int64(), Currency: currency}
}

// PointFigures are points moved, by what moved them; all are positive but
// Adjusted, which is the sum of credits and debits by hand.
type PointFigures struct {
	Issued   int64 `json:"issued"`
	Redeemed int64 `json:"redeemed"`
	Expired  int64 `json:"expired"`
	Donated  int64 `json:"donated"`
	Reversed int64 `json:"reversed"`
	Adjusted int64 `json:"adjusted"`
}

// Sales are the purchases behind earnings in one currency, minor units.
type Sales struct {
	Earnings       int64 `json:"earnings"`
	Amount         int64 `json:"amount"`
	Reversals      int64 `json:"reversals"`
	ReversedAmount int64 `json:"reversedAmount"`
}

// StoreFigures are a store's earnings, their reversals and its
// redemptions, by the store recorded on each.
type StoreFigures struct {
	Earnings       int64 `json:"earnings"`
	Points         int64 `json:"points"`
	Reversals      int64 `json:"reversals"`
	ReversedPoints int64 `json:"reversedPoints"`
	Redemptions    int64 `json:"redemptions"`
	RedeemedPoints int64 `json:"redeemedPoints"`
}

// Figures are a period's flows (what happened in it) and its stocks (what
// was, at its end).
type Figures struct {
	Enrollments int64                   `json:"enrollments"`
	Earnings    int64                   `json:"earnings"`
	Reversals   int64                   `json:"reversals"`
	Points      PointFigures            `json:"points"`
	Money       map[string]Sales        `json:"money"`
	Stores      map[string]StoreFigures `json:"stores"`
	Referrals   ReferralFigures         `json:"referrals"`

	// ActiveMembers earned at least once in the StatsWindowDays ending then.
	ActiveMembers int64 `json:"activeMembers"`
	// Outstanding is the points members hold, the program's liability, and
	// OutstandingValue its worth at the program's PointValue.
	Outstanding      int64          `json:"outstanding"`
	OutstandingValue *Money         `json:"outstandingValue,omitempty"`
	Tiers            map[Tier]int64 `json:"tiers"`
}

// DayFigures are one UTC day's figures.
type DayFigures struct {
	Day Date `json:"day"`
	Figures
}

// StatsReport is the program's figures for the days From to To (UTC): each
// day's, and the period's (its flows summed, its stocks at the end of To).
type StatsReport struct {
	From  Date         `json:"from"`
	To    Date         `json:"to"`
	Days  []DayFigures `json:"days"`
	Total Figures      `json:"total"`
}

// StatsRange checks a report's days: from no later than to, at most
// MaxStatsDays of them. It returns the first day whose counters the report
// reads (the active members of from need the days before it).
func StatsRange(from, to Date) (readFrom Date, err error) {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return Date{}, fmt.Errorf("%w: from and to are days written YYYY-MM-DD, from no later than to", ErrInvalid)
	}
	if from.AddDays(MaxStatsDays - 1).Before(to) {
		return Date{}, fmt.Errorf("%w: a report covers at most %d days", ErrInvalid, MaxStatsDays)
	}
	return from.AddDays(-(StatsWindowDays - 1)), nil
}

// NewStatsReport sums the counters a Book read, those of every day from
// StatsRange's readFrom on (later days included: the stocks of a past day
// are the all-time counters less what came after it) and the all-time ones.
func NewStatsReport(from, to Date, counters []StatsCounters, rules Rules) StatsReport {
	allTime := map[string]int64{}
	byDay := map[Date]map[string]int64{}
	var last Date
	for _, c := range counters {
		sum := allTime
		if !c.Day.IsZero() {
			if byDay[c.Day] == nil {
				byDay[c.Day] = map[string]int64{}
			}
			sum = byDay[c.Day]
			if last.Before(c.Day) {
				last = c.Day
			}
		}
		for name, n := range c.Counts {
			sum[name] += n
		}
	}
	// The stocks at the end of a day: all time, less every later day.
	stock := maps.Clone(allTime)
	for d := last; to.Before(d); d = d.AddDays(-1) {
		subtract(stock, byDay[d])
	}
	report := StatsReport{From: from, To: to}
	total := figuresOf(nil)
	for d := to; !d.Before(from); d = d.AddDays(-1) {
		day := figuresOf(byDay[d])
		day.setStocks(stock, rules)
		day.ActiveMembers = activeOn(d, byDay)
		report.Days = append(report.Days, DayFigures{Day: d, Figures: day})
		if d == to {
			total.setStocks(stock, rules)
			total.ActiveMembers = day.ActiveMembers
		}
		total.addFlows(day)
		subtract(stock, byDay[d])
	}
	for i, j := 0, len(report.Days)-1; i < j; i, j = i+1, j-1 {
		report.Days[i], report.Days[j] = report.Days[j], report.Days[i]
	}
	report.Total = total
	return report
}

func subtract(from, counts map[string]int64) {
	for name, n := range counts {
		from[name] -= n
	}
}

// activeOn counts the members active on day from the reach counters of the
// StatsWindowDays days up to it (see activeCounter).
func activeOn(day Date, byDay map[Date]map[string]int64) int64 {
	var n int64
	for back := range StatsWindowDays {
		counts := byDay[day.AddDays(-back)]
		for offset := 0; offset <= back; offset++ {
			n += counts[activeCounter(offset)]
		}
	}
	return n
}

// figuresOf reads the flows of a day's counters.
func figuresOf(counts map[string]int64) Figures {
	f := Figures{Money: map[string]Sales{}, Stores: map[string]StoreFigures{}, Tiers: map[Tier]int64{}}
	f.Enrollments, f.Earnings, f.Reversals = counts["enrollments"], counts["earnings"], counts["reversals"]
	f.Referrals = ReferralFigures{Joined: counts["referrals"], Rewarded: counts["referralsRewarded"], TakenBack: counts["referralsTakenBack"]}
	f.Points = PointFigures{
		Issued: counts["issued"], Redeemed: counts["redeemed"], Expired: counts["expired"],
		Donated: counts["donated"], Reversed: counts["reversed"], Adjusted: counts["adjusted"],
	}
	for name, n := range counts {
		kind, rest, _ := strings.Cut(name, ":")
		i := strings.LastIndexByte(rest, ':')
		if i < 0 || (kind != "cur" && kind != "store") {
			continue
		}
		of, field := rest[:i], rest[i+1:]
		if kind == "cur" {
			s := f.Money[of]
			switch field {
			case "earnings":
				s.Earnings = n
			case "amount":
				s.Amount = n
			case "reversals":
				s.Reversals = n
			case "reversedAmount":
				s.ReversedAmount = n
			}
			f.Money[of] = s
			continue
		}
		s := f.Stores[of]
		switch field {
		case "earnings":
			s.Earnings = n
		case "points":
			s.Points = n
		case "reversals":
			s.Reversals = n
		case "reversedPoints":
			s.ReversedPoints = n
		case "redemptions":
			s.Redemptions = n
		case "redeemedPoints":
			s.RedeemedPoints = n
		}
		f.Stores[of] = s
	}
	return f
}

// setStocks sets the stocks from counters summed up to the end of a day.
func (f *Figures) setStocks(sum map[string]int64, rules Rules) {
	p := figuresOf(sum).Points
	f.Outstanding = p.Issued - p.Redeemed - p.Expired - p.Donated - p.Reversed + p.Adjusted
	f.OutstandingValue = rules.PointValue.value(f.Outstanding, rules.Currency)
	for _, t := range Tiers {
		f.Tiers[t] = sum["tier:"+string(t)]
	}
}

// addFlows adds a day's flows to a period's.
func (f *Figures) addFlows(day Figures) {
	f.Enrollments += day.Enrollments
	f.Earnings += day.Earnings
	f.Reversals += day.Reversals
	f.Referrals.Joined += day.Referrals.Joined
	f.Referrals.Rewarded += day.Referrals.Rewarded
	f.Referrals.TakenBack += day.Referrals.TakenBack
	f.Points.Issued += day.Points.Issued
	f.Points.Redeemed += day.Points.Redeemed
	f.Points.Expired += day.Points.Expired
	f.Points.Donated += day.Points.Donated
	f.Points.Reversed += day.Points.Reversed
	f.Points.Adjusted += day.Points.Adjusted
	for c, s := range day.Money {
		t := f.Money[c]
		t.Earnings, t.Amount = t.Earnings+s.Earnings, t.Amount+s.Amount
		t.Reversals, t.ReversedAmount = t.Reversals+s.Reversals, t.ReversedAmount+s.ReversedAmount
		f.Money[c] = t
	}
	for id, s := range day.Stores {
		t := f.Stores[id]
		t.Earnings, t.Points = t.Earnings+s.Earnings, t.Points+s.Points
		t.Reversals, t.ReversedPoints = t.Reversals+s.Reversals, t.ReversedPoints+s.ReversedPoints
		t.Redemptions, t.RedeemedPoints = t.Redemptions+s.Redemptions, t.RedeemedPoints+s.RedeemedPoints
		f.Stores[id] = t
	}
}
