package api

import (
	"net/http"

	"github.com/fidelio/fidelio/shared/web"
)

// page serves the web pages (/, /staff, /assets/…): public, static, cached.
func (a *App) page(r *http.Request) (reply, error) {
	rec := &recorder{header: http.Header{}}
	web.Page(rec, r)
	if rec.status == http.StatusNotFound {
		return reply{}, errNoRoute
	}
	return reply{status: rec.status, raw: rec.body.Bytes(), header: rec.header}, nil
}
