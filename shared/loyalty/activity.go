package loyalty

import (
	"fmt"
	"strconv"
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
	// Complete: the activity holds every change of the member, which it
	// does from enrollment on. A member written before segments existed has
	// none until the migration to schema version 6 rebuilds it from the
	// ledger (Program.RebuildActivity).
	Complete bool `json:"complete,omitempty"`
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

// monthIndexOfKey reads a month key back; ok is false for anything else.
func monthIndexOfKey(key string) (i int, ok bool) {
	y, err1 := strconv.Atoi(key[:min(4, len(key))])
	m, err2 := strconv.Atoi(key[min(5, len(key)):])
	if err1 != nil || err2 != nil || len(key) != 7 || key[4] != '-' || m < 1 || m > 12 {
		return 0, false
	}
	return y*12 + m - 1, true
}

// inWindow reports whether the month key falls in the window ending with
// the month numbered last.
func inWindow(key string, last int) bool {
	i, ok := monthIndexOfKey(key)
	return ok && i <= last && i > last-ActivityMonths
}

// Window sums purchases and spend over the ActivityMonths months up to
// today's.
func (a Activity) Window(today Date) MonthActivity { return a.windowOf(monthIndex(today)) }

// windowOf sums the window ending with the month numbered last.
func (a Activity) windowOf(last int) MonthActivity {
	var sum MonthActivity
	for key, ma := range a.Months {
		if inWindow(key, last) {
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

// recordActivity brings the member's activity up to the draft's entries:
// an earning is a purchase, a refund takes its spend back from the
// earning's month (and the purchase, when refunded whole), a gift makes
// a donor. Months that left the window are dropped.
func (d *draft) recordActivity() {
	a := &d.m.Activity
	months := make(map[string]MonthActivity, len(a.Months)+1)
	for key, ma := range a.Months {
		if inWindow(key, monthIndex(d.today)) {
			months[key] = ma
		}
	}
	a.Months = months
	for _, e := range d.entries {
		switch {
		case e.Kind == KindEarn && e.Amount != nil:
			a.purchase(d.today, e.Ref.StoreID, e.Amount.Value)
		case e.Kind == KindReversal && e.Amount != nil && d.refundOf.Amount != nil:
			a.refund(d.refundOf, e.Amount.Value, d.reversed.Amount >= d.refundOf.Amount.Value, d.today)
		case e.Kind == KindDonate:
			a.Donor = true
		}
	}
	if len(a.Months) == 0 {
		a.Months = nil
	}
}

func (a *Activity) purchase(day Date, store string, spend int64) {
	key := monthKey(day)
	ma := a.Months[key]
	ma.Purchases++
	ma.Spend += spend
	a.Months[key] = ma
	if a.LastPurchaseOn.Before(day) {
		a.LastPurchaseOn = day
	}
	if store == "" {
		return
	}
	if a.Stores == nil {
		a.Stores = map[string]int64{}
	}
	a.Stores[store]++
	if a.Stores[store] > a.Stores[a.TopStore] {
		a.TopStore = store
	}
}

// refund takes back spend of an earning; whole, the purchase too.
func (a *Activity) refund(earning LedgerEntry, spend int64, whole bool, today Date) {
	key := monthKey(DateOf(earning.CreatedAt.UTC()))
	if ma, ok := a.Months[key]; ok && inWindow(key, monthIndex(today)) {
		ma.Spend = max(0, ma.Spend-spend)
		if whole {
			ma.Purchases = max(0, ma.Purchases-1)
		}
		a.Months[key] = ma
	}
	if store := earning.Ref.StoreID; whole && a.Stores[store] > 0 {
		a.Stores[store]--
		if a.Stores[store] == 0 {
			delete(a.Stores, store)
		}
		a.TopStore = topStore(a.Stores, a.TopStore)
	}
}

// topStore is the store with the most purchases, current when still tied
// for the most, else the first by id.
func topStore(stores map[string]int64, current string) string {
	best := ""
	for id, n := range stores {
		if n > stores[best] || (n == stores[best] && id < best) {
			best = id
		}
	}
	if current != "" && stores[current] == stores[best] {
		return current
	}
	return best
}
