package loyalty

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// UndoWindow is how long after a redemption the store that made it can undo it.
const UndoWindow = 10 * time.Minute

// Errors of a reversal.
var (
	// ErrWrongStore refuses a reversal of another store's transaction.
	ErrWrongStore = errors.New("transaction belongs to another store")
	// ErrRefundExceedsRemaining: a refund of more than is left of the earning.
	ErrRefundExceedsRemaining = errors.New("refund exceeds what is left of the earning")
	// ErrUndoWindowPassed: a redemption undone later than UndoWindow.
	ErrUndoWindowPassed = errors.New("the time to undo the redemption has passed")
)

// Reversed is what the reversals of an entry took back so far: the refunds
// of an earning, which add up, or the undo of a redemption.
type Reversed struct {
	// Count is how many reversals were made. A record of none (0) was
	// written before refunds could be partial: it reversed the whole entry.
	Count int64 `json:"count"`
	// Amount is the money refunded, in the earning's currency.
	Amount int64 `json:"amount,omitempty"`
	// Points and Qualifying are what the refunds took back of the earning's
	// (shortfalls included), or what an undo gave back.
	Points     int64 `json:"points,omitempty"`
	Qualifying int64 `json:"qualifying,omitempty"`
}

// ReverseRequest refunds an earning, in whole or in part, or undoes a
// redemption.
type ReverseRequest struct {
	Tx TxID
	// Amount, for an earning, is how much of it is refunded; nil refunds
	// what is left. A redemption is undone whole.
	Amount *Money
	// StoreID, when set, is the store of the staff asking: another store's
	// redemption is refused, and so is its earning unless the rules allow
	// refunds across stores.
	StoreID string
	Actor   Actor
	// Key tells a request apart: a refund's own id. Without one, the
	// reversal of the whole (or of what is left) is keyed by the
	// transaction, so that asking again answers the first result.
	Key IdemKey
}

// Reverse refunds an earning or undoes a redemption.
//
// A refund takes back the earning's points in proportion to the money
// refunded, rounded down, and its qualifying points likewise: refunds add up
// to the whole earning, and their points to its points exactly. It takes
// what is left of them from the balance, never more (the rest is recorded as
// a shortfall), and undoes an upgrade the earning bought.
//
// An undo gives a redemption's points back to the lots they left, with their
// expiry, within UndoWindow; points whose lot expired meanwhile are not
// given back (the entry's shortfall).
func (p *Program) Reverse(ctx context.Context, req ReverseRequest) (Receipt, error) {
	entry, err := p.book.Entry(ctx, req.Tx)
	if err != nil {
		return Receipt{}, err
	}
	switch {
	case entry.Kind != KindEarn && entry.Kind != KindRedeem:
		return Receipt{}, fmt.Errorf("%w: transaction %s is a %s", ErrNotReversible, req.Tx, entry.Kind)
	case req.Amount != nil && entry.Kind == KindRedeem:
		return Receipt{}, fmt.Errorf("%w: a redemption is undone whole, without an amount", ErrInvalid)
	case req.Amount != nil:
		if err := req.Amount.Validate(); err != nil {
			return Receipt{}, err
		}
		if req.Amount.Currency != entry.Amount.Currency {
			return Receipt{}, fmt.Errorf("%w: transaction %s was paid in %s", ErrInvalid, req.Tx, entry.Amount.Currency)
		}
	}
	key, reqHash := req.Key, RequestHash("reverse", req.Tx.String())
	if req.Amount != nil {
		reqHash = RequestHash("reverse", req.Tx.String(), *req.Amount)
		if key.IsZero() {
			return Receipt{}, fmt.Errorf("%w: a partial refund needs a refundId, kept when it is sent again, so that it is made once", ErrInvalid)
		}
	}
	if key.IsZero() {
		key = IdemKey{Scope: "reversal", Key: req.Tx.String()}
	}
	return p.change(ctx, req.Tx.MemberID, req.Actor, key, reqHash, func(d *draft, rules Rules) error {
		crossStoreRefund := entry.Kind == KindEarn && rules.CrossStoreRefunds
		if req.StoreID != "" && entry.Ref.StoreID != req.StoreID && !crossStoreRefund {
			return fmt.Errorf("%w: %s was made at %s", ErrWrongStore, req.Tx, entry.Ref.StoreID)
		}
		// Read after the account: a reversal committed since fails the
		// commit's version condition, so this is never older than the account.
		done, found, err := p.book.Reversed(ctx, req.Tx)
		if err != nil {
			return fmt.Errorf("read the reversals of %s: %w", req.Tx, err)
		}
		if found && done.Count == 0 {
			return fmt.Errorf("%w: %s was reversed whole", ErrAlreadyReversed, req.Tx)
		}
		if entry.Kind == KindRedeem {
			return d.undo(entry, found, rules)
		}
		if err := d.refund(entry, req.Amount, done, rules); err != nil {
			return err
		}
		d.lead = d.m.LedgerSeq
		return p.takeBackReferral(ctx, d, entry)
	})
}

// refund takes back amount of an earning (nil: what is left of it), after
// the refunds done.
func (d *draft) refund(earning LedgerEntry, amount *Money, done Reversed, rules Rules) error {
	paid := *earning.Amount
	refund := Money{Value: paid.Value - done.Amount, Currency: paid.Currency}
	switch {
	case amount != nil && amount.Value > refund.Value:
		return fmt.Errorf("%w: %s is left to refund of %s, not %s", ErrRefundExceedsRemaining, refund, earning.TxID(), *amount)
	case refund.Value <= 0:
		return fmt.Errorf("%w: %s was refunded whole", ErrAlreadyReversed, earning.TxID())
	case amount != nil:
		refund = *amount
	}
	next := Reversed{Count: done.Count + 1, Amount: done.Amount + refund.Value}
	// Proportions of the running total, so that the refunds' points add up
	// to the earning's exactly whatever the rounding of each.
	next.Points = scaled(earning.Points, next.Amount, paid.Value).Int64()
	next.Qualifying = scaled(earning.Qualifying, next.Amount, paid.Value).Int64()
	points, qualifying := next.Points-done.Points, next.Qualifying-done.Qualifying

	ownLot := rules.LotExpiry(earning.CreatedAt)
	taken, _ := d.lots.debit(min(points, d.m.Balance), &ownLot)
	d.reversalOf, d.reversed, d.refundOf = earning.Seq, next, earning
	d.post(LedgerEntry{
		Kind: KindReversal, Points: -taken, Qualifying: -qualifying,
		Shortfall: points - taken, Amount: &refund,
		Ref: Reference{Reverses: earning.Seq, StoreID: earning.Ref.StoreID, ReceiptID: earning.Ref.ReceiptID},
	})
	d.m.addQualifying(DateOf(earning.CreatedAt), -qualifying, d.today)
	// An upgrade the earning bought is undone; a tier granted at review stays.
	t := rules.TierFor(d.m.QualifyingPoints(d.today))
	if t.Rank() < d.m.ReviewedTier.Rank() {
		t = d.m.ReviewedTier
	}
	if t.Rank() < d.m.Tier.Rank() {
		d.m.moveTo(t)
	}
	return nil
}

// undo gives a redemption's points back to the lots they left.
func (d *draft) undo(redemption LedgerEntry, undone bool, rules Rules) error {
	if undone {
		return fmt.Errorf("%w: redemption %s was undone", ErrAlreadyReversed, redemption.TxID())
	}
	if d.now.Sub(redemption.CreatedAt) > UndoWindow {
		return fmt.Errorf("%w: a redemption can be undone within %s of it", ErrUndoWindowPassed, UndoWindow)
	}
	from := redemption.Lots
	if len(from) == 0 { // made before redemptions recorded their lots
		from = []Lot{{ExpiresOn: rules.LotExpiry(redemption.CreatedAt), Remaining: -redemption.Points}}
	}
	var back, expired int64
	for _, l := range from {
		if l.ExpiresOn.Before(d.today) {
			expired += l.Remaining
			continue
		}
		back += l.Remaining
	}
	if back > MaxPoints-d.m.Balance {
		return fmt.Errorf("%w: the balance of %d cannot take %d points more", ErrPointsLimit, d.m.Balance, back)
	}
	for _, l := range from {
		if !l.ExpiresOn.Before(d.today) {
			d.lots.credit(l.ExpiresOn, l.Remaining)
		}
	}
	d.reversalOf, d.reversed = redemption.Seq, Reversed{Count: 1, Points: back}
	d.post(LedgerEntry{
		Kind: KindReversal, Points: back, Shortfall: expired,
		Ref: Reference{Reverses: redemption.Seq, StoreID: redemption.Ref.StoreID, RewardID: redemption.Ref.RewardID},
	})
	return nil
}

// EarningByReceipt finds the earning a store's receipt made, and what was
// refunded of it; ErrEntryNotFound when the receipt earned nothing there.
// The receipt's idempotency record names it: no index is needed.
func (p *Program) EarningByReceipt(ctx context.Context, storeID, receiptID string) (LedgerEntry, Reversed, error) {
	if err := validRef("storeId", storeID); err != nil {
		return LedgerEntry{}, Reversed{}, err
	}
	if err := validRef("receiptId", receiptID); err != nil {
		return LedgerEntry{}, Reversed{}, err
	}
	key := IdemKey{Scope: "earn/" + storeID, Key: receiptID}
	rec, found, err := p.book.Idempotency(ctx, key.Scope, key.Hash())
	if err != nil {
		return LedgerEntry{}, Reversed{}, fmt.Errorf("read receipt %s: %w", receiptID, err)
	}
	if !found {
		return LedgerEntry{}, Reversed{}, fmt.Errorf("%w: receipt %s earned nothing at %s", ErrEntryNotFound, receiptID, storeID)
	}
	var earned Receipt
	if err := key.open(rec.Sealed, &earned); err != nil {
		return LedgerEntry{}, Reversed{}, err
	}
	entry, err := p.book.Entry(ctx, earned.Entry.TxID())
	if err != nil {
		return LedgerEntry{}, Reversed{}, err
	}
	done, found, err := p.book.Reversed(ctx, entry.TxID())
	if err != nil {
		return LedgerEntry{}, Reversed{}, err
	}
	if found && done.Count == 0 { // reversed whole, before refunds could be partial
		done = Reversed{Amount: entry.Amount.Value, Points: entry.Points, Qualifying: entry.Qualifying}
	}
	return entry, done, nil
}
