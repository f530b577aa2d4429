package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/version"
)

// stores lists the stores the stack is tested on: the embedded one always,
// DynamoDB Local whenever make test has started it.
func stores(t testing.TB) []string {
	if os.Getenv("FIDELIO_DYNAMODB_ENDPOINT") != "" {
		return []string{"embedded", "dynamodb"}
	}
	if os.Getenv("FIDELIO_REQUIRE_DYNAMODB") != "" {
		t.Fatal("FIDELIO_DYNAMODB_ENDPOINT is not set, and this run requires DynamoDB Local")
	}
	t.Log("FIDELIO_DYNAMODB_ENDPOINT is not set: testing the embedded store only (make test runs both)")
	return []string{"embedded"}
}

var tableSeq atomic.Int64

// startStack runs the stack on 127.0.0.1 with the demo program.
func startStack(t testing.TB, storeName string) (*Stack, *client) {
	t.Helper()
	st, err := New(context.Background(), Options{
		DataDir: t.TempDir(), Store: storeName, DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"),
		Table: fmt.Sprintf("fidelio-local-%d-%d", os.Getpid(), tableSeq.Add(1)), Template: "../../../template.yaml", Demo: true,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	t.Cleanup(func() { srv.Close(); st.Close() })
	return st, &client{t: t, base: srv.URL, http: srv.Client()}
}

type client struct {
	t    testing.TB
	base string
	http *http.Client
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func (a answer) str(k string) string { s, _ := a.body[k].(string); return s }
func (a answer) num(k string) int64  { n, _ := a.body[k].(float64); return int64(n) }

func (c *client) do(method, path, token string, body any, headers ...string) answer {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, path, err)
		return answer{}
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 && json.Unmarshal(raw, &a.body) != nil {
		c.t.Errorf("%s %s: body is not JSON: %q", method, path, raw)
	}
	return a
}

func (c *client) must(a answer, status int) answer {
	c.t.Helper()
	if a.status != status {
		c.t.Fatalf("got %d %v, want %d", a.status, a.body, status)
	}
	return a
}

// staffKey creates a key for an employee of store, and the store when it
// is new, and answers the key's creation.
func (c *client) staffKey(admin, store, name string) answer {
	c.t.Helper()
	if a := c.do("POST", "/v1/admin/stores", admin, map[string]any{"id": store, "name": store, "address": "1 place de la Gare", "timeZone": "Europe/Paris"}); a.status != 201 && a.status != 409 {
		c.t.Fatalf("creating store %s: %d %v", store, a.status, a.body)
	}
	return c.must(c.do("POST", "/v1/admin/staff-keys", admin, map[string]any{"storeId": store, "name": name}), 201)
}

func TestRoutesEndToEnd(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			st, c := startStack(t, storeName)
			admin := st.Secrets.AdminKey
			paris, lyon := st.Demo.StaffKeys[0].Key, st.Demo.StaffKeys[1].Key

			if health := c.must(c.do("GET", "/healthz", "", nil), 200); health.str("version") != version.Version || health.str("commit") == "" {
				t.Fatalf("/healthz says version %q, commit %q; want %q and a commit", health.str("version"), health.str("commit"), version.Version)
			}
			ada := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada", "email": "ada@example.com", "birthday": "1990-05-17", "timeZone": "Europe/Paris", "locale": "fr"}), 201)
			eve := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Eve", "email": "eve@example.com"}), 201)
			if c.do("POST", "/v1/members", "", map[string]any{"name": "Ada", "email": "Ada@Example.com"}).str("code") != "email_taken" {
				t.Fatal("the same email enrolled twice")
			}
			earn := map[string]any{"code": ada.str("code"), "receiptId": "R-1", "amount": map[string]any{"value": 52000, "currency": "EUR"}, "confirmed": true}

			// Auth: members and staff stay in their lanes.
			c.must(c.do("POST", "/v1/earnings", ada.str("token"), earn), 403)
			c.must(c.do("GET", "/v1/members/"+eve.str("id"), ada.str("token"), nil), 403)
			c.must(c.do("POST", "/v1/admin/staff-keys", paris, map[string]any{"storeId": "x", "name": "x"}), 403)
			c.must(c.do("GET", "/v1/admin/program", "", nil), 401)

			// The till: scan, earn (upgrade to Silver), replay, redeem, reverse.
			scan := c.must(c.do("POST", "/v1/scans", paris, map[string]any{"code": ada.str("code")}), 200)
			if scan.body["member"].(map[string]any)["name"] != "Ada" {
				t.Fatalf("scan = %v", scan.body)
			}
			e1 := c.must(c.do("POST", "/v1/earnings", paris, earn), 201)
			if e1.num("points") != 520 || e1.str("tier") != "silver" || e1.num("balance") != 570 {
				t.Fatalf("earning = %v", e1.body)
			}
			if again := c.must(c.do("POST", "/v1/earnings", paris, earn), 201); again.str("transactionId") != e1.str("transactionId") || again.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("the same receipt again = %v", again.body)
			}
			red := c.must(c.do("POST", "/v1/redemptions", paris, map[string]any{"code": ada.str("code"), "rewardId": "tote-bag"}, "Idempotency-Key", "t-1"), 201)
			if red.num("balance") != 170 {
				t.Fatalf("redemption = %v", red.body)
			}
			c.must(c.do("POST", "/v1/redemptions", paris, map[string]any{"code": ada.str("code"), "rewardId": "tote-bag"}, "Idempotency-Key", "t-2"), 409)
			c.must(c.do("POST", "/v1/transactions/"+e1.str("transactionId")+"/reversal", lyon, nil), 403)
			rev := c.must(c.do("POST", "/v1/transactions/"+e1.str("transactionId")+"/reversal", paris, nil), 201)
			if rev.num("points") != -170 || rev.num("shortfall") != 350 || rev.str("tier") != "bronze" {
				t.Fatalf("reversal = %v", rev.body)
			}

			// The operator.
			key := c.staffKey(admin, "nice", "Till 1")
			c.must(c.do("POST", "/v1/scans", key.str("key"), map[string]any{"code": eve.str("code")}), 200)
			c.must(c.do("POST", "/v1/admin/rewards", admin, map[string]any{"id": "macaron", "name": "Macaron", "points": 30}), 201)
			c.must(c.do("POST", "/v1/admin/members/"+eve.str("id")+"/adjustments", admin, map[string]any{"points": 25, "note": "goodwill"}, "Idempotency-Key", "a-1"), 201)
			rules := c.must(c.do("GET", "/v1/admin/program", admin, nil), 200)
			rules.body["welcomeBonus"] = 10
			c.must(c.do("PUT", "/v1/admin/program", admin, rules.body), 200)
			if m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Zoe", "email": "zoe@example.com"}), 201); m.num("balance") != 10 {
				t.Fatalf("welcome bonus after the operator's change = %d", m.num("balance"))
			}

			// The member's own view.
			self := c.must(c.do("GET", "/v1/members/"+ada.str("id"), ada.str("token"), nil), 200)
			if self.num("balance") != 0 || self.str("email") != "ada@example.com" {
				t.Fatalf("profile = %v", self.body)
			}
			ledger := c.must(c.do("GET", "/v1/members/"+ada.str("id")+"/ledger?limit=2", ada.str("token"), nil), 200)
			if len(ledger.body["entries"].([]any)) != 2 || ledger.str("next") == "" {
				t.Fatalf("ledger = %v", ledger.body)
			}
		})
	}
}

// TestConcurrentTill sends 120 earns and redemptions at once for one member
// through the HTTP path: afterwards the balance is the ledger's sum, and what
// was awarded minus what was redeemed.
func TestConcurrentTill(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			st, c := startStack(t, storeName)
			paris := st.Demo.StaffKeys[0].Key
			m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Hot", "email": "hot@example.com"}), 201)
			c.must(c.do("POST", "/v1/admin/rewards", st.Secrets.AdminKey, map[string]any{"id": "sticker", "name": "Sticker", "points": 7}), 201)
			const n = 120
			var wg sync.WaitGroup
			var earned, redeemed, refused atomic.Int64
			for i := range n {
				wg.Go(func() {
					if i%3 == 2 {
						a := c.do("POST", "/v1/redemptions", paris, map[string]any{"code": m.str("code"), "rewardId": "sticker"}, "Idempotency-Key", fmt.Sprint("k", i))
						switch a.status {
						case 201:
							redeemed.Add(7)
						case 409:
							refused.Add(1)
						default:
							t.Errorf("redemption: %d %v", a.status, a.body)
						}
						return
					}
					a := c.do("POST", "/v1/earnings", paris, map[string]any{"code": m.str("code"), "receiptId": fmt.Sprint("r", i), "amount": map[string]any{"value": 500, "currency": "EUR"}})
					if a.status != 201 {
						t.Errorf("earning: %d %v", a.status, a.body)
					}
					earned.Add(a.num("points"))
				})
			}
			wg.Wait()
			var sum int64
			count := 0
			for cursor := ""; ; {
				page := c.must(c.do("GET", "/v1/members/"+m.str("id")+"/ledger?limit=100"+cursor, st.Secrets.AdminKey, nil), 200)
				for _, e := range page.body["entries"].([]any) {
					sum += int64(e.(map[string]any)["points"].(float64))
					count++
				}
				if page.str("next") == "" {
					break
				}
				cursor = "&cursor=" + page.str("next")
			}
			balance := c.must(c.do("GET", "/v1/members/"+m.str("id"), st.Secrets.AdminKey, nil), 200).num("balance")
			if balance != sum || balance != 50+earned.Load()-redeemed.Load() || count != 1+n-int(refused.Load()) {
				t.Fatalf("balance %d, ledger sum %d over %d entries; 50 + %d earned - %d redeemed, %d refused",
					balance, sum, count, earned.Load(), redeemed.Load(), refused.Load())
			}
		})
	}
}

// BenchmarkEarnHTTP measures the full HTTP path of an earning through the
// local stack on the embedded store: request, event, handler, store, answer.
// cpu-µs/op is the process's CPU time (user and system, the client's
// included) per earning, the figure a loaded machine disturbs least.
func BenchmarkEarnHTTP(b *testing.B) {
	st, c := startStack(b, "embedded")
	paris := st.Demo.StaffKeys[0].Key
	var seq atomic.Int64
	var mu sync.Mutex
	var took []time.Duration
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	b.RunParallel(func(pb *testing.PB) {
		m := c.do("POST", "/v1/members", "", map[string]any{"name": "Bench", "email": fmt.Sprintf("b%d@example.com", seq.Add(1))})
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			a := c.do("POST", "/v1/earnings", paris, map[string]any{"code": m.str("code"), "receiptId": fmt.Sprint("r", seq.Add(1)), "amount": map[string]any{"value": 1250, "currency": "EUR"}})
			mine = append(mine, time.Since(t0))
			if a.status != 201 {
				b.Errorf("earning: %d %v", a.status, a.body)
			}
		}
		mu.Lock()
		took = append(took, mine...)
		mu.Unlock()
	})
	elapsed, cpu := time.Since(start), processCPU()-cpu
	slices.Sort(took)
	if len(took) > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(took)), "cpu-µs/op")
		b.ReportMetric(float64(len(took))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
