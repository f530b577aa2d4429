package storetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var reversalTests = []struct {
	name string
	fn   func(*env)
}{
	{"partial refunds take back points in proportion, rounded down, up to the earning", testPartialRefunds},
	{"concurrent duplicates of a partial refund make one refund and all get its answer", testDuplicateRefunds},
	{"concurrent partial refunds never refund more than the earning", testRacingRefunds},
	{"an undo gives a redemption's points back to the lots they left, once, within 10 minutes, at its store", testUndo},
	{"refunds and undos racing their duplicates on one account keep the ledger, the lots and the figures equal", testRefundRacingUndo},
}

func (e *env) refund(tx loyalty.TxID, cents int64, id string) (loyalty.Receipt, error) {
	req := loyalty.ReverseRequest{Tx: tx, StoreID: "paris", Actor: Till}
	if cents > 0 {
		req.Amount = &loyalty.Money{Value: cents, Currency: "EUR"}
	}
	if id != "" {
		req.Key = loyalty.IdemKey{Scope: "reversal/" + tx.String(), Key: id}
	}
	return e.program.Reverse(e.ctx, req)
}

// wantFiguresEqualLedger holds today's figures of the program to the ledger of members.
func (e *env) wantFiguresEqualLedger(members ...string) {
	e.t.Helper()
	today := loyalty.DateOf(e.clock.Now())
	report, err := store.StatsReport(e.ctx, e.store, loyalty.DateOf(Start), today)
	if err != nil {
		e.t.Fatal(err)
	}
	wantStatsEqualLedger(e.t, e.store, members, report)
}

func testPartialRefunds(e *env) {
	m := e.enroll("ada@example.com")
	earning := e.earn(m.ID, "R-1", 12500) // 125 points
	tx := earning.Entry.TxID()
	steps := []struct {
		cents, points, balance int64
	}{
		{3333, 33, 142}, // 125 × 33.33 / 125 = 33.33
		{3333, 33, 109}, // 125 × 66.66 / 125 = 66.66, so 66 in all
		{0, 59, 50},     // the rest: 125 − 66
	}
	for i, s := range steps {
		r, err := e.refund(tx, s.cents, fmt.Sprint("refund-", i))
		if err != nil {
			e.t.Fatalf("refund %d: %v", i, err)
		}
		if r.Entry.Points != -s.points || r.Balance != s.balance || r.Entry.Ref.Reverses != tx.Seq {
			e.t.Fatalf("refund %d of %d cents = %+v, want %d points and a balance of %d", i, s.cents, r.Entry, -s.points, s.balance)
		}
		if i == 0 {
			if _, err := e.refund(tx, 9168, "too-much"); !errors.Is(err, loyalty.ErrRefundExceedsRemaining) {
				e.t.Fatalf("a refund of more than the 91.67 left: err = %v", err)
			}
		}
	}
	if again, err := e.refund(tx, 3333, "refund-1"); err != nil || !again.Replayed || again.Entry.Seq != tx.Seq+2 {
		e.t.Fatalf("refund-1 sent again = %+v, %v; want its first answer", again, err)
	}
	if _, err := e.refund(tx, 3333, "refund-1-changed"); err == nil {
		e.t.Fatal("a refund after the whole earning was refunded was made")
	} else if !errors.Is(err, loyalty.ErrRefundExceedsRemaining) {
		e.t.Fatalf("a refund after the whole: err = %v", err)
	}
	if _, err := e.refund(tx, 0, ""); !errors.Is(err, loyalty.ErrAlreadyReversed) {
		e.t.Fatalf("the rest of a whole refunded earning: err = %v", err)
	}
	if _, err := e.refund(tx, 0, "a-new-id"); !errors.Is(err, loyalty.ErrAlreadyReversed) {
		e.t.Fatalf("the rest of a whole refunded earning, with its own id: err = %v", err)
	}
	if _, err := e.refund(tx, 100, ""); !errors.Is(err, loyalty.ErrInvalid) {
		e.t.Fatalf("a partial refund without an id: err = %v, want it refused (it could not be sent again safely)", err)
	}
	acct := e.account(m.ID)
	if acct.Member.QualifyingPoints(loyalty.DateOf(e.clock.Now())) != 0 || acct.Member.Balance != 50 {
		e.t.Fatalf("after refunds of the whole: %+v", acct.Member)
	}
	var refunded int64
	for _, en := range e.ledger(m.ID) {
		if en.Kind == loyalty.KindReversal {
			refunded += en.Amount.Value
		}
	}
	if refunded != 12500 {
		e.t.Fatalf("the refunds add up to %d cents, the earning was 12500", refunded)
	}
	e.wantFiguresEqualLedger(m.ID)
}

func testDuplicateRefunds(e *env) {
	m := e.enroll("ada@example.com")
	tx := e.earn(m.ID, "R-1", 10000).Entry.TxID()
	const n = 8
	answers := make([]loyalty.Receipt, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = e.refund(tx, 2550, "the-refund") })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || answers[i].Entry.ID != answers[0].Entry.ID || answers[i].Entry.Points != -25 {
			e.t.Fatalf("duplicate %d = %+v, %v; want the first answer, -25 points", i, answers[i].Entry, errs[i])
		}
	}
	reversals := 0
	for _, en := range e.ledger(m.ID) {
		if en.Kind == loyalty.KindReversal {
			reversals++
		}
	}
	if reversals != 1 || e.account(m.ID).Member.Balance != 125 {
		e.t.Fatalf("%d reversals, balance %d; want one, and 125", reversals, e.account(m.ID).Member.Balance)
	}
	done, found, err := e.store.Reversed(e.ctx, tx)
	if err != nil || !found || done != (loyalty.Reversed{Count: 1, Amount: 2550, Points: 25, Qualifying: 25}) {
		e.t.Fatalf("reversed = %+v, %v, %v", done, found, err)
	}
}

func testRacingRefunds(e *env) {
	m := e.enroll("ada@example.com")
	tx := e.earn(m.ID, "R-1", 10000).Entry.TxID()
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = e.refund(tx, 2500, fmt.Sprint("refund-", i)) })
	}
	wg.Wait()
	made := 0
	for i, err := range errs {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, loyalty.ErrRefundExceedsRemaining):
			e.t.Fatalf("refund %d: %v", i, err)
		}
	}
	if acct := e.account(m.ID); made != 4 || acct.Member.Balance != 50 {
		e.t.Fatalf("%d refunds of 25.00 of 100.00 made, balance %d; want 4, and 50", made, acct.Member.Balance)
	}
	e.wantFiguresEqualLedger(m.ID)
}

func testUndo(e *env) {
	m := e.enroll("ada@example.com") // 50 points expiring 2027-11-30
	e.clock.Set(Start.AddDate(0, 1, 0))
	e.earn(m.ID, "R-1", 10000) // 100 expiring 2027-12-31
	before := e.account(m.ID).Lots
	red, err := e.redeem(m.ID, 120, "red-1")
	if err != nil {
		e.t.Fatal(err)
	}
	if want := []loyalty.Lot{{ExpiresOn: before[0].ExpiresOn, Remaining: 50}, {ExpiresOn: before[1].ExpiresOn, Remaining: 70}}; fmt.Sprint(red.Entry.Lots) != fmt.Sprint(want) {
		e.t.Fatalf("the redemption took from %v, want %v", red.Entry.Lots, want)
	}
	tx := red.Entry.TxID()
	other := loyalty.ReverseRequest{Tx: tx, StoreID: "lyon", Actor: loyalty.Actor{Who: loyalty.WhoStaff, KeyID: "01KEY0000000000000000TILL2", StoreID: "lyon"}}
	if _, err := e.program.Reverse(e.ctx, other); !errors.Is(err, loyalty.ErrWrongStore) {
		e.t.Fatalf("an undo by another store: err = %v", err)
	}
	e.clock.Set(e.clock.Now().Add(loyalty.UndoWindow))
	undo, err := e.refund(tx, 0, "")
	if err != nil || undo.Entry.Points != 120 || undo.Balance != 150 || undo.Entry.Ref.RewardID != "reward-120" {
		e.t.Fatalf("undo = %+v, %v", undo, err)
	}
	if after := e.account(m.ID).Lots; fmt.Sprint(after) != fmt.Sprint(before) {
		e.t.Fatalf("lots after the undo %v, before the redemption %v", after, before)
	}
	if again, err := e.refund(tx, 0, ""); err != nil || !again.Replayed || again.Entry.ID != undo.Entry.ID {
		e.t.Fatalf("the undo again = %+v, %v; want its first answer", again, err)
	}
	if _, err := e.refund(tx, 0, "another-key"); !errors.Is(err, loyalty.ErrAlreadyReversed) {
		e.t.Fatalf("a second undo with another key: err = %v", err)
	}
	if _, err := e.refund(tx, 100, "partial"); !errors.Is(err, loyalty.ErrInvalid) {
		e.t.Fatalf("a partial undo: err = %v", err)
	}
	late, err := e.redeem(m.ID, 10, "red-2")
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(loyalty.UndoWindow + time.Second))
	if _, err := e.refund(late.Entry.TxID(), 0, ""); !errors.Is(err, loyalty.ErrUndoWindowPassed) {
		e.t.Fatalf("an undo past 10 minutes: err = %v", err)
	}
	if e.account(m.ID).Member.Balance != 140 {
		e.t.Fatalf("balance = %d, want 140", e.account(m.ID).Member.Balance)
	}
	e.wantFiguresEqualLedger(m.ID)
}

func testRefundRacingUndo(e *env) {
	m := e.enroll("ada@example.com")
	earning := e.earn(m.ID, "R-1", 20000).Entry.TxID()
	red, err := e.redeem(m.ID, 150, "red-1")
	if err != nil {
		e.t.Fatal(err)
	}
	const n = 4
	undos, refunds := make([]loyalty.Receipt, n), make([]loyalty.Receipt, n)
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { undos[i], errs[i] = e.refund(red.Entry.TxID(), 0, "") })
		wg.Go(func() { refunds[i], errs[n+i] = e.refund(earning, 15000, "refund-1") })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			e.t.Fatalf("request %d: %v", i, err)
		}
	}
	for i := range n {
		if undos[i].Entry.ID != undos[0].Entry.ID || refunds[i].Entry.ID != refunds[0].Entry.ID {
			e.t.Fatalf("duplicates answered differently: undos %+v, refunds %+v", undos, refunds)
		}
	}
	// 50 + 200 − 150 + 150 − 150 = 100, when the undo came first; the
	// refund first could take only the 100 left, and recorded 50 short.
	if acct, short := e.account(m.ID), refunds[0].Entry.Shortfall; acct.Member.Balance != 100+short || len(e.ledger(m.ID)) != 5 {
		e.t.Fatalf("balance %d with %d entries, refund short by %d; want %d and 5", acct.Member.Balance, len(e.ledger(m.ID)), short, 100+short)
	}
	e.wantFiguresEqualLedger(m.ID)
}
