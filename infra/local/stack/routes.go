package stack

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fidelio/fidelio/infra/template"
	"github.com/fidelio/fidelio/shared/jobs"
)

// servedRoute is one HTTP route of the template and the function serving it.
type servedRoute struct {
	Method, Path, Function string
}

// scheduledJob is a schedule of the template and the job it runs.
type scheduledJob struct {
	Function, Job, Expression string
	schedule                  schedule
}

// jobOf names the job a scheduled function runs: its directory, but for
// the one whose name has a dash.
func jobOf(dir string) string {
	if dir == "tierreview" {
		return jobs.NameTierReview
	}
	return dir
}

// loadTemplate reads the routes and schedules the template declares: what
// it does not declare is not served or run locally either.
func loadTemplate(path string, now time.Time) ([]servedRoute, []scheduledJob, error) {
	t, err := template.Load(path)
	if err != nil {
		return nil, nil, err
	}
	var routes []servedRoute
	var scheduled []scheduledJob
	for _, f := range t.Functions {
		for _, r := range f.Routes {
			routes = append(routes, servedRoute{Method: r.Method, Path: r.Path, Function: f.Dir})
		}
		for _, sc := range f.Schedules {
			s, err := parseSchedule(sc.Expression, sc.Timezone, now)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: function %s: %w", path, f.Dir, err)
			}
			scheduled = append(scheduled, scheduledJob{Function: f.Dir, Job: jobOf(f.Dir), Expression: sc.Expression, schedule: s})
		}
	}
	if len(routes) == 0 {
		return nil, nil, fmt.Errorf("%s declares no HTTP routes", path)
	}
	slices.SortFunc(routes, func(a, b servedRoute) int { return strings.Compare(a.Path+a.Method, b.Path+b.Method) })
	slices.SortFunc(scheduled, func(a, b scheduledJob) int { return strings.Compare(a.Job, b.Job) })
	return routes, scheduled, nil
}
