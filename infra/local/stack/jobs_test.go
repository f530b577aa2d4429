package stack

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// startJobStack starts a stack on a clock of its own, time travelling or not.
func startJobStack(t *testing.T, storeName string, clock *storetest.Clock, timeTravel bool) (*Stack, *client) {
	t.Helper()
	st, err := New(t.Context(), Options{DataDir: t.TempDir(), Store: storeName, Template: "../../../template.yaml", Clock: clock, TimeTravel: timeTravel,
		DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), Table: "fidelio-jobs-" + storeName + time.Now().Format("150405.000"),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	t.Cleanup(func() { srv.Close(); st.Close() })
	return st, &client{t: t, base: srv.URL, http: srv.Client()}
}

func TestJobsRunAsIfAtAnInstant(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2027, time.February, 1, 9, 0, 0, 0, time.UTC))
			// The tier review below runs an hour ahead of the clock.
			st, c := startJobStack(t, storeName, clock, true)
			admin := st.Secrets.AdminKey

			var jobsRun []string
			for _, sj := range st.schedule {
				jobsRun = append(jobsRun, sj.Job)
			}
			if !slices.Equal(jobsRun, []string{"birthdays", "donations", "expiry", "segments", "tier-review"}) {
				t.Fatalf("schedules read from the template: %v", jobsRun)
			}

			tokyo := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Aiko", "email": "aiko@example.com", "birthday": "1990-03-15", "timeZone": "Asia/Tokyo"}), 201)
			la := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Luz", "email": "luz@example.com", "birthday": "1990-03-15", "timeZone": "America/Los_Angeles"}), 201)
			clock.Set(time.Date(2027, time.March, 15, 2, 0, 0, 0, time.UTC))
			// 02:00 UTC is 11:00 on 15 March in Tokyo and still 14 March in Los Angeles.
			run := c.must(c.do("POST", "/v1/admin/jobs/birthdays/runs", admin, map[string]any{"at": "2027-03-15T02:00:00Z"}), 200)
			if run.str("job") != "birthdays" || run.num("changed") != 1 || run.num("examined") < 2 {
				t.Fatalf("birthday run = %v", run.body)
			}
			if b := c.must(c.do("GET", "/v1/members/"+tokyo.str("id"), admin, nil), 200).num("balance"); b != 150 {
				t.Fatalf("Tokyo member's balance after her birthday = %d, want 150", b)
			}
			if b := c.must(c.do("GET", "/v1/members/"+la.str("id"), admin, nil), 200).num("balance"); b != 50 {
				t.Fatalf("Los Angeles member got a present on the 14th: balance %d", b)
			}
			again := c.must(c.do("POST", "/v1/admin/jobs/birthdays/runs", admin, map[string]any{"at": "2027-03-15T02:00:00Z"}), 200)
			if again.num("changed") != 0 {
				t.Fatalf("a rerun gave more presents: %v", again.body)
			}
			c.must(c.do("POST", "/v1/admin/jobs/payroll/runs", admin, map[string]any{}), 400)
			c.must(c.do("POST", "/v1/admin/jobs/birthdays/runs", admin, map[string]any{"at": "yesterday"}), 400)
			c.must(c.do("POST", "/v1/admin/jobs/expiry/runs", staffKeyFor(c, st), map[string]any{}), 403)
			if r := c.must(c.do("POST", "/v1/admin/jobs/tier-review/runs", admin, map[string]any{"at": "2027-03-15T03:00:00Z"}), 200); r.str("job") != "tier-review" {
				t.Fatalf("tier review run = %v", r.body)
			}
		})
	}
}

func TestAJobRunInTheFutureIsRefusedUnlessTheStackTimeTravels(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			now := time.Date(2027, time.November, 30, 23, 0, 0, 0, time.UTC)
			st, c := startJobStack(t, storeName, storetest.NewClock(now), false)
			admin := st.Secrets.AdminKey
			m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ines", "email": "ines@example.com"}), 201)

			// The welcome points expire on 30 November 2028.
			afterTheirDay := "2028-12-01T00:05:00Z"
			refused := c.must(c.do("POST", "/v1/admin/jobs/expiry/runs", admin, map[string]any{"at": afterTheirDay}), 400)
			if refused.str("code") != "run_in_future" || refused.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(refused.str("detail"), afterTheirDay) {
				t.Fatalf("a run a year ahead = %d %v %v, want a run_in_future problem naming the instant", refused.status, refused.header, refused.body)
			}
			if b := c.must(c.do("GET", "/v1/members/"+m.str("id"), admin, nil), 200).num("balance"); b != 50 {
				t.Fatalf("balance after a refused run = %d, want the 50 points untouched", b)
			}
			within := now.Add(jobs.MaxClockSkew).Format(time.RFC3339)
			if r := c.must(c.do("POST", "/v1/admin/jobs/expiry/runs", admin, map[string]any{"at": within}), 200); r.str("job") != "expiry" || r.num("changed") != 0 {
				t.Fatalf("a run within the clock skew = %v", r.body)
			}
			c.must(c.do("POST", "/v1/admin/jobs/birthdays/runs", admin, map[string]any{"at": "2030-03-15T12:00:00Z"}), 400)

			st, c = startJobStack(t, storeName, storetest.NewClock(now), true)
			admin = st.Secrets.AdminKey
			m = c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ines", "email": "ines@example.com"}), 201)
			if r := c.must(c.do("POST", "/v1/admin/jobs/expiry/runs", admin, map[string]any{"at": afterTheirDay}), 200); r.num("changed") != 1 {
				t.Fatalf("a time travelling run = %v, want the lot of 30 November 2028 expired", r.body)
			}
			if b := c.must(c.do("GET", "/v1/members/"+m.str("id"), admin, nil), 200).num("balance"); b != 0 {
				t.Fatalf("balance after a time travelling expiry = %d, want 0", b)
			}
			if !strings.Contains(st.Welcome(), "time travel: on") {
				t.Fatalf("the welcome does not say time travel is on:\n%s", st.Welcome())
			}
		})
	}
}

// staffKeyFor makes a staff key, for checking that staff cannot run jobs.
func staffKeyFor(c *client, st *Stack) string {
	return c.staffKey(st.Secrets.AdminKey, "paris", "Till").str("key")
}
