package api

import (
	"net/http"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

type jobRunBody struct {
	At string `json:"at"`
}

// runJob: POST /v1/admin/jobs/{name}/runs {"at"} — runs a scheduled job now
// as if it were that instant (now or past, jobs.MaxClockSkew aside, unless
// the runner time travels), and answers its summary.
func (a *App) runJob(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var b jobRunBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	at := a.Program.Now()
	if b.At != "" {
		t, err := time.Parse(time.RFC3339, b.At)
		if err != nil {
			return reply{}, badRequest("invalid_request", `at must be an RFC 3339 instant such as "2027-03-15T02:00:00Z"`)
		}
		at = t
	}
	if err := loyalty.ValidSlug("name", r.PathValue("name")); err != nil {
		return reply{}, err
	}
	summary, err := a.Jobs.Run(r.Context(), r.PathValue("name"), at)
	if err != nil {
		return reply{}, err
	}
	if err := a.audit(r, p, "job.run", r.PathValue("name"), "as at "+at.Format(time.RFC3339)); err != nil {
		return reply{}, err
	}
	return reply{body: summary}, nil
}
