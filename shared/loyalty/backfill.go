package loyalty

import (
	"context"
	"slices"
)

// LedgerReader reads a member's ledger newest first, those entries with Seq
// below before (0: from the newest), at most limit of them.
type LedgerReader interface {
	Ledger(ctx context.Context, memberID string, before int64, limit int) ([]LedgerEntry, error)
}

// RebuildActivity completes the activity of a member written before segments
// existed (Activity.Complete false): it replays the member's whole ledger as
// the changes would have kept it (purchases, refunds, gifts, referrals), and
// counts the member in the segment counters, in one change of the member
// conditioned on its version, so a change racing it makes it read again. It
// reports whether it changed the member, or with dryRun would; a member whose
// activity is complete is left as it is, so it is safe to run again.
func (p *Program) RebuildActivity(ctx context.Context, ledger LedgerReader, memberID string, dryRun bool) (bool, error) {
	return untilCommitted(ctx, func() (bool, error) {
		acct, err := p.book.LoadAccount(ctx, memberID)
		if err != nil || acct.Member.Activity.Complete || dryRun {
			return err == nil && !acct.Member.Activity.Complete, err
		}
		entries, err := wholeLedger(ctx, ledger, memberID)
		if err != nil {
			return false, err
		}
		d := newDraft(acct, p.Now(), p.ids)
		d.memberOnly = true
		d.m.Activity = activityOf(entries, d.today)
		posting, err := d.posting()
		if err != nil {
			return false, err
		}
		return true, p.book.Commit(ctx, posting)
	})
}

// wholeLedger reads every entry of a member's ledger, oldest first.
func wholeLedger(ctx context.Context, ledger LedgerReader, memberID string) ([]LedgerEntry, error) {
	const page = 500
	var all []LedgerEntry
	for before := int64(0); ; {
		entries, err := ledger.Ledger(ctx, memberID, before, page)
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
		if len(entries) < page {
			break
		}
		before = entries[len(entries)-1].Seq
	}
	slices.SortFunc(all, func(a, b LedgerEntry) int { return int(a.Seq - b.Seq) })
	return all, nil
}

// activityOf is the activity that the changes of entries (oldest first)
// keep, as on today: recordActivity's moves, each on its entry's day, and
// the referral bonuses given and taken back.
func activityOf(entries []LedgerEntry, today Date) Activity {
	a := Activity{Months: map[string]MonthActivity{}, Complete: true}
	earnings := map[int64]LedgerEntry{}
	refunded := map[int64]int64{}
	for _, e := range entries {
		day := DateOf(e.CreatedAt.UTC())
		switch {
		case e.Kind == KindEarn && e.Amount != nil:
			a.purchase(day, e.Ref.StoreID, e.Amount.Value)
			earnings[e.Seq] = e
		case e.Kind == KindReversal && e.Amount != nil:
			earning, ok := earnings[e.Ref.Reverses]
			if !ok || earning.Amount == nil {
				continue
			}
			refunded[earning.Seq] += e.Amount.Value
			a.refund(earning, e.Amount.Value, refunded[earning.Seq] >= earning.Amount.Value, day)
		case e.Kind == KindDonate:
			a.Donor = true
		case e.Kind == KindReferral && e.Ref.Referred != "" && e.Points > 0:
			a.Referrals++
		case e.Kind == KindReferral && e.Ref.Referred != "" && e.Points <= 0:
			a.Referrals = max(0, a.Referrals-1)
		}
	}
	for key := range a.Months {
		if !inWindow(key, monthIndex(today)) {
			delete(a.Months, key)
		}
	}
	if len(a.Months) == 0 {
		a.Months = nil
	}
	return a
}
