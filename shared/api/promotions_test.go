package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestAPromotionDoublesTheTillsEarningsInItsWindowUntilEnded(t *testing.T) {
	f := newFixture(t)
	manager := f.operatorKey("Marc", loyalty.RoleManager)
	paris, lyon := f.staffKey("paris"), f.staffKey("lyon")
	at := func(d time.Duration) string { return storetest.Start.Add(d).Format(time.RFC3339) }
	promo := func(id, store string, from, to time.Duration) string {
		return fmt.Sprintf(`{"id":%q,"name":{"en":"Double points","fr":"Points doublés"},"multiplierPercent":200,"startsAt":%q,"endsAt":%q,"storeId":%q}`, id, at(from), at(to), store)
	}
	for _, bad := range []string{
		promo("weekend", "paris", 2*time.Hour, time.Hour),
		promo("weekend", "paris", -2*time.Hour, -time.Hour),
		`{"id":"weekend","name":{"en":"Double"},"multiplierPercent":1.5,"startsAt":"` + at(0) + `","endsAt":"` + at(time.Hour) + `"}`,
		`{"id":"weekend","name":{"en":"Double"},"multiplierPercent":100,"startsAt":"` + at(0) + `","endsAt":"` + at(time.Hour) + `"}`,
	} {
		if r := f.do("POST", "/v1/admin/promotions", manager, bad); r.status != 400 {
			t.Errorf("%s: %d %v, want 400", bad, r.status, r.body)
		}
	}
	f.expect(f.do("POST", "/v1/admin/promotions", manager, promo("weekend", "nice", 0, time.Hour)), 404, "store_not_found")
	f.expect(f.do("POST", "/v1/admin/promotions", manager, promo("weekend", "paris", time.Hour, 3*time.Hour)), 201, "")
	f.expect(f.do("POST", "/v1/admin/promotions", manager, promo("weekend", "lyon", time.Hour, 3*time.Hour)), 409, "promotion_exists")
	gold := `{"id":"gold","name":{"en":"Gold week"},"multiplierPercent":500,"startsAt":"` + at(0) + `","endsAt":"` + at(5*time.Hour) + `","segment":{"tier":"gold"}}`
	f.expect(f.do("POST", "/v1/admin/promotions", manager, strings.Replace(gold, `"tier":"gold"`, `"class":"champions"`, 1)), 422, "invalid_segment")
	f.expect(f.do("POST", "/v1/admin/promotions", manager, gold), 201, "")

	m := f.enroll("ada@example.com")
	earn := func(till, receipt string) response {
		t.Helper()
		r := f.do("POST", "/v1/earnings", till, fmt.Sprintf(`{"code":%q,"receiptId":%q,"amount":{"value":1000,"currency":"EUR"}}`, m.str("code"), receipt))
		f.expect(r, 201, "")
		return r
	}
	if r := earn(paris, "R-0"); r.num("points") != 10 || r.str("promotionId") != "" {
		t.Errorf("before the window: %v, want 10 points", r.body)
	}
	f.clock.Set(storetest.Start.Add(time.Hour))
	if r := earn(paris, "R-1"); r.num("points") != 20 || r.str("promotionId") != "weekend" {
		t.Errorf("in the window at its store: %v, want 20 points naming the promotion", r.body)
	}
	if r := earn(lyon, "R-2"); r.num("points") != 10 || r.str("promotionId") != "" {
		t.Errorf("in the window at another store: %v, want 10 points", r.body)
	}
	ledger := f.do("GET", "/v1/members/"+m.str("id")+"/ledger", m.str("token"), "")
	if entries, _ := ledger.body["entries"].([]any); len(entries) < 2 || entries[1].(map[string]any)["promotionId"] != "weekend" {
		t.Errorf("the ledger = %v, want the promoted earning to name it", ledger.body)
	}

	f.clock.Set(storetest.Start.Add(2 * time.Hour))
	analyst := f.operatorKey("Inès", loyalty.RoleAnalyst)
	f.expect(f.do("DELETE", "/v1/admin/promotions/weekend", analyst, ""), 403, "forbidden")
	ended := f.do("DELETE", "/v1/admin/promotions/weekend", manager, "")
	f.expect(ended, 200, "")
	if ended.str("endedAt") != at(2*time.Hour) {
		t.Errorf("ended = %v, want endedAt now", ended.body)
	}
	f.expect(f.do("DELETE", "/v1/admin/promotions/nope", manager, ""), 404, "promotion_not_found")
	if r := earn(paris, "R-3"); r.num("points") != 10 {
		t.Errorf("after its end: %v, want 10 points", r.body)
	}
	if r := earn(paris, "R-1"); r.num("points") != 20 || r.str("promotionId") != "weekend" || r.header["Idempotent-Replayed"] != "true" {
		t.Errorf("the promoted receipt sent again after the end: %v %v, want its first answer", r.body, r.header)
	}
	list := f.do("GET", "/v1/admin/promotions", analyst, "")
	f.expect(list, 200, "")
	if ps, _ := list.body["promotions"].([]any); len(ps) != 2 || ps[0].(map[string]any)["endedAt"] == nil || ps[1].(map[string]any)["segment"] == nil {
		t.Errorf("the list = %v, want the ended promotion, then the gold members'", list.body)
	}
	trail := f.do("GET", "/v1/admin/audit", manager, "")
	found := map[string]bool{}
	for _, e := range trail.body["entries"].([]any) {
		found[e.(map[string]any)["action"].(string)] = true
	}
	if !found["promotion.create"] || !found["promotion.end"] {
		t.Errorf("the audit trail = %v, want the promotion's creation and end", trail.body)
	}
}
