package jobs

import (
	"context"
	"fmt"
	"time"
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
		return r.Run(ctx, name, at)
	}
}
