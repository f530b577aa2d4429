package loyalty

import (
	"cmp"
	"errors"
	"testing"
	"time"
)

var (
	promoNow = time.Date(2026, time.November, 27, 18, 0, 0, 0, time.UTC)
	shops    = []Shop{{ID: "paris"}, {ID: "lyon"}}
)

func weekendPromotion() Promotion {
	return Promotion{
		ID: "weekend", Name: Texts{EN: "Double points", FR: "Points doublés"}, MultiplierPercent: 200,
		StartsAt: time.Date(2026, time.November, 28, 0, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, time.November, 30, 0, 0, 0, 0, time.UTC),
		StoreID: "paris",
	}
}

func TestAPromotionMultipliesOnlyInsideItsWindowAndScope(t *testing.T) {
	p := weekendPromotion()
	anywhere := p
	anywhere.ID, anywhere.StoreID, anywhere.MultiplierPercent = "anywhere", "", 150
	ended := p
	ended.ID, ended.MultiplierPercent = "ended", 300
	endedAt := p.StartsAt.Add(time.Hour)
	ended.EndedAt = &endedAt
	gold := p
	gold.ID, gold.MultiplierPercent, gold.Segment = "gold", 500, &Segment{Tier: Gold}
	all := []Promotion{p, anywhere, ended, gold}
	cases := []struct {
		name    string
		storeID string
		at      time.Time
		want    string
		tier    Tier
	}{
		{"a second before the window: none", "paris", p.StartsAt.Add(-time.Second), "", ""},
		{"at its start, at its store: the best of those that apply", "paris", p.StartsAt.Add(30 * time.Minute), "ended", ""},
		{"after one was ended early, it no longer applies", "paris", endedAt, "weekend", ""},
		{"at another store, only the promotion of every store", "lyon", endedAt, "anywhere", ""},
		{"the last second of the window still applies", "paris", p.EndsAt.Add(-time.Second), "weekend", ""},
		{"at its end, nothing applies", "paris", p.EndsAt, "", ""},
		{"a member of its segment gets the segment's", "paris", endedAt, "gold", Gold},
		{"a member of another tier does not", "paris", endedAt, "weekend", Platinum},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			best, ok := BestPromotion(all, Member{Tier: cmp.Or(c.tier, Bronze)}, c.storeID, c.at)
			if ok != (c.want != "") || best.ID != c.want {
				t.Errorf("BestPromotion at %s, %v = %q, %v; want %q", c.storeID, c.at, best.ID, ok, c.want)
			}
		})
	}
}

func TestPromotionsMultiplyInIntegersRoundingDown(t *testing.T) {
	p := weekendPromotion()
	p.MultiplierPercent = 150
	for points, want := range map[int64]int64{0: 0, 1: 1, 3: 4, 10: 15, MaxPoints: MaxPoints * 3 / 2} {
		if got := p.Multiply(points); got != want {
			t.Errorf("150%% of %d = %d, want %d", points, got, want)
		}
	}
}

func TestPreparePromotionRefusesWhatCannotApply(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Promotion)
	}{
		{"no id", func(p *Promotion) { p.ID = "" }},
		{"no name", func(p *Promotion) { p.Name = Texts{} }},
		{"a French name alone", func(p *Promotion) { p.Name = Texts{FR: "Points doublés"} }},
		{"a multiplier that changes nothing", func(p *Promotion) { p.MultiplierPercent = 100 }},
		{"a multiplier that takes points away", func(p *Promotion) { p.MultiplierPercent = 50 }},
		{"a multiplier above ten times", func(p *Promotion) { p.MultiplierPercent = 1001 }},
		{"a window ending before it starts", func(p *Promotion) { p.StartsAt, p.EndsAt = p.EndsAt, p.StartsAt }},
		{"an empty window", func(p *Promotion) { p.EndsAt = p.StartsAt }},
		{"no end", func(p *Promotion) { p.EndsAt = time.Time{} }},
		{"a window longer than a year", func(p *Promotion) { p.EndsAt = p.StartsAt.AddDate(1, 1, 0) }},
		{"a window already over", func(p *Promotion) { p.StartsAt, p.EndsAt = promoNow.Add(-2*time.Hour), promoNow }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := weekendPromotion()
			c.change(&p)
			if _, err := PreparePromotion(p, shops, promoNow); !errors.Is(err, ErrInvalid) {
				t.Errorf("PreparePromotion = %v, want ErrInvalid", err)
			}
		})
	}
	for name, change := range map[string]func(*Promotion){
		"a store that does not exist":   func(p *Promotion) { p.StoreID = "nice" },
		"a segment's unknown store":     func(p *Promotion) { p.Segment = &Segment{Store: "nice"} },
		"a segment's unknown tier":      func(p *Promotion) { p.Segment = &Segment{Tier: "diamond"} },
		"a segment naming an RFM class": func(p *Promotion) { p.Segment = &Segment{Class: "champions"} },
	} {
		p := weekendPromotion()
		change(&p)
		if _, err := PreparePromotion(p, shops, promoNow); !errors.Is(err, ErrShopNotFound) && !errors.Is(err, ErrInvalidSegment) {
			t.Errorf("%s: PreparePromotion = %v, want the store or the segment refused", name, err)
		}
	}
	p := weekendPromotion()
	p.StartsAt = p.StartsAt.Add(500 * time.Millisecond)
	p.Segment = &Segment{}
	ok, err := PreparePromotion(p, shops, promoNow)
	if err != nil || !ok.CreatedAt.Equal(promoNow) || ok.StartsAt.Nanosecond() != 0 || ok.EndedAt != nil || ok.Segment != nil {
		t.Errorf("PreparePromotion of a good one = %+v, %v; want it created now, in whole seconds, for every member", ok, err)
	}
}

func TestEndingAPromotionOnlyShortensIt(t *testing.T) {
	p := weekendPromotion()
	if _, changed := p.Ended(p.EndsAt); changed {
		t.Error("ending a promotion at its end changed it")
	}
	mid := p.StartsAt.Add(time.Hour)
	ended, changed := p.Ended(mid)
	if !changed || !ended.Until().Equal(mid) || ended.ActiveAt(mid) || !ended.ActiveAt(mid.Add(-time.Second)) {
		t.Errorf("ended at %v: %+v, changed %v", mid, ended, changed)
	}
	if _, changed := ended.Ended(mid.Add(time.Minute)); changed {
		t.Error("ending an ended promotion again changed it")
	}
	before := p.StartsAt.Add(-time.Hour)
	if cancelled, _ := p.Ended(before); cancelled.ActiveAt(p.StartsAt) {
		t.Error("a promotion ended before its start still applies in its window")
	}
}
