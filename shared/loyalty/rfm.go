package loyalty

import "sort"

// Class is a member's RFM class, named from their recency and frequency
// scores.
type Class string

const (
	ClassChampions   Class = "champions"
	ClassLoyal       Class = "loyal"
	ClassPromising   Class = "promising"
	ClassNew         Class = "new"
	ClassAtRisk      Class = "at-risk"
	ClassHibernating Class = "hibernating"
	ClassLost        Class = "lost"
)

// Classes lists every class, best first.
var Classes = []Class{ClassChampions, ClassLoyal, ClassPromising, ClassNew, ClassAtRisk, ClassHibernating, ClassLost}

// ClassOfScores maps recency and frequency scores (1 to 5, 5 best) to a
// class, the first rule that holds:
//
//	champions    R ≥ 4 and F ≥ 4   bought lately and often
//	loyal        R ≥ 3 and F ≥ 3   regular
//	new          R ≥ 4 and F = 1   a first purchase, lately
//	promising    R ≥ 3             lately, not often yet
//	at-risk      F ≥ 3             often, but not lately
//	hibernating  R = 2             neither lately nor often
//	lost         otherwise         R = 1: the longest gone
//
// Spend (M) is scored but names no class: the classes are counted from the
// joint recency × frequency histogram, and a third dimension would multiply
// its counters.
func ClassOfScores(r, f int) Class {
	switch {
	case r >= 4 && f >= 4:
		return ClassChampions
	case r >= 3 && f >= 3:
		return ClassLoyal
	case r >= 4 && f == 1:
		return ClassNew
	case r >= 3:
		return ClassPromising
	case f >= 3:
		return ClassAtRisk
	case r == 2:
		return ClassHibernating
	}
	return ClassLost
}

// Scores are a member's recency, frequency and spend scores, 1 to 5, 5 the
// most recent, frequent or spending fifth of the program.
type Scores struct {
	Recency   int `json:"recency"`
	Frequency int `json:"frequency"`
	Monetary  int `json:"monetary"`
}

// Quintiles are the program-wide thresholds that score members: for each
// dimension, the values at the 20th, 40th, 60th and 80th percentiles of
// the members who ever bought, as bins (recency in months since the last
// purchase, frequency and spend over the last ActivityMonths months, binned
// by FrequencyBin and SpendBin). A nightly job recomputes them from the
// program's histograms (QuintilesOf). The zero Quintiles scores a purchase
// this month, or any in the window, 5, and everything else 1.
type Quintiles struct {
	ComputedOn Date `json:"computedOn,omitzero"`
	// Members is how many members the thresholds were computed over.
	Members   int64  `json:"members"`
	Recency   [4]int `json:"recency"`
	Frequency [4]int `json:"frequency"`
	Monetary  [4]int `json:"monetary"`
}

// Scores scores an activity on today; ok is false for a member who never
// bought, who has no scores.
func (q Quintiles) Scores(a Activity, today Date) (s Scores, ok bool) {
	if !a.HasPurchased() {
		return Scores{}, false
	}
	w := a.Window(today)
	return Scores{
		Recency:   6 - score(a.RecencyMonths(today), q.Recency),
		Frequency: score(FrequencyBin(w.Purchases), q.Frequency),
		Monetary:  score(SpendBin(w.Spend), q.Monetary),
	}, true
}

// ClassOf is the class of an activity on today, "" for a member who never
// bought.
func (q Quintiles) ClassOf(a Activity, today Date) Class {
	s, ok := q.Scores(a, today)
	if !ok {
		return ""
	}
	return ClassOfScores(s.Recency, s.Frequency)
}

// score is 1 plus the number of thresholds a bin is above: a value tied
// with a threshold stays in the lower fifth.
func score(bin int, thresholds [4]int) int {
	s := 1
	for _, t := range thresholds {
		if bin > t {
			s++
		}
	}
	return s
}

// frequencyEdges and spendEdges are the lowest value of each bin. Purchases
// are told apart one by one up to 20 a year; spend (minor units) on a 1-2-5
// scale, which keeps the histograms to a few counters whatever the currency.
var (
	frequencyEdges = []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 500}
	spendEdges     = []int64{0, 1, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000}
)

// FrequencyBin is the histogram bin of a count of purchases.
func FrequencyBin(purchases int64) int { return binOf(purchases, frequencyEdges) }

// SpendBin is the histogram bin of a spend.
func SpendBin(spend int64) int { return binOf(spend, spendEdges) }

func binOf(v int64, edges []int64) int {
	return max(0, sort.Search(len(edges), func(i int) bool { return edges[i] > v })-1)
}
