package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/fidelio/fidelio/shared/metrics"
)

// Trigger is what EventBridge Scheduler sends a job function. The template's
// Input fills At with the run's scheduled time, so a retry of a run (or a
// dead-lettered one replayed) does the same run, whatever the clock says.
type Trigger struct {
	At string `json:"at"`
}

// Handler returns a job's Lambda handler. A non-nil error (the run did not
// finish) makes the Scheduler retry, and a rerun resumes where this one
// stopped.
func (r *Runner) Handler(name string) func(context.Context, Trigger) (Summary, error) {
	return func(ctx context.Context, t Trigger) (Summary, error) {
		at := time.Now().UTC()
		if t.At != "" {
			parsed, err := time.Parse(time.RFC3339, t.At)
			if err != nil {
				return Summary{}, fmt.Errorf("job %s: trigger time %q: %w", name, t.At, err)
			}
			at = parsed
		}
		start := time.Now()
		s, err := r.Run(ctx, name, at)
		failed := int64(0)
		if err != nil {
			failed = 1
		}
		metrics.Emit(map[string]string{"Job": name},
			metrics.Value{Name: "JobRuns", Unit: metrics.Count, Value: 1},
			metrics.Value{Name: "JobFailures", Unit: metrics.Count, Value: failed},
			metrics.Value{Name: "JobDuration", Unit: metrics.Milliseconds, Value: time.Since(start).Milliseconds()},
			metrics.Value{Name: "JobMembersChanged", Unit: metrics.Count, Value: int64(s.Changed)})
		return s, err
	}
}
