package loyalty

import (
	"fmt"
	"time"
)

// draft is a change being computed on an account: the member's new state,
// the entries it appends and the lots it touches.
type draft struct {
	m          Member
	orig       Member
	prev       int64
	lots       *lotSet
	entries    []LedgerEntry
	reversalOf int64
	reversed   Reversed
	// refundOf is the earning a refund takes back, for the member's activity.
	refundOf LedgerEntry
	// donation and gift are a gift's posting to its charity and its receipt.
	donation *DonationPosting
	gift     *Gift
	// pledgeDue is when the member's monthly gift was due before the change.
	pledgeDue Date
	// memberOnly marks a change of the member alone, with no ledger entry and
	// no lot (a tier review, whose date moves even when the tier does not).
	memberOnly bool
	// referrer is the change of the member's referrer made with this one.
	referrer *draft
	// lead is the Seq of the entry the change answers with (its receipt,
	// its audit) when it posts more than one; 0 is the last.
	lead int64
	// by is who asks for the change: the entries name it, and the change is
	// audited when a person made it with a key.
	by    Actor
	now   time.Time
	today Date
	ids   IDs
}

func newDraft(acct Account, now time.Time, ids IDs) *draft {
	return &draft{m: acct.Member, orig: acct.Member, prev: acct.Member.Version, lots: newLotSet(acct.Lots), pledgeDue: acct.Member.PledgeDue(), now: now, today: DateOf(now), ids: ids}
}

// post appends an entry and applies its points to the balance.
func (d *draft) post(e LedgerEntry) {
	d.m.LedgerSeq++
	d.m.Balance += e.Points
	e.ID = d.ids.NewID(d.now)
	e.MemberID = d.m.ID
	e.Seq = d.m.LedgerSeq
	e.BalanceAfter = d.m.Balance
	e.CreatedAt = d.now
	if e.Actor == "" {
		e.Actor, e.KeyID, e.KeyName = d.by.String(), d.by.KeyID, d.by.KeyName
	}
	d.entries = append(d.entries, e)
}

// credit posts a positive entry into the lot expiring on expires. It
// refuses to take the balance, and so any lot, past MaxPoints.
func (d *draft) credit(expires Date, e LedgerEntry) error {
	if e.Points > MaxPoints-d.m.Balance {
		return fmt.Errorf("%w: the balance of %d cannot take %d points more; an account holds at most %d", ErrPointsLimit, d.m.Balance, e.Points, int64(MaxPoints))
	}
	if e.Points > 0 {
		d.lots.credit(expires, e.Points)
	}
	d.post(e)
	return nil
}

// debit posts a negative entry, consuming the soonest-expiring lots first.
// A redemption records the lots it took from, for its undo.
func (d *draft) debit(e LedgerEntry) error {
	if d.m.Balance < -e.Points {
		return fmt.Errorf("%w: balance is %d, %d needed", ErrInsufficientPoints, d.m.Balance, -e.Points)
	}
	_, from := d.lots.debit(-e.Points, nil)
	if e.Kind == KindRedeem {
		e.Lots = from
	}
	d.post(e)
	return nil
}

// posting closes the draft. It refuses a change that would break the ledger's
// invariants, which would be a bug here, never the caller's fault.
func (d *draft) posting() (Posting, error) {
	if d.lots.total() != d.m.Balance || d.m.Balance < 0 {
		return Posting{}, fmt.Errorf("ledger invariant broken for member %s: lots hold %d, balance %d", d.m.ID, d.lots.total(), d.m.Balance)
	}
	if d.memberOnly {
		if d.prev == 0 || len(d.entries) > 0 || len(d.lots.changed()) > 0 || d.reversalOf != 0 || d.donation != nil {
			return Posting{}, fmt.Errorf("member-only change of member %s creates a member or moves points", d.m.ID)
		}
	} else if len(d.entries) == 0 && d.prev != 0 {
		return Posting{}, fmt.Errorf("posting for member %s has no ledger entry", d.m.ID)
	}
	if !d.memberOnly {
		d.recordActivity()
	}
	stats := d.statsChange()
	d.m.Version = d.prev + 1
	d.m.UpdatedAt = d.now
	if cardChanged(d.orig, d.m) {
		d.m.CardUpdatedAt = nextCardTime(d.orig.CardUpdatedAt, d.now)
	}
	p := Posting{
		Member: d.m, PrevVersion: d.prev, Entries: d.entries, Lots: d.lots.changed(), ReversalOf: d.reversalOf, Reversed: d.reversed,
		Donation: d.donation, PrevPledgeDue: d.pledgeDue, Stats: stats,
	}
	if d.prev != 0 {
		p.PrevName, p.PrevEmail = d.orig.Name, d.orig.Email
		p.Erases = d.orig.ErasedAt.IsZero() && !d.m.ErasedAt.IsZero()
	}
	if len(d.entries) > 0 {
		p.Audit = auditOf(d.by, d.leadEntry(), d.ids, d.now)
	}
	if d.referrer != nil {
		referrer, err := d.referrer.posting()
		if err != nil {
			return Posting{}, err
		}
		p.Referrer = &referrer
	}
	return p, nil
}

// leadEntry is the entry the change answers with.
func (d *draft) leadEntry() LedgerEntry {
	for _, e := range d.entries {
		if e.Seq == d.lead {
			return e
		}
	}
	return d.entries[len(d.entries)-1]
}
