package api

import (
	"errors"
	"net/http"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// refreshCards starts the card refreshes of a change the operator saved. A
// failure answers 503 though the change is saved: a refresh saved but not
// sent is sent by the same refresh asked again, else the cards take the
// change at their next update.
func (a *App) refreshCards(r *http.Request, refreshes ...loyalty.CardRefresh) error {
	if a.RefreshCards == nil {
		return nil
	}
	for _, rf := range refreshes {
		if err := a.RefreshCards(r.Context(), rf); err != nil {
			return errors.Join(store.ErrUnavailable, err)
		}
	}
	return nil
}

// rulesChanged refreshes the cards when the rules saved changed what they
// show.
func (a *App) rulesChanged(r *http.Request, before, after loyalty.Rules) error {
	rf, ok := loyalty.RulesRefresh(before, after, a.Program.Now())
	if !ok {
		return nil
	}
	return a.refreshCards(r, rf)
}
