package stack

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestJobsRunAsIfAtAnInstant(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			clock := storetest.NewClock(time.Date(2027, time.February, 1, 9, 0, 0, 0, time.UTC))
			st, err := New(t.Context(), Options{DataDir: t.TempDir(), Store: storeName, Template: "../../../template.yaml", Clock: clock,
				DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), Table: "fidelio-jobs-" + storeName + time.Now().Format("150405.000"),
				Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(st)
			t.Cleanup(func() { srv.Close(); st.Close() })
			c := &client{t: t, base: srv.URL, http: srv.Client()}
			admin := st.Secrets.AdminKey

			var jobsRun []string
			for _, sj := range st.schedule {
				jobsRun = append(jobsRun, sj.Job)
			}
			if !slices.Equal(jobsRun, []string{"birthdays", "donations", "expiry", "tier-review"}) {
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

// staffKeyFor makes a staff key, for checking that staff cannot run jobs.
func staffKeyFor(c *client, st *Stack) string {
	return c.must(c.do("POST", "/v1/admin/staff-keys", st.Secrets.AdminKey, map[string]any{"storeId": "paris", "name": "Till"}), 201).str("key")
}
