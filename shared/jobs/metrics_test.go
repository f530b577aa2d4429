package jobs_test

import (
	"bytes"
	"testing"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/metrics/emftest"
)

func TestAScheduledRunIsCountedAndTimed(t *testing.T) {
	f := newFixture(t)
	f.enroll("2027-01-01T00:00:00Z", "bday@example.com", "1990-03-15", "UTC")
	f.clock.Set(instant("2027-03-15T12:00:00Z"))
	var emf bytes.Buffer
	defer metrics.SetOutput(&emf)()
	if _, err := f.runner.Handler(jobs.NameBirthdays)(f.ctx, jobs.Trigger{At: "2027-03-15T12:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	f.runner.Handler(jobs.NameBirthdays)(f.ctx, jobs.Trigger{At: "2030-03-15T12:00:00Z"}) // refused: a failure
	ms := emftest.Parse(t, emf.Bytes())
	job := map[string]string{"Job": jobs.NameBirthdays}
	if runs, failures, changed := emftest.Sum(ms, "JobRuns", job), emftest.Sum(ms, "JobFailures", job), emftest.Sum(ms, "JobMembersChanged", job); runs != 2 || failures != 1 || changed != 1 {
		t.Errorf("birthdays: %v runs, %v failures, %v members changed; want 2, 1, 1", runs, failures, changed)
	}
	timed := 0
	for _, m := range ms {
		if m.Name == "JobDuration" && m.Unit == metrics.Milliseconds && m.Dimensions["Job"] == jobs.NameBirthdays {
			timed++
		}
	}
	if timed != 2 {
		t.Errorf("%d runs timed, want 2", timed)
	}
}
