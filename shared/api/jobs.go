package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
)

type jobRunBody struct {
	At string `json:"at"`
	// DryRun, for the migrate job only, reports what a run would change.
	DryRun bool `json:"dryRun"`
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
	if r.PathValue("name") == jobs.NameMigrate {
		return a.migrate(r, b.DryRun)
	}
	if b.DryRun {
		return reply{}, badRequest("invalid_request", "only the migrate job has a dry run")
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

// migrate runs the migrate job (POST /v1/admin/jobs/migrate/runs): as much
// of it as the function's deadline allows. A run that stops there answers
// 200 with "unfinished": true, and the next run takes up where it stopped.
func (a *App) migrate(r *http.Request, dryRun bool) (reply, error) {
	summary, err := a.Jobs.Migrate(r.Context(), a.Store, dryRun)
	if err != nil && !errors.Is(err, jobs.ErrUnfinished) {
		return reply{}, err
	}
	return reply{body: summary}, nil
}
