package api

import (
	"fmt"
	"net/http"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// createPromotion: POST /v1/admin/promotions — points multiplied inside a
// window, at one store or all, for a segment or all (409 when the id is taken, even by one that
// ended: ledger entries name it).
func (a *App) createPromotion(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var promo loyalty.Promotion
	if err := decode(r, &promo); err != nil {
		return reply{}, err
	}
	shops, err := a.Store.Shops(r.Context())
	if err != nil {
		return reply{}, err
	}
	promo, err = loyalty.PreparePromotion(promo, shops, a.Program.Now())
	if err != nil {
		return reply{}, err
	}
	detail := fmt.Sprintf("%s, %d%%", promo.Name.EN, promo.MultiplierPercent)
	if err := a.Store.CreatePromotion(r.Context(), promo, a.auditEntry(p, "promotion.create", promo.ID, detail)); err != nil {
		return reply{}, err
	}
	a.Program.PromotionsChanged()
	if err := a.refreshCards(r, loyalty.PromotionRefreshes(promo, a.Program.Now())...); err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusCreated, body: promo}, nil
}

// listPromotions: GET /v1/admin/promotions, the latest start first.
func (a *App) listPromotions(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	promos, err := a.Store.Promotions(r.Context())
	if err != nil {
		return reply{}, err
	}
	loyalty.SortPromotions(promos)
	return reply{body: map[string]any{"promotions": promos}}, nil
}

// endPromotion: DELETE /v1/admin/promotions/{id} ends a promotion now; one
// that has not started never applies. It is kept, for the ledger.
func (a *App) endPromotion(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathSlug(r, "id")
	if err != nil {
		return reply{}, err
	}
	promo, err := a.Store.EndPromotion(r.Context(), id, a.auditEntry(p, "promotion.end", id, ""))
	if err != nil {
		return reply{}, err
	}
	a.Program.PromotionsChanged()
	if promo.EndedAt != nil {
		if err := a.refreshCards(r, loyalty.PromotionEndedRefresh(promo, a.Program.Now())); err != nil {
			return reply{}, err
		}
	}
	return reply{body: promo}, nil
}
