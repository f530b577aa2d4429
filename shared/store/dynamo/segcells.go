package dynamo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Where each segment counter (loyalty.SegmentCounters) is kept: an earning
// adds to a few dozen of them, and a month's changes to a shard touch a few
// thousand, so they are spread over items that each hold a bounded set of
// counters, whatever the month's activity, and over partition keys that
// each take about one item write per earning.
//
//	PK                 SK                        attribute   counter
//	SEGS#<nn>#SINCE    <P>#<YYYY-MM>             <DD>        seg:since:<YYYY-MM-DD>
//	SEGS#<nn>#RF<g>    <P>#<last>                <eff>:<f>   seg:rf:<eff>:<last>:<f>, g = f/8
//	SEGS#<nn>#M<h>     <P>                       <eff>:<m>   seg:m:<eff>:<m>, h = m/7
//	SEGS#<nn>#MEMBERS  <P>#STORE#<id>            members     seg:store:<id>
//	SEGS#<nn>#MEMBERS  <P>                       <name>      seg:<name>: bday:<MM>, donors, referrers
//
// <P> is MONTH#<YYYY-MM> for the changes of a month, BASE for what the
// nightly job folded from months gone. In a month's item eff is written as
// months after <P>'s (0 to 12), in the base as it is ("base" or a month).
// So a month's item holds at most 13 × 8 frequency cells, 13 × 7 spend
// cells or 31 days, under 1 KB with their values, and its write units stay
// what a small item costs.
const (
	slotSince   = "SINCE"
	slotMembers = "MEMBERS"
	// frequencyGroup and spendGroup are the bins of an RF and an M item.
	frequencyGroup = 8
	spendGroup     = 7
	// frequencySlots and spendSlots hold every bin (loyalty's 31 and 21).
	frequencySlots = 4
	spendSlots     = 3
)

// segmentSlots are the partition keys of a shard's segment counters, after
// its shard number.
var segmentSlots = func() []string {
	slots := []string{slotSince, slotMembers}
	for g := range frequencySlots {
		slots = append(slots, "RF"+strconv.Itoa(g))
	}
	for h := range spendSlots {
		slots = append(slots, "M"+strconv.Itoa(h))
	}
	return slots
}()

func segmentsSlotPK(shard int, slot string) string { return fmt.Sprintf("SEGS#%02d#%s", shard, slot) }

// segmentCell is where one counter is kept: its item and attribute.
type segmentCell struct{ pk, sk, attr string }

// cellOf is where the counter name of the items of month (a "YYYY-MM" or
// loyalty.SegmentBase) on shard is kept.
func cellOf(shard int, month, name string) segmentCell {
	p := skSegmentsBase
	if month != loyalty.SegmentBase {
		p = segmentsSK(month)
	}
	parts := strings.Split(strings.TrimPrefix(name, segPrefix), ":")
	switch {
	case parts[0] == "since" && len(parts) == 2 && len(parts[1]) == len("YYYY-MM-DD"):
		day := parts[1]
		return segmentCell{segmentsSlotPK(shard, slotSince), p + "#" + day[:7], day[8:]}
	case parts[0] == "rf" && len(parts) == 4:
		if f, err := strconv.Atoi(parts[3]); err == nil && f >= 0 {
			slot := "RF" + strconv.Itoa(min(f/frequencyGroup, frequencySlots-1))
			return segmentCell{segmentsSlotPK(shard, slot), p + "#" + parts[2], effAttr(month, parts[1]) + ":" + parts[3]}
		}
	case parts[0] == "m" && len(parts) == 3:
		if m, err := strconv.Atoi(parts[2]); err == nil && m >= 0 {
			slot := "M" + strconv.Itoa(min(m/spendGroup, spendSlots-1))
			return segmentCell{segmentsSlotPK(shard, slot), p, effAttr(month, parts[1]) + ":" + parts[2]}
		}
	case parts[0] == "store":
		id := strings.TrimPrefix(name, segPrefix+"store:")
		return segmentCell{segmentsSlotPK(shard, slotMembers), p + "#STORE#" + id, "members"}
	}
	return segmentCell{segmentsSlotPK(shard, slotMembers), p, strings.TrimPrefix(name, segPrefix)}
}

// nameOf reads back the month and the counter name of an attribute of the
// item pk, sk; ok is false for an item or attribute that holds none.
func nameOf(pk, sk, attr string) (month, name string, ok bool) {
	_, slot, found := strings.Cut(strings.TrimPrefix(pk, "SEGS#"), "#")
	if !found || attr == "PK" || attr == "SK" || attr == attrSegmentWrites {
		return "", "", false
	}
	month, rest := loyalty.SegmentBase, ""
	switch {
	case strings.HasPrefix(sk, skSegmentsBase):
		rest = strings.TrimPrefix(sk, skSegmentsBase)
	case strings.HasPrefix(sk, "MONTH#") && len(sk) >= len("MONTH#YYYY-MM"):
		month, rest = sk[len("MONTH#"):len("MONTH#YYYY-MM")], sk[len("MONTH#YYYY-MM"):]
	default:
		return "", "", false
	}
	coord := strings.TrimPrefix(rest, "#")
	switch {
	case slot == slotSince:
		return month, segPrefix + "since:" + coord + "-" + attr, true
	case slot == slotMembers && strings.HasPrefix(coord, "STORE#"):
		return month, segPrefix + "store:" + strings.TrimPrefix(coord, "STORE#"), true
	case slot == slotMembers:
		return month, segPrefix + attr, true
	case strings.HasPrefix(slot, "RF"):
		eff, f, _ := strings.Cut(attr, ":")
		return month, segPrefix + "rf:" + effName(month, eff) + ":" + coord + ":" + f, true
	case strings.HasPrefix(slot, "M"):
		eff, m, _ := strings.Cut(attr, ":")
		return month, segPrefix + "m:" + effName(month, eff) + ":" + m, true
	}
	return "", "", false
}

// segPrefix starts every segment counter's name (loyalty's).
const segPrefix = "seg:"

// effAttr writes the month of a step as months after the item's month, in
// a month's item; as it is in the base.
func effAttr(month, eff string) string {
	i, ok1 := monthNumber(month)
	e, ok2 := monthNumber(eff)
	if !ok1 || !ok2 {
		return eff
	}
	return strconv.Itoa(e - i)
}

// effName reads effAttr back.
func effName(month, attr string) string {
	i, ok := monthNumber(month)
	k, err := strconv.Atoi(attr)
	if !ok || err != nil {
		return attr
	}
	i += k
	return fmt.Sprintf("%04d-%02d", i/12, i%12+1)
}

// monthNumber counts the months of a "YYYY-MM" from year 0.
func monthNumber(month string) (int, bool) {
	if len(month) != len("YYYY-MM") || month[4] != '-' {
		return 0, false
	}
	y, err1 := strconv.Atoi(month[:4])
	m, err2 := strconv.Atoi(month[5:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 {
		return 0, false
	}
	return y*12 + m - 1, true
}
