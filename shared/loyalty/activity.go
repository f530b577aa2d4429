package loyalty

import (
	"fmt"
	"time"
)

// ActivityMonths is the window of frequency and spend: the current UTC
// month and the eleven before it.
const ActivityMonths = 12

// Activity is what a member's purchases say about them, kept on the member
// by every change that moves it (an earning, its refund), so that scoring
// and segments read the member alone.
type Activity struct {
	// LastPurchaseOn is the UTC day of the latest earning; a refund leaves it.
	LastPurchaseOn Date `json:"lastPurchaseOn,omitzero"`
	// Months holds purchases and spend per UTC month ("YYYY-MM"), for the
	// ActivityMonths months up to the member's latest change: a month that
	// leaves the window is dropped at the next change, and ignored when read
	// before, so the window rolls without anyone rewriting the member.
	Months map[string]MonthActivity `json:"months,omitempty"`
	// Stores counts purchases per store, all time; TopStore is the store
	// with the most (the first to reach it on a tie).
	Stores   map[string]int64 `json:"stores,omitempty"`
	TopStore string           `json:"topStore,omitempty"`
	// Donor: the member gave points to a charity at least once.
	Donor bool `json:"donor,omitempty"`
	// Referrals counts the members this member brought in who were rewarded.
	Referrals int64 `json:"referrals,omitempty"`
}

// MonthActivity is one month's purchases and their spend (minor units of
// the program's currency).
type MonthActivity struct {
	Purchases int64 `json:"purchases"`
	Spend     int64 `json:"spend"`
}

// monthKey names a day's month in Activity.Months.
func monthKey(d Date) string { return fmt.Sprintf("%04d-%02d", d.Year, d.Month) }

// monthIndex counts months from year 0, so that months subtract.
func monthIndex(d Date) int { return d.Year*12 + int(d.Month) - 1 }

// monthOfIndex is the first day of the month monthIndex numbers.
func monthOfIndex(i int) Date { return Date{i / 12, time.Month(i%12 + 1), 1} }

// inWindow reports whether the month key falls in the window ending with
// today's month.
func inWindow(key string, today Date) bool {
	last := monthIndex(today)
	for i := last - ActivityMonths + 1; i <= last; i++ {
		if monthKey(monthOfIndex(i)) == key {
			return true
		}
	}
	return false
}

// Window sums purchases and spend over the ActivityMonths months up to
// today's.
func (a Activity) Window(today Date) MonthActivity {
	var sum MonthActivity
	for key, ma := range a.Months {
		if inWindow(key, today) {
			sum.Purchases += ma.Purchases
			sum.Spend += ma.Spend
		}
	}
	return sum
}

// HasPurchased reports whether the member ever earned on a purchase.
func (a Activity) HasPurchased() bool { return !a.LastPurchaseOn.IsZero() }

// RecencyMonths is how many months before today's month the last purchase
// was, at most MaxRecencyMonths.
func (a Activity) RecencyMonths(today Date) int {
	return min(MaxRecencyMonths, max(0, monthIndex(today)-monthIndex(a.LastPurchaseOn)))
}

// MaxRecencyMonths is the recency of a purchase more than a year old: older
// ones are not told apart.
const MaxRecencyMonths = 13
