package api

import (
	"net/http"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// stats: GET /v1/admin/stats?from=YYYY-MM-DD&to=YYYY-MM-DD — the program's
// figures for each UTC day and for the period, from its counters.
func (a *App) stats(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	q := r.URL.Query()
	from, err := loyalty.ParseDate(q.Get("from"))
	if err != nil {
		return reply{}, err
	}
	to, err := loyalty.ParseDate(q.Get("to"))
	if err != nil {
		return reply{}, err
	}
	report, err := store.StatsReport(r.Context(), a.Store, from, to)
	if err != nil {
		return reply{}, err
	}
	return reply{body: report}, nil
}
