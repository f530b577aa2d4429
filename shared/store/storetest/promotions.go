package storetest

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var promotionTests = []struct {
	name string
	fn   func(*env)
}{
	{"promotions are created once, listed and ended, each change audited", testPromotions},
	{"a promotion multiplies the earnings inside its window and at its store only", testPromotionApplies},
	{"an earning replayed after its promotion ended gets its first answer", testPromotionReplay},
	{"an instance reads the promotions once per RulesMaxAge and its own changes at once", testPromotionsCached},
}

// doublePoints is a promotion of the store paris from an hour after Start
// to three hours after it.
func doublePoints(id string) loyalty.Promotion {
	return loyalty.Promotion{
		ID: id, Name: loyalty.Texts{EN: "Double points", FR: "Points doublés"}, MultiplierPercent: 200,
		StartsAt: Start.Add(time.Hour), EndsAt: Start.Add(3 * time.Hour), StoreID: "paris", CreatedAt: Start,
	}
}

func (e *env) createPromotion(p loyalty.Promotion, ids loyalty.IDs) {
	e.t.Helper()
	if err := e.store.CreatePromotion(e.ctx, p, loyalty.NewAudit(ids, Start, Owner, "promotion.create", p.ID, p.Name.EN)); err != nil {
		e.t.Fatalf("create promotion %s: %v", p.ID, err)
	}
	e.program.PromotionsChanged()
}

func testPromotions(e *env) {
	ids := &SeqIDs{}
	weekend, anywhere := doublePoints("weekend"), doublePoints("anywhere")
	anywhere.StoreID, anywhere.MultiplierPercent = "", 150
	e.createPromotion(weekend, ids)
	e.createPromotion(anywhere, ids)
	again := weekend
	again.MultiplierPercent = 300
	if err := e.store.CreatePromotion(e.ctx, again, loyalty.NewAudit(ids, Start, Owner, "promotion.create", "weekend", "")); !errors.Is(err, loyalty.ErrPromotionExists) {
		e.t.Errorf("creating weekend again: %v, want ErrPromotionExists", err)
	}
	got, err := e.store.Promotion(e.ctx, "weekend")
	if err != nil || got.MultiplierPercent != 200 || got.Name != weekend.Name || !got.StartsAt.Equal(weekend.StartsAt) || !got.EndsAt.Equal(weekend.EndsAt) || got.StoreID != "paris" || got.EndedAt != nil {
		e.t.Fatalf("Promotion(weekend) = %+v, %v; want %+v", got, err, weekend)
	}
	if _, err := e.store.Promotion(e.ctx, "nope"); !errors.Is(err, loyalty.ErrPromotionNotFound) {
		e.t.Errorf("Promotion(nope): %v, want ErrPromotionNotFound", err)
	}
	all, err := e.store.Promotions(e.ctx)
	if err != nil || len(all) != 2 {
		e.t.Fatalf("Promotions = %+v, %v; want both", all, err)
	}

	endAt := Start.Add(2 * time.Hour)
	ended, err := e.store.EndPromotion(e.ctx, "weekend", loyalty.NewAudit(ids, endAt, Owner, "promotion.end", "weekend", ""))
	if err != nil || ended.EndedAt == nil || !ended.EndedAt.Equal(endAt) || !ended.Until().Equal(endAt) {
		e.t.Fatalf("EndPromotion = %+v, %v; want ended at %v", ended, err, endAt)
	}
	later := endAt.Add(time.Minute)
	if again, err := e.store.EndPromotion(e.ctx, "weekend", loyalty.NewAudit(ids, later, Owner, "promotion.end", "weekend", "")); err != nil || !again.EndedAt.Equal(endAt) {
		e.t.Errorf("ending it again = %+v, %v; want it as it was, ended at %v", again, err, endAt)
	}
	if _, err := e.store.EndPromotion(e.ctx, "nope", loyalty.NewAudit(ids, later, Owner, "promotion.end", "nope", "")); !errors.Is(err, loyalty.ErrPromotionNotFound) {
		e.t.Errorf("ending an unknown promotion: %v, want ErrPromotionNotFound", err)
	}
	if got, err := e.store.Promotion(e.ctx, "weekend"); err != nil || got.EndedAt == nil || !got.EndedAt.Equal(endAt) {
		e.t.Errorf("Promotion(weekend) after its end = %+v, %v", got, err)
	}
	want := []string{"promotion.end weekend", "promotion.create anywhere", "promotion.create weekend"}
	if got := actions(e.trail()); !slices.Equal(got, want) {
		e.t.Errorf("audit trail %q, want %q (the refused and repeated changes recorded nothing)", got, want)
	}
}

func (e *env) earnAt(memberID, storeID, receipt string, cents int64) loyalty.Receipt {
	e.t.Helper()
	r, err := e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: memberID, Amount: loyalty.Money{Value: cents, Currency: "EUR"}, StoreID: storeID, ReceiptID: receipt, Actor: Till, Confirmed: true})
	if err != nil {
		e.t.Fatalf("earn %s at %s: %v", receipt, storeID, err)
	}
	return r
}

func testPromotionApplies(e *env) {
	m := e.enroll("promoted@example.com")
	e.createPromotion(doublePoints("weekend"), &SeqIDs{})
	cases := []struct {
		at      time.Time
		storeID string
		points  int64
		promo   string
	}{
		{Start.Add(time.Hour - time.Second), "paris", 10, ""},
		{Start.Add(time.Hour), "paris", 20, "weekend"},
		{Start.Add(2 * time.Hour), "lyon", 10, ""},
		{Start.Add(3*time.Hour - time.Second), "paris", 20, "weekend"},
		{Start.Add(3 * time.Hour), "paris", 10, ""},
	}
	for n, c := range cases {
		e.clock.Set(c.at)
		r := e.earnAt(m.ID, c.storeID, "P"+string(rune('a'+n)), 1000)
		if r.Entry.Points != c.points || r.Entry.Qualifying != c.points || r.Entry.Ref.PromotionID != c.promo {
			e.t.Errorf("10 EUR at %s, %v: %d points (qualifying %d), promotion %q; want %d, %q", c.storeID, c.at.Sub(Start), r.Entry.Points, r.Entry.Qualifying, r.Entry.Ref.PromotionID, c.points, c.promo)
		}
	}
	ledger, err := e.store.Ledger(e.ctx, m.ID, 0, 10)
	if err != nil || ledger[0].Ref.PromotionID != "" || ledger[1].Ref.PromotionID != "weekend" {
		e.t.Errorf("the ledger keeps the promotion that multiplied each earning: %+v, %v", ledger, err)
	}
}

func testPromotionReplay(e *env) {
	m := e.enroll("replayed@example.com")
	ids := &SeqIDs{}
	e.createPromotion(doublePoints("weekend"), ids)
	e.clock.Set(Start.Add(90 * time.Minute))
	first := e.earnAt(m.ID, "paris", "R-1", 1000)
	if _, err := e.store.EndPromotion(e.ctx, "weekend", loyalty.NewAudit(ids, e.clock.Now(), Owner, "promotion.end", "weekend", "")); err != nil {
		e.t.Fatal(err)
	}
	e.program.PromotionsChanged()
	e.clock.Set(Start.Add(100 * time.Minute))
	again := e.earnAt(m.ID, "paris", "R-1", 1000)
	if !again.Replayed || again.Entry.Points != 20 || again.Entry.Ref.PromotionID != "weekend" || again.Entry.ID != first.Entry.ID || again.Balance != first.Balance {
		e.t.Errorf("replay after the end = %+v; want the first answer %+v", again, first)
	}
	if r := e.earnAt(m.ID, "paris", "R-2", 1000); r.Entry.Points != 10 || r.Entry.Ref.PromotionID != "" {
		e.t.Errorf("a new receipt after the end earned %d with %q; want 10 without the promotion", r.Entry.Points, r.Entry.Ref.PromotionID)
	}
}

// promotionReads counts the reads of the promotions.
type promotionReads struct {
	store.Store
	reads atomic.Int64
}

func (r *promotionReads) Promotions(ctx context.Context) ([]loyalty.Promotion, error) {
	r.reads.Add(1)
	return r.Store.Promotions(ctx)
}

func testPromotionsCached(e *env) {
	m := e.enroll("cached-promo@example.com")
	book := &promotionReads{Store: e.store}
	till := loyalty.NewProgram(book, e.clock, nil)
	e.clock.Set(Start.Add(2 * time.Hour))
	earn := func(receipt string) int64 {
		e.t.Helper()
		r, err := till.Earn(e.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: 1000, Currency: "EUR"}, StoreID: "paris", ReceiptID: receipt, Actor: Till})
		if err != nil {
			e.t.Fatal(err)
		}
		return r.Entry.Points
	}
	if p := earn("C1"); p != 10 {
		e.t.Fatalf("before any promotion: %d points, want 10", p)
	}
	// Created through another instance: this one sees it within RulesMaxAge.
	e.createPromotion(doublePoints("weekend"), &SeqIDs{})
	if p := earn("C2"); p != 10 || book.reads.Load() != 1 {
		e.t.Errorf("right after another instance created it: %d points, %d reads; want 10 from the one read held", p, book.reads.Load())
	}
	e.clock.Set(Start.Add(2*time.Hour + loyalty.RulesMaxAge))
	if p := earn("C3"); p != 20 || book.reads.Load() != 2 {
		e.t.Errorf("RulesMaxAge later: %d points, %d reads; want 20, read again once", p, book.reads.Load())
	}
	if _, err := e.store.EndPromotion(e.ctx, "weekend", loyalty.NewAudit(&SeqIDs{}, e.clock.Now(), Owner, "promotion.end", "weekend", "")); err != nil {
		e.t.Fatal(err)
	}
	till.PromotionsChanged()
	if p := earn("C4"); p != 10 || book.reads.Load() != 3 {
		e.t.Errorf("after this instance ended it: %d points, %d reads; want 10 at once", p, book.reads.Load())
	}
}
