package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/wire"
)

// WorkloadReport is what RunWorkload did.
type WorkloadReport struct {
	// Requests counts the requests by operation, each once however often
	// its client sent it.
	Requests map[string]int
	// Sent counts every sending, retries included.
	Sent int
	// Retried5xx counts the answers 5xx that a client sent again, by code.
	Retried5xx map[string]int
	// Final counts the last answers by status and code ("201", "409 insufficient_points").
	Final map[string]int
	// Replayed counts the answers flagged Idempotent-Replayed.
	Replayed int
	// Entries counts the ledger entries checked; Scheduled, those the
	// program made itself (welcome bonuses and the jobs' changes), by kind.
	Entries   int
	Scheduled map[loyalty.Kind]int
}

// workloadMembers is how many members the workload enrolls; each has two
// tills and itself working on its account at once.
const workloadMembers = 8

// RunWorkload runs a program's busy day and the night its points expire
// concurrently through the HTTP API on s: enrollments, earnings at two
// stores, redemptions, reversals, gifts to two charities, and every
// scheduled job, while faults (when not nil) is switched on. Each client
// sends a request again with the same Idempotency-Key (or receipt) when it
// is answered 5xx, as a till does, until it gets another answer. With the
// faults off again, it checks that every member's balance equals its ledger
// and its lots, that every acknowledged request is in the ledger exactly
// once and nothing else is, that no scheduled change was made twice, that
// no charity's totals drift from the donate entries, and that no request's
// last answer is a 5xx.
func RunWorkload(t *testing.T, s store.Store, faults func(on bool)) WorkloadReport {
	t.Helper()
	if faults == nil {
		faults = func(bool) {}
	}
	clock := NewClock(Start)
	deps, err := wire.Deps(config.Config{Secrets: config.Secrets{AdminKey: workloadAdminKey, CodeKeys: signing.NewKeySpec("K1")}}, s, clock, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	w := &workload{t: t, app: app, report: WorkloadReport{Requests: map[string]int{}, Retried5xx: map[string]int{}, Final: map[string]int{}, Scheduled: map[loyalty.Kind]int{}}, acked: map[string]ack{}}

	tills := map[string]string{}
	for _, storeID := range []string{"paris", "lyon"} {
		w.must(w.send("store", "POST", "/v1/admin/stores", workloadAdminKey, map[string]any{"id": storeID, "name": storeID, "address": "1 place " + storeID, "timeZone": "Europe/Paris"}, ""), 201)
		tills[storeID] = w.must(w.send("staff-key", "POST", "/v1/admin/staff-keys", workloadAdminKey, map[string]any{"storeId": storeID, "name": "Till"}, ""), 201).str("key")
	}
	// Points expire at the end of the month after next, so that the night
	// they do is weeks away, not a year: the jobs catch up over those days.
	rules := loyalty.DefaultRules()
	rules.ExpiryMonths = 1
	w.must(w.send("rules", "PUT", "/v1/admin/program", workloadAdminKey, rules, ""), 200)
	w.must(w.send("reward", "POST", "/v1/admin/rewards", workloadAdminKey, map[string]any{"id": "coffee", "name": "Coffee", "points": 60}, ""), 201)
	charities := []string{"trees", "water"}
	w.must(w.send("charity", "POST", "/v1/admin/charities", workloadAdminKey, map[string]any{"id": "trees", "name": "Trees", "pointsPerUnit": 100, "currency": "EUR", "minPoints": 10, "step": 10, "matching": map[string]any{"ratio": 1, "capPoints": 300}}, ""), 201)
	w.must(w.send("charity", "POST", "/v1/admin/charities", workloadAdminKey, map[string]any{"id": "water", "name": "Water", "pointsPerUnit": 100, "currency": "EUR", "minPoints": 10, "step": 10}, ""), 201)

	faults(true)
	members := make([]member, workloadMembers)
	// Each enrollment is sent twice at once with its key, as a phone
	// resending it would: one member, counted once.
	w.parallel(2*workloadMembers, func(i int) {
		dup, i := i >= workloadMembers, i%workloadMembers
		body := map[string]any{"name": fmt.Sprintf("Member %d", i), "email": fmt.Sprintf("m%d@example.com", i)}
		if i%2 == 0 {
			body["birthday"] = "1990-01-01" // the night the points expire is their birthday
		}
		a := w.send("enroll", "POST", "/v1/members", "", body, fmt.Sprintf("enroll-%d", i))
		if a.status != 201 || dup {
			return
		}
		members[i] = member{id: a.str("id"), token: a.str("token"), code: a.str("code")}
		if i%3 == 0 {
			w.send("donation-plan", "PUT", "/v1/members/"+a.str("id")+"/donation-plan", a.str("token"), map[string]any{"charityId": "water", "monthlyPoints": 20}, "")
		}
	})
	for i, m := range members {
		if m.id == "" {
			t.Fatalf("member %d was never enrolled", i)
		}
	}

	// The day: each member at two tills and on their phone, while the jobs run.
	earnings := make([][]string, workloadMembers)  // the transaction ids of each member's earnings at paris
	redemptions := make([]string, workloadMembers) // each member's redemption at paris, when made
	var mu sync.Mutex
	w.parallel(3*workloadMembers+1, func(i int) {
		if i == 3*workloadMembers {
			for _, job := range []string{"donations", "expiry", "tier-review", "birthdays"} {
				w.send("job "+job, "POST", "/v1/admin/jobs/"+job+"/runs", workloadAdminKey, map[string]any{}, "")
			}
			return
		}
		m := members[i/3]
		switch i % 3 {
		case 0:
			for r := range 3 {
				a := w.earn(tills["paris"], m, fmt.Sprintf("P-%s-%d", m.id, r), 20_000+int64(r)*1_000)
				mu.Lock()
				earnings[i/3] = append(earnings[i/3], a.str("transactionId"))
				mu.Unlock()
			}
			redemptions[i/3] = w.redeem(tills["paris"], m, "day-paris").str("transactionId")
		case 1:
			w.earn(tills["lyon"], m, "L-"+m.id, 15_000)
			w.redeem(tills["lyon"], m, "day-lyon")
		case 2:
			w.donate(m, charities[0], 50, "day-1")
			w.donate(m, charities[1], 30, "day-2")
		}
	})
	w.parallel(2*workloadMembers, func(i int) {
		if i >= workloadMembers {
			w.adjust(members[i-workloadMembers], i)
			return
		}
		if tx := earnings[i]; len(tx) > 0 && tx[0] != "" {
			// A part of the receipt, then the rest.
			part := map[string]any{"amount": map[string]any{"value": 7_777, "currency": "EUR"}, "refundId": fmt.Sprint("part-", i)}
			w.send("refund", "POST", "/v1/transactions/"+tx[0]+"/reversal", tills["paris"], part, "")
			w.send("reversal", "POST", "/v1/transactions/"+tx[0]+"/reversal", tills["paris"], nil, "")
		}
		if red := redemptions[i]; red != "" {
			w.send("undo", "POST", "/v1/transactions/"+red+"/reversal", tills["paris"], nil, "")
		}
	})

	// The night the points of the day expire: half the members have their
	// birthday, pledges are due; tills keep working.
	clock.Set(time.Date(2027, time.January, 1, 1, 0, 0, 0, time.UTC))
	w.parallel(3*workloadMembers+2, func(i int) {
		if i >= 3*workloadMembers {
			for range 2 {
				for _, job := range []string{"donations", "expiry", "tier-review", "birthdays"} {
					w.send("job "+job, "POST", "/v1/admin/jobs/"+job+"/runs", workloadAdminKey, map[string]any{}, "")
				}
			}
			return
		}
		m := members[i/3]
		switch i % 3 {
		case 0:
			w.earn(tills["paris"], m, "P2-"+m.id, 9_000)
			if tx := earnings[i/3]; len(tx) > 1 && tx[1] != "" {
				w.send("reversal", "POST", "/v1/transactions/"+tx[1]+"/reversal", tills["paris"], nil, "")
			}
		case 1:
			w.redeem(tills["lyon"], m, "night-lyon")
		case 2:
			w.donate(m, charities[0], 40, "night-1")
		}
	})
	faults(false)

	w.check(s, members, charities)
	return w.report
}

const workloadAdminKey = "fa_workload_admin_key_0123456789"

type member struct{ id, token, code string }

// ack is an acknowledged change: its answer named a ledger entry.
type ack struct {
	op     string
	points int64
}

type workload struct {
	t   *testing.T
	app *api.App

	mu     sync.Mutex
	report WorkloadReport
	acked  map[string]ack // by transaction id
}

type answer struct {
	status   int
	body     map[string]any
	replayed bool
}

func (a answer) str(k string) string { s, _ := a.body[k].(string); return s }
func (a answer) num(k string) int64  { n, _ := a.body[k].(float64); return int64(n) }

func (w *workload) parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

func (w *workload) must(a answer, status int) answer {
	w.t.Helper()
	if a.status != status {
		w.t.Fatalf("answer %d %v, want %d", a.status, a.body, status)
	}
	return a
}

func (w *workload) earn(till string, m member, receipt string, cents int64) answer {
	return w.send("earning", "POST", "/v1/earnings", till, map[string]any{"code": m.code, "receiptId": receipt, "amount": map[string]any{"value": cents, "currency": "EUR"}}, "")
}

func (w *workload) redeem(till string, m member, key string) answer {
	return w.send("redemption", "POST", "/v1/redemptions", till, map[string]any{"code": m.code, "rewardId": "coffee"}, key+"-"+m.id)
}

// adjust credits or debits a member by hand, and sends it once more with its
// key: the same entry, counted once.
func (w *workload) adjust(m member, i int) {
	path, key := "/v1/admin/members/"+m.id+"/adjustments", fmt.Sprint("adjust-", i)
	body := map[string]any{"points": 15 - 20*int64(i%2), "note": "goodwill"}
	first := w.send("adjustment", "POST", path, workloadAdminKey, body, key)
	again := w.sendOnce("POST", path, workloadAdminKey, body, key)
	for n := 1; again.status >= 500 && n < maxSends; n++ { // faults: sent again, as send does
		time.Sleep(time.Duration(n) * 2 * time.Millisecond)
		again = w.sendOnce("POST", path, workloadAdminKey, body, key)
	}
	if first.status == 201 && again.str("transactionId") != first.str("transactionId") {
		w.t.Errorf("adjustment %s sent again: %d %v, first %v", key, again.status, again.body, first.body)
	}
}

func (w *workload) donate(m member, charity string, points int, key string) answer {
	return w.send("gift", "POST", "/v1/members/"+m.id+"/donations", m.token, map[string]any{"charityId": charity, "points": points}, key)
}

// maxSends bounds how often a client sends one request.
const maxSends = 40

// send delivers one request as a till would: the same body and key again
// while the answer is a 5xx, with a short growing pause, at most maxSends
// times. It records the last answer, and the change it acknowledges.
func (w *workload) send(op, method, path, token string, body any, key string) answer {
	var a answer
	for n := range maxSends {
		a = w.sendOnce(method, path, token, body, key)
		w.mu.Lock()
		w.report.Sent++
		if a.status >= 500 && n+1 < maxSends {
			w.report.Retried5xx[a.str("code")]++
			w.mu.Unlock()
			time.Sleep(time.Duration(n+1) * 2 * time.Millisecond)
			continue
		}
		w.mu.Unlock()
		break
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.report.Requests[op]++
	final := fmt.Sprint(a.status)
	if a.status >= 400 {
		final += " " + a.str("code")
	}
	w.report.Final[final]++
	if a.replayed {
		w.report.Replayed++
	}
	if tx := a.str("transactionId"); tx != "" && a.status == 201 {
		if prev, ok := w.acked[tx]; ok {
			w.t.Errorf("%s and %s were both answered with transaction %s", prev.op, op, tx)
		}
		w.acked[tx] = ack{op: op, points: a.num("points")}
	}
	return a
}

func (w *workload) sendOnce(method, path, token string, body any, key string) answer {
	w.t.Helper()
	var data []byte
	if body != nil {
		data, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(string(data)))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	ev, err := apigateway.EventFromRequest(req, method+" "+path, "workload", nil)
	if err != nil {
		w.t.Error(err)
		return answer{}
	}
	out, err := apigateway.Wrap(w.app)(context.Background(), ev)
	if err != nil {
		w.t.Errorf("%s %s returned an error instead of an answer: %v", method, path, err)
		return answer{}
	}
	a := answer{status: out.StatusCode, replayed: out.Headers["Idempotent-Replayed"] == "true"}
	if out.Body != "" {
		if err := json.Unmarshal([]byte(out.Body), &a.body); err != nil {
			w.t.Errorf("%s %s: body is not JSON: %q", method, path, out.Body)
		}
	}
	return a
}

// check holds the store to the ledger, the answers given and the charities.
func (w *workload) check(s store.Store, members []member, charities []string) {
	t := w.t
	t.Helper()
	ctx := context.Background()
	if n := w.report.Retried5xx["internal"]; n > 0 {
		t.Errorf("%d answers were 500 internal: a failure of the store is 503 unavailable, to send again", n)
	}
	for final, n := range w.report.Final {
		if strings.HasPrefix(final, "5") {
			t.Errorf("%d requests were last answered %s after %d sends", n, final, maxSends)
		}
		if final != "200" && final != "201" && final != "409 insufficient_points" {
			t.Errorf("%d requests were last answered %s", n, final)
		}
	}
	given := map[string]loyalty.CharityTotals{}
	inLedger := map[string]bool{}
	for _, m := range members {
		mem, err := s.Member(ctx, m.id)
		if err != nil {
			t.Fatal(err)
		}
		entries := workloadLedger(t, s, m.id)
		w.report.Entries += len(entries)
		var sum int64
		scheduled := map[string]int{}
		for i, e := range entries {
			sum += e.Points
			if e.Seq != int64(i+1) || e.BalanceAfter != sum {
				t.Errorf("member %s: entry %d has seq %d and balance after %d, want %d and %d", m.id, i, e.Seq, e.BalanceAfter, i+1, sum)
			}
			tx := e.TxID().String()
			switch {
			case e.Actor == "program":
				// Scheduled or welcome: once per kind and what it is for.
				what := string(e.Kind) + " " + e.Ref.Note + " " + e.Ref.CharityID
				if e.Kind == loyalty.KindBirthday || e.Kind == loyalty.KindDonate {
					what += " " + e.CreatedAt.Format("2006-01")
				}
				w.report.Scheduled[e.Kind]++
				if scheduled[what]++; scheduled[what] > 1 {
					t.Errorf("member %s: %q was made twice", m.id, what)
				}
			default:
				a, ok := w.acked[tx]
				if !ok {
					t.Errorf("member %s: %s entry %s (%d points) answers no acknowledged request: a change doubled, or made for a request told it failed", m.id, e.Kind, tx, e.Points)
				} else if a.points != e.Points {
					t.Errorf("member %s: entry %s has %d points, its %s was answered %d", m.id, tx, e.Points, a.op, a.points)
				}
				inLedger[tx] = true
			}
			if e.Kind == loyalty.KindDonate {
				g := given[e.Ref.CharityID]
				g.Points, g.Matched, g.Gifts = g.Points-e.Points, g.Matched+e.Matched, g.Gifts+1
				given[e.Ref.CharityID] = g
			}
		}
		if sum != mem.Balance {
			t.Errorf("member %s: balance %d, ledger sums to %d", m.id, mem.Balance, sum)
		}
		acct, err := s.LoadAccount(ctx, m.id)
		if err != nil {
			t.Errorf("member %s: load account: %v", m.id, err)
			continue
		}
		var lots int64
		for _, l := range acct.Lots {
			lots += l.Remaining
		}
		if lots != mem.Balance {
			t.Errorf("member %s: lots hold %d points, balance is %d", m.id, lots, mem.Balance)
		}
	}
	for _, kind := range []loyalty.Kind{loyalty.KindWelcome, loyalty.KindExpire, loyalty.KindBirthday, loyalty.KindDonate} {
		if w.report.Scheduled[kind] == 0 {
			t.Errorf("the jobs made no %s entry: the workload no longer exercises them", kind)
		}
	}
	for _, tx := range slices.Sorted(maps.Keys(w.acked)) {
		if !inLedger[tx] {
			t.Errorf("acknowledged %s %s is not in the ledger: lost", w.acked[tx].op, tx)
		}
	}
	w.checkStats(s, members)
	for _, id := range charities {
		total, err := s.CharityTotal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := given[id]; total.Points != want.Points || total.Matched != want.Matched || total.Gifts != want.Gifts {
			t.Errorf("charity %s: totals %+v, the donate entries add up to %+v", id, total, want)
		}
	}
}

// checkStats holds the program's figures, as the API answers them for the
// workload's days, to the ledger.
func (w *workload) checkStats(s store.Store, members []member) {
	w.t.Helper()
	a := w.must(w.send("stats", "GET", "/v1/admin/stats?from=2026-11-23&to=2027-01-01", workloadAdminKey, nil, ""), 200)
	data, err := json.Marshal(a.body)
	if err != nil {
		w.t.Fatal(err)
	}
	var report loyalty.StatsReport
	if err := json.Unmarshal(data, &report); err != nil {
		w.t.Fatalf("the stats answer %s: %v", data, err)
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.id
	}
	wantStatsEqualLedger(w.t, s, ids, report)
	if report.Total.Enrollments != workloadMembers || report.Total.Earnings == 0 || report.Total.Reversals == 0 || report.Total.Points.Adjusted == 0 {
		w.t.Errorf("the workload's figures %s miss some kind of change", asJSON(report.Total))
	}
}

func workloadLedger(t *testing.T, s store.Store, memberID string) []loyalty.LedgerEntry {
	t.Helper()
	var out []loyalty.LedgerEntry
	for before := int64(0); ; {
		page, err := s.Ledger(context.Background(), memberID, before, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		out = append(out, page...)
		before = page[len(page)-1].Seq
	}
	slices.Reverse(out)
	return out
}
