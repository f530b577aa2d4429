package loyalty

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Segment counters count members per segment and hold the RFM histograms,
// kept in the same commit as each change (StatsChange.Segments): a change
// adds what the member counts for after it less what they counted for
// before (segmentCounts), so reading them never reads a member.
//
//	seg:since:<YYYY-MM-DD>        members whose last purchase, or enrollment
//	                              when they never bought, was that day
//	seg:store:<id>                members whose usual store it is
//	seg:bday:<MM>                 members born that month
//	seg:donors, seg:referrers     members who gave, who brought someone in
//	seg:rf:<eff>:<YYYY-MM>:<f>    recency × frequency histogram: members whose
//	                              last purchase was in that month and whose
//	                              frequency bin is f, as a change from month eff
//	seg:m:<eff>:<m>               spend histogram, the same way
//
// Frequency and spend fall as months leave a member's window, with no change
// of the member to count it. So a change writes the member's whole future
// instead: the bins from this month on, as steps (−1 the old bin, +1 the new)
// keyed by the month they happen in (eff), at most ActivityMonths + 1 of
// them; the histogram of a month is the sum of every step up to it. A later
// change takes back the steps from its month on and writes its own.
//
// They are kept apart from the stats' counters, on items of their own
// (SegmentCounters): per shard, one item for the changes of each month,
// whatever months their steps are for, and a base item. A change adds to
// its own month's item only, so it touches one item however far its steps
// reach, and that item holds one month of changes. The nightly job folds
// the items of months gone into the base (SegmentFolds), with the steps of
// months gone folded into eff "base", so a shard holds its base, this
// month's item, and the steps of at most ActivityMonths months ahead.
const segPrefix = "seg:"

// SegmentCounters is one item of a shard's segment counters: what the
// changes of Month ("YYYY-MM", their UTC month) added, or with Month
// SegmentBase the counters folded from months gone.
type SegmentCounters struct {
	Shard  int              `json:"shard"`
	Month  string           `json:"month"`
	Counts map[string]int64 `json:"counts"`
}

// SegmentBase is the Month of a shard's base item.
const SegmentBase = "base"

// SegmentMonth names the item of the segment counters a change on day adds
// to.
func SegmentMonth(day Date) string { return monthKey(day) }

// baseMonth is the eff of the steps folded from months gone.
const baseMonth = "base"

// segmentCounts is what a change from before to after adds to the segment
// counters on today; before is nil for an enrollment.
func segmentCounts(before *Member, after Member, today Date) map[string]int64 {
	out := map[string]int64{}
	cur := monthIndex(today)
	if before != nil {
		for k, n := range memberCounts(*before, cur) {
			out[k] -= n
		}
		if !before.Activity.Complete && after.Activity.Complete {
			// A member written before segments counted nowhere, and from its
			// first change on counted what it counts for less what it did as
			// written, with no activity: the change that completes its
			// activity adds that back.
			written := *before
			written.Activity = Activity{}
			for k, n := range memberCounts(written, cur) {
				out[k] += n
			}
		}
	}
	for k, n := range memberCounts(after, cur) {
		out[k] += n
	}
	maps.DeleteFunc(out, func(_ string, n int64) bool { return n == 0 })
	return out
}

// memberCounts is what one member counts for, from the month numbered cur on.
func memberCounts(m Member, cur int) map[string]int64 {
	a := m.Activity
	out := map[string]int64{}
	since := a.LastPurchaseOn
	if since.IsZero() {
		since = DateOf(m.CreatedAt.UTC())
	}
	out[segPrefix+"since:"+since.String()]++
	if a.TopStore != "" {
		out[segPrefix+"store:"+a.TopStore]++
	}
	if !m.Birthday.IsZero() {
		out[fmt.Sprintf("%sbday:%02d", segPrefix, int(m.Birthday.Month))]++
	}
	if a.Donor {
		out[segPrefix+"donors"]++
	}
	if a.Referrals > 0 {
		out[segPrefix+"referrers"]++
	}
	if !a.HasPurchased() {
		return out
	}
	last := monthIndex(a.LastPurchaseOn)
	lastKey := monthKey(a.LastPurchaseOn)
	var prevF, prevM int
	// From last+ActivityMonths on the window is empty and nothing moves.
	for month := cur; month <= max(cur, last+ActivityMonths); month++ {
		w := a.windowOf(month)
		f, s := FrequencyBin(w.Purchases), SpendBin(w.Spend)
		eff := monthKey(monthOfIndex(month))
		if month == cur || f != prevF {
			if month != cur {
				out[rfCounter(eff, lastKey, prevF)]--
			}
			out[rfCounter(eff, lastKey, f)]++
		}
		if month == cur || s != prevM {
			if month != cur {
				out[mCounter(eff, prevM)]--
			}
			out[mCounter(eff, s)]++
		}
		prevF, prevM = f, s
	}
	return out
}

func rfCounter(eff, last string, f int) string {
	return segPrefix + "rf:" + eff + ":" + last + ":" + strconv.Itoa(f)
}

func mCounter(eff string, m int) string { return segPrefix + "m:" + eff + ":" + strconv.Itoa(m) }

// SegmentCounts sums what a segment report reads: the segment counters of
// every item, and the all-time stats counters (those with no Day) of
// enrollments and tiers. It also sums the segment counters of the all-time
// stats counters, where the builds before schema version 5 kept them and
// where they stay until its migration moves them to the base items.
func SegmentCounts(stats []StatsCounters, segments []SegmentCounters) map[string]int64 {
	sum := map[string]int64{}
	for _, c := range stats {
		if !c.Day.IsZero() {
			continue
		}
		for name, n := range c.Counts {
			if strings.HasPrefix(name, segPrefix) || strings.HasPrefix(name, "tier:") || name == "enrollments" {
				sum[name] += n
			}
		}
	}
	for _, c := range segments {
		for name, n := range c.Counts {
			sum[name] += n
		}
	}
	return sum
}

// LegacySegmentCounters picks, from one shard's all-time stats counters,
// the segment counters that the builds before schema version 5 kept there.
func LegacySegmentCounters(counts map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for name, n := range counts {
		if strings.HasPrefix(name, segPrefix) {
			out[name] = n
		}
	}
	return out
}

// Histograms are the program's RFM histograms of one month: members who
// ever bought, by recency (months, to MaxRecencyMonths) and frequency bin,
// and by spend bin.
type Histograms struct {
	RF map[RF]int64
	M  map[int]int64
}

// RF is a cell of the recency × frequency histogram.
type RF struct{ Recency, Frequency int }

// HistogramsOf reads the histograms of today's month from summed counters:
// every step up to the month, and the folded ones.
func HistogramsOf(counts map[string]int64, today Date) Histograms {
	cur := monthIndex(today)
	h := Histograms{RF: map[RF]int64{}, M: map[int]int64{}}
	upTo := func(eff string) bool {
		i, ok := monthIndexOfKey(eff)
		return eff == baseMonth || (ok && i <= cur)
	}
	for name, n := range counts {
		parts := strings.Split(name, ":")
		switch {
		case len(parts) == 5 && parts[1] == "rf" && upTo(parts[2]):
			last, ok := monthIndexOfKey(parts[3])
			f, err := strconv.Atoi(parts[4])
			if ok && err == nil {
				h.RF[RF{min(MaxRecencyMonths, max(0, cur-last)), f}] += n
			}
		case len(parts) == 4 && parts[1] == "m" && upTo(parts[2]):
			if m, err := strconv.Atoi(parts[3]); err == nil {
				h.M[m] += n
			}
		}
	}
	maps.DeleteFunc(h.RF, func(_ RF, n int64) bool { return n == 0 })
	maps.DeleteFunc(h.M, func(_ int, n int64) bool { return n == 0 })
	return h
}

// QuintilesOf computes the quintiles from the histograms: each threshold
// is the value of the member at rank ⌊k·n/5⌋ (k = 1…4, from 0) of the n
// members sorted by that value, which is what sorting every member gives.
func QuintilesOf(h Histograms, today Date) Quintiles {
	recency, frequency := map[int]int64{}, map[int]int64{}
	var n int64
	for c, count := range h.RF {
		recency[c.Recency] += count
		frequency[c.Frequency] += count
		n += count
	}
	return Quintiles{
		ComputedOn: today, Members: n,
		Recency: thresholds(recency, n), Frequency: thresholds(frequency, n), Monetary: thresholds(h.M, n),
	}
}

func thresholds(hist map[int]int64, n int64) (t [4]int) {
	if n == 0 {
		return t
	}
	values := slices.Sorted(maps.Keys(hist))
	for k := range t {
		rank := int64(k+1) * n / 5
		var below int64
		for _, v := range values {
			below += hist[v]
			if below > rank {
				t[k] = v
				break
			}
		}
	}
	return t
}

// SegmentFolds names, for one item of a shard's segment counters, the
// counters the nightly job moves into the shard's base item on today, and
// the name each takes there: an item of a month before today's moves whole;
// in the base item, only what folds. Either way the steps of months before
// today's fold into eff "base" (the histograms read them the same), and the
// days of last activity older than a year and a day into one. Today's item,
// which the commits are adding to, stays as it is.
func SegmentFolds(c SegmentCounters, today Date) map[string]string {
	if c.Month != SegmentBase && c.Month >= SegmentMonth(today) {
		return nil
	}
	cur := monthIndex(today)
	oldest := today.AddDays(-366).String()
	moves := map[string]string{}
	for name := range c.Counts {
		to := name
		if parts := strings.SplitN(name, ":", 4); len(parts) >= 3 && parts[0]+":" == segPrefix {
			switch parts[1] {
			case "rf", "m":
				if i, ok := monthIndexOfKey(parts[2]); ok && i < cur && len(parts) == 4 {
					to = segPrefix + parts[1] + ":" + baseMonth + ":" + parts[3]
				}
			case "since":
				if parts[2] < oldest && parts[2] != sinceLongAgo {
					to = segPrefix + "since:" + sinceLongAgo
				}
			}
		}
		if to != name || c.Month != SegmentBase {
			moves[name] = to
		}
	}
	return moves
}

// sinceLongAgo is the day of last activity that the days older than a year
// are folded into: it sorts before every date.
const sinceLongAgo = "0000-00-00"

// SegmentCount is a segment and how many members it holds.
type SegmentCount struct {
	Segment Segment `json:"segment"`
	Members int64   `json:"members"`
}

// SegmentReport is the program's segments on a day, counted from the
// segment counters, with the quintiles that scored the classes.
type SegmentReport struct {
	Day       Date           `json:"day"`
	Members   int64          `json:"members"`
	Quintiles Quintiles      `json:"quintiles"`
	Segments  []SegmentCount `json:"segments"`
}

// ReportedInactiveDays are the inactivity segments a report counts: the
// counters tell days apart up to a year.
var ReportedInactiveDays = []int{30, 60, 90, 180, 365}

// NewSegmentReport counts every segment from the summed counters
// (SegmentCounts) on today: the classes by scoring each cell of the
// recency × frequency histogram with q, which is what Segment.Matches does
// to each member.
func NewSegmentReport(counts map[string]int64, q Quintiles, today Date) SegmentReport {
	r := SegmentReport{Day: today, Members: counts["enrollments"], Quintiles: q}
	add := func(s Segment, n int64) { r.Segments = append(r.Segments, SegmentCount{s, n}) }
	classes := map[Class]int64{}
	for cell, n := range HistogramsOf(counts, today).RF {
		classes[ClassOfScores(6-score(cell.Recency, q.Recency), score(cell.Frequency, q.Frequency))] += n
	}
	for _, c := range Classes {
		add(Segment{Class: c}, classes[c])
	}
	for _, t := range Tiers {
		add(Segment{Tier: t}, counts["tier:"+string(t)])
	}
	for _, days := range ReportedInactiveDays {
		last := today.AddDays(-days).String()
		var n int64
		for name, count := range counts {
			if day, ok := strings.CutPrefix(name, segPrefix+"since:"); ok && day <= last {
				n += count
			}
		}
		add(Segment{InactiveDays: days}, n)
	}
	var stores []string
	for name, n := range counts {
		if id, ok := strings.CutPrefix(name, segPrefix+"store:"); ok && n != 0 {
			stores = append(stores, id)
		}
	}
	slices.Sort(stores)
	for _, id := range stores {
		add(Segment{Store: id}, counts[segPrefix+"store:"+id])
	}
	for month := 1; month <= 12; month++ {
		add(Segment{BirthdayMonth: month}, counts[fmt.Sprintf("%sbday:%02d", segPrefix, month)])
	}
	add(Segment{Donors: true}, counts[segPrefix+"donors"])
	add(Segment{Referrers: true}, counts[segPrefix+"referrers"])
	return r
}
