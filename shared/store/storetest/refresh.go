package storetest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/loyalty"
)

var refreshTests = []struct {
	name string
	fn   func(*env)
}{
	{"a card refresh is saved once and its pages recorded once", testRefreshSaved},
	{"a card refresh moves each card once, across a restart, and the same change again moves none", testRefreshFanout},
	{"a store's refresh moves only the passes whose places change", testStoreRefresh},
	{"a promotion's refreshes move the cards of its members at its start and its end", testPromotionRefresh},
}

func testRefreshSaved(e *env) {
	r, _ := loyalty.RulesRefresh(loyalty.DefaultRules(), loyalty.Rules{Version: 2, Terms: loyalty.Texts{EN: "New terms"}}, Start)
	for i, want := range []bool{true, false} {
		if created, err := e.store.SaveCardRefresh(e.ctx, r); err != nil || created != want {
			e.t.Fatalf("save %d: created %v, %v; want %v", i, created, err, want)
		}
	}
	if _, err := e.store.CardRefresh(e.ctx, "rules-404"); !errors.Is(err, loyalty.ErrRefreshNotFound) {
		e.t.Fatalf("an unknown refresh: %v", err)
	}
	advanced := r
	advanced.CampaignProgress = r.Apply(loyalty.CampaignPage{Number: 1, Next: "cursor-1", At: Start, Targeted: 3, Delivered: 3})
	if err := e.store.AdvanceCardRefresh(e.ctx, advanced, 0); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.AdvanceCardRefresh(e.ctx, advanced, 0); !errors.Is(err, loyalty.ErrVersionConflict) {
		e.t.Fatalf("the same page again: %v, want ErrVersionConflict", err)
	}
	// Saved again, the refresh keeps its progress.
	if created, err := e.store.SaveCardRefresh(e.ctx, r); err != nil || created {
		e.t.Fatalf("saved again: %v %v", created, err)
	}
	if got, err := e.store.CardRefresh(e.ctx, r.ID); err != nil || got.Pages != 1 || got.Cursor != "cursor-1" || !got.StartsAt.Equal(r.StartsAt) {
		e.t.Fatalf("read back: %+v, %v", got, err)
	}
	if open, err := e.store.UnfinishedCardRefreshes(e.ctx); err != nil || len(open) != 1 || open[0].ID != r.ID {
		e.t.Fatalf("unfinished: %+v, %v", open, err)
	}
	last := advanced
	last.CampaignProgress = advanced.Apply(loyalty.CampaignPage{Number: 2, Last: true, At: Start})
	if err := e.store.AdvanceCardRefresh(e.ctx, last, 1); err != nil {
		e.t.Fatal(err)
	}
	if open, err := e.store.UnfinishedCardRefreshes(e.ctx); err != nil || len(open) != 0 {
		e.t.Fatalf("unfinished after the last page: %+v, %v", open, err)
	}
}

// failingRefreshAdvance fails the record of the page numbered fail once.
type failingRefreshAdvance struct {
	campaigns.Store
	fail int64
}

func (s *failingRefreshAdvance) AdvanceCardRefresh(ctx context.Context, r loyalty.CardRefresh, from int64) error {
	if r.Pages == s.fail {
		s.fail = -1
		return errors.New("stopped before the page was recorded")
	}
	return s.Store.AdvanceCardRefresh(ctx, r, from)
}

// refresh runs a card refresh's fan-out to its end, from its StartsAt, the
// record of its second page failing once, and returns it as stored.
func (e *env) refresh(r loyalty.CardRefresh) loyalty.CardRefresh {
	e.t.Helper()
	if now := e.clock.Now(); now.Before(r.StartsAt) {
		e.clock.Set(r.StartsAt)
	}
	q := &pagesQueue{}
	f := &campaigns.Fanout{Store: &failingRefreshAdvance{Store: e.store, fail: 2}, Program: e.program, Queue: q, PageSize: 3, Workers: 4, Logger: slog.New(slog.DiscardHandler)}
	if err := f.StartRefresh(e.ctx, e.store, r); err != nil {
		e.t.Fatal(err)
	}
	for handled := 0; len(q.sent) > 0; handled++ {
		if handled > 100 {
			e.t.Fatal("the fan-out does not end")
		}
		m := q.sent[0]
		q.sent = q.sent[1:]
		if err := f.Handle(e.ctx, m, false); err != nil {
			q.sent = append(q.sent, m)
			if err := f.Handle(e.ctx, m, true); err != nil {
				e.t.Fatalf("the page handed over again: %v", err)
			}
		}
	}
	got, err := e.store.CardRefresh(e.ctx, r.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if !got.Finished() {
		e.t.Fatalf("refresh %s not finished: %+v", r.ID, got.CampaignProgress)
	}
	return got
}

// versions are the members' versions by id.
func (e *env) versions(ids []string) map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	for _, id := range ids {
		out[id] = e.account(id).Member.Version
	}
	return out
}

func (e *env) enrollMany(n int) []string {
	e.t.Helper()
	var ids []string
	for i := range n {
		en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: fmt.Sprintf("r%d@example.com", i)}})
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, en.Member.ID)
	}
	return ids
}

func testRefreshFanout(e *env) {
	ids := e.enrollMany(8)
	erased := ids[7]
	if _, err := e.program.Erase(e.ctx, erased); err != nil {
		e.t.Fatal(err)
	}
	changed := ids[6] // changes after the rules, before the refresh starts
	e.clock.Set(Start.Add(time.Hour))
	before, err := e.store.Rules(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	after := before
	after.Terms = loyalty.Texts{EN: "Points last 24 months", FR: "Les points durent 24 mois"}
	after.Version++
	r, ok := loyalty.RulesRefresh(before, after, e.clock.Now())
	if !ok {
		e.t.Fatal("new terms do not refresh the cards")
	}
	if _, ok := loyalty.RulesRefresh(after, after, e.clock.Now()); ok {
		e.t.Fatal("the same rules saved again refresh the cards")
	}
	e.clock.Set(r.StartsAt.Add(2 * time.Second))
	e.earn(changed, "R-after", 1000)
	was := e.versions(ids)
	got := e.refresh(r)
	if got.Targeted != 6 || got.Delivered != 6 || got.Failed != 0 {
		e.t.Fatalf("progress %+v, want the 6 cards not changed since delivered", got.CampaignProgress)
	}
	for _, id := range ids[:6] {
		m := e.account(id).Member
		if m.Version != was[id]+1 || m.CardRefresh != r.ID || m.CardUpdatedAt.Before(r.StartsAt) {
			e.t.Fatalf("member %s: version %d → %d, refresh %q, card at %s: want one change at or after %s", id, was[id], m.Version, m.CardRefresh, m.CardUpdatedAt, r.StartsAt)
		}
		if entries := e.ledger(id); len(entries) != 1 {
			e.t.Fatalf("member %s: %d ledger entries, want the welcome alone", id, len(entries))
		}
	}
	for _, id := range []string{changed, erased} {
		if v := e.account(id).Member.Version; v != was[id] {
			e.t.Fatalf("member %s (changed since, or deleted) was refreshed: version %d → %d", id, was[id], v)
		}
	}
	// The same change asking again, and a late delivery, move nothing.
	was = e.versions(ids)
	if err := (&campaigns.Fanout{Program: e.program, Queue: &pagesQueue{}}).StartRefresh(e.ctx, e.store, r); err != nil {
		e.t.Fatal(err)
	}
	again := r
	again.ID = "rules-again"
	if got := e.refresh(again); got.Delivered != 0 {
		e.t.Fatalf("the same change again delivered %d", got.Delivered)
	}
	if d, err := e.program.RefreshCard(e.ctx, r, nil, ids[0]); err != nil || d != loyalty.DeliveredBefore {
		e.t.Fatalf("a late delivery: %q, %v", d, err)
	}
	for id, v := range e.versions(ids) {
		if v != was[id] {
			e.t.Fatalf("member %s changed again: version %d → %d", id, was[id], v)
		}
	}
}

func testStoreRefresh(e *env) {
	ids := loyalty.NewRandomIDs()
	place := func(id string, lat float64) loyalty.Shop {
		lon := 2.35
		s := loyalty.Shop{ID: id, Name: "Store " + id, TimeZone: "Europe/Paris", Latitude: &lat, Longitude: &lon, UpdatedAt: e.clock.Now()}
		if err := e.store.SaveShop(e.ctx, s, loyalty.NewAudit(ids, e.clock.Now(), Owner, "store.create", id, "")); err != nil {
			e.t.Fatal(err)
		}
		return s
	}
	for i := range loyalty.MaxPassLocations {
		place(fmt.Sprintf("a%02d", i), 48.8+float64(i)/100)
	}
	paris := place("paris", 48.86)
	members := e.enrollMany(6)
	buyers := members[:2] // paris is on their passes, a09 is not
	for _, id := range buyers {
		e.earn(id, "R-"+id, 1000)
	}
	others := members[2:]
	e.clock.Set(Start.Add(time.Hour))

	moved := paris
	lat := 48.87
	moved.Latitude, moved.UpdatedAt = &lat, e.clock.Now()
	r, ok := loyalty.StoreRefresh(&paris, moved)
	if !ok {
		e.t.Fatal("a store moved does not refresh the passes")
	}
	renamed := paris
	renamed.Address, renamed.TimeZone = "2 rue de Rivoli", "Europe/Berlin"
	if _, ok := loyalty.StoreRefresh(&paris, renamed); ok {
		e.t.Fatal("a change no pass shows (address, time zone) refreshes the passes")
	}
	if err := e.store.SaveShop(e.ctx, moved, loyalty.NewAudit(ids, e.clock.Now(), Owner, "store.update", "paris", "")); err != nil {
		e.t.Fatal(err)
	}
	was := e.versions(members)
	if got := e.refresh(r); got.Delivered != int64(len(buyers)) {
		e.t.Fatalf("moving paris delivered %d, want its %d buyers", got.Delivered, len(buyers))
	}
	now := e.versions(members)
	for _, id := range buyers {
		if now[id] != was[id]+1 {
			e.t.Fatalf("buyer %s: version %d → %d, want one refresh", id, was[id], now[id])
		}
	}
	for _, id := range others {
		if now[id] != was[id] {
			e.t.Fatalf("member %s, without paris on the pass, was refreshed", id)
		}
	}

	// A store removed from the passes' ten (its coordinates taken off)
	// changes the others' passes: the 11th store comes in.
	e.clock.Set(e.clock.Now().Add(time.Hour))
	a09, err := e.store.Shop(e.ctx, "a09")
	if err != nil {
		e.t.Fatal(err)
	}
	unplaced := a09
	unplaced.Latitude, unplaced.Longitude, unplaced.UpdatedAt = nil, nil, e.clock.Now()
	if err := e.store.SaveShop(e.ctx, unplaced, loyalty.NewAudit(ids, e.clock.Now(), Owner, "store.update", "a09", "")); err != nil {
		e.t.Fatal(err)
	}
	r, _ = loyalty.StoreRefresh(&a09, unplaced)
	was = e.versions(members)
	if got := e.refresh(r); got.Delivered != int64(len(others)) {
		e.t.Fatalf("unplacing a09 delivered %d, want the %d members who had it", got.Delivered, len(others))
	}
	for _, id := range buyers {
		if v := e.account(id).Member.Version; v != was[id] {
			e.t.Fatalf("buyer %s, without a09 on the pass, was refreshed", id)
		}
	}
}

func testPromotionRefresh(e *env) {
	members := e.enrollMany(5)
	silver := members[:2]
	for _, id := range silver {
		e.earn(id, "R-"+id, 60000)
	}
	e.clock.Set(Start.Add(time.Hour))
	promo, err := loyalty.PreparePromotion(loyalty.Promotion{ID: "silver-weekend", Name: loyalty.Texts{EN: "Double points"}, MultiplierPercent: 200,
		StartsAt: Start.Add(24 * time.Hour), EndsAt: Start.Add(72 * time.Hour), Segment: &loyalty.Segment{Tier: loyalty.Silver}}, nil, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.CreatePromotion(e.ctx, promo, loyalty.NewAudit(loyalty.NewRandomIDs(), e.clock.Now(), Owner, "promotion.create", promo.ID, "")); err != nil {
		e.t.Fatal(err)
	}
	bounds := loyalty.PromotionRefreshes(promo, e.clock.Now())
	if len(bounds) != 2 || !bounds[0].StartsAt.Equal(promo.StartsAt.Add(loyalty.RefreshSettle)) || !bounds[1].StartsAt.Equal(promo.EndsAt.Add(loyalty.RefreshSettle)) {
		e.t.Fatalf("bounds %+v", bounds)
	}
	for i, r := range bounds {
		was := e.versions(members)
		if got := e.refresh(r); got.Delivered != int64(len(silver)) {
			e.t.Fatalf("bound %d delivered %d, want the %d Silver members", i, got.Delivered, len(silver))
		}
		now := e.versions(members)
		for _, id := range members {
			want := was[id]
			if slices.Contains(silver, id) {
				want++
			}
			if now[id] != want {
				e.t.Fatalf("bound %d, member %s: version %d → %d, want %d", i, id, was[id], now[id], want)
			}
		}
	}
	// Ended early, then at its planned end: the second finds no card
	// showing it.
	e.clock.Set(e.clock.Now().Add(time.Hour))
	early := promo
	early.ID, early.StartsAt, early.EndsAt = "silver-month", e.clock.Now(), e.clock.Now().Add(30*24*time.Hour)
	if err := e.store.CreatePromotion(e.ctx, early, loyalty.NewAudit(loyalty.NewRandomIDs(), e.clock.Now(), Owner, "promotion.create", early.ID, "")); err != nil {
		e.t.Fatal(err)
	}
	bounds = loyalty.PromotionRefreshes(early, e.clock.Now())
	if got := e.refresh(bounds[0]); got.Delivered != int64(len(silver)) {
		e.t.Fatalf("the start delivered %d", got.Delivered)
	}
	e.clock.Set(e.clock.Now().Add(time.Hour))
	ended, err := e.store.EndPromotion(e.ctx, early.ID, loyalty.NewAudit(loyalty.NewRandomIDs(), e.clock.Now(), Owner, "promotion.end", early.ID, ""))
	if err != nil {
		e.t.Fatal(err)
	}
	if got := e.refresh(loyalty.PromotionEndedRefresh(ended, e.clock.Now())); got.Delivered != int64(len(silver)) {
		e.t.Fatalf("the early end delivered %d", got.Delivered)
	}
	if got := e.refresh(bounds[1]); got.Delivered != 0 {
		e.t.Fatalf("the planned end after an early one delivered %d", got.Delivered)
	}
}
