package api

import (
	"bytes"
	"net/http"
)

// page serves the web pages (/, /staff, /assets/…): public, static, cached.
func (a *App) page(r *http.Request) (reply, error) {
	if a.Pages == nil {
		return reply{}, errNoRoute
	}
	rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
	a.Pages.ServeHTTP(rec, r)
	if rec.status == http.StatusNotFound {
		return reply{}, errNoRoute
	}
	return reply{status: rec.status, raw: rec.body.Bytes(), header: rec.header}, nil
}

// pageRecorder keeps what the pages wrote, for the reply it becomes.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *pageRecorder) Header() http.Header         { return r.header }
func (r *pageRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *pageRecorder) WriteHeader(status int)      { r.status = status }
