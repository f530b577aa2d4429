package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wire"
)

const adminKey = "fa_test_admin_key_0123456789"

type fixture struct {
	t     *testing.T
	app   *api.App
	s     *embedded.Store
	deps  api.Deps
	clock *storetest.Clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := storetest.NewClock(storetest.Start)
	deps, err := wire.Deps(config.Config{Secrets: config.Secrets{AdminKey: adminKey, CodeKeys: signing.NewKeySpec("K1")}}, s, clock, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, app: app, s: s, deps: deps, clock: clock}
}

type response struct {
	status int
	header map[string]string
	body   map[string]any
}

func (r response) str(k string) string { s, _ := r.body[k].(string); return s }
func (r response) num(k string) int64  { n, _ := r.body[k].(float64); return int64(n) }

// do sends a request through the Lambda path: an API Gateway v2 event in, a
// response event out.
func (f *fixture) do(method, path, token, body string, headers ...string) response {
	f.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	out := f.serve(req)
	r := response{status: out.StatusCode, header: out.Headers}
	// A CSV export or a printed card is no JSON; anything that says JSON must be.
	if out.Body != "" && strings.Contains(out.Headers["Content-Type"], "json") {
		if err := json.Unmarshal([]byte(out.Body), &r.body); err != nil {
			f.t.Fatalf("%s %s: body is not JSON: %q", method, path, out.Body)
		}
	}
	if r.status >= 400 && out.Headers["Content-Type"] != "application/problem+json" {
		f.t.Fatalf("%s %s: error %d is %q, not problem+json", method, path, r.status, out.Headers["Content-Type"])
	}
	return r
}

func (f *fixture) expect(r response, status int, code string) {
	f.t.Helper()
	if r.status != status || (code != "" && r.str("code") != code) {
		f.t.Fatalf("got %d %v, want %d %s", r.status, r.body, status, code)
	}
}

func (f *fixture) enroll(email string) response {
	f.t.Helper()
	r := f.do("POST", "/v1/members", "", fmt.Sprintf(`{"name":"Ada","email":%q}`, email))
	f.expect(r, 201, "")
	return r
}

// staffKey creates a key for an employee of store, and the store when it is new.
func (f *fixture) staffKey(store string) string {
	f.t.Helper()
	if r := f.do("POST", "/v1/admin/stores", adminKey, fmt.Sprintf(`{"id":%q,"name":%q,"address":"1 place de la Gare","timeZone":"Europe/Paris"}`, store, store)); r.status != 201 && r.str("code") != "store_exists" {
		f.t.Fatalf("creating store %s: %d %v", store, r.status, r.body)
	}
	r := f.do("POST", "/v1/admin/staff-keys", adminKey, fmt.Sprintf(`{"storeId":%q,"name":"Till"}`, store))
	f.expect(r, 201, "")
	return r.str("key")
}

func TestEnrollment(t *testing.T) {
	f := newFixture(t)
	r := f.enroll("ada@example.com")
	if !strings.HasPrefix(r.str("token"), "fm_") || !strings.HasPrefix(r.str("code"), "F1.") || r.num("balance") != 50 || r.str("tier") != "bronze" {
		t.Fatalf("enrollment answer = %v", r.body)
	}
	if r.str("email") != "ada@example.com" || r.header["Location"] != "/v1/members/"+r.str("id") {
		t.Fatalf("enrollment answer = %v %v", r.body, r.header)
	}
	f.expect(f.do("POST", "/v1/members", "", `{"name":"Ada","email":"ADA@example.com"}`), 409, "email_taken")

	self := f.do("GET", "/v1/members/"+r.str("id"), r.str("token"), "")
	f.expect(self, 200, "")
	if self.str("code") != r.str("code") || self.body["nextTier"].(map[string]any)["pointsNeeded"].(float64) != 500 {
		t.Fatalf("profile = %v", self.body)
	}
	if self.body["expiringSoon"] != nil {
		t.Fatalf("points earned today shown as expiring soon: %v", self.body["expiringSoon"])
	}
}

func TestEnrollmentReplayReturnsTheSameToken(t *testing.T) {
	f := newFixture(t)
	body := `{"name":"Ada","email":"ada@example.com","birthday":"1990-05-17","timeZone":"Europe/Paris","locale":"fr"}`
	first := f.do("POST", "/v1/members", "", body, "Idempotency-Key", "k-1")
	again := f.do("POST", "/v1/members", "", body, "Idempotency-Key", "k-1")
	f.expect(again, 201, "")
	if again.str("token") != first.str("token") || again.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("replay = %v %v", again.body, again.header)
	}
	f.expect(f.do("POST", "/v1/members", "", `{"name":"Eve","email":"eve@example.com"}`, "Idempotency-Key", "k-1"), 422, "idempotency_key_reused")
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("ada@example.com")
	staff := f.staffKey("paris")
	code := m.str("code")
	earn := func(body string) string { return strings.ReplaceAll(body, "CODE", code) }
	tests := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		code                     string
	}{
		{"a body that is not JSON", "POST", "/v1/earnings", `{"code":`, nil, 400, "invalid_json"},
		{"an unknown field", "POST", "/v1/earnings", earn(`{"code":"CODE","receiptId":"r1","amount":{"value":100,"currency":"EUR"},"bonus":5}`), nil, 400, "invalid_json"},
		{"an amount with a fraction", "POST", "/v1/earnings", earn(`{"code":"CODE","receiptId":"r1","amount":{"value":12.5,"currency":"EUR"}}`), nil, 400, "invalid_json"},
		{"an amount as a string", "POST", "/v1/earnings", earn(`{"code":"CODE","receiptId":"r1","amount":{"value":"100","currency":"EUR"}}`), nil, 400, "invalid_json"},
		{"a negative amount", "POST", "/v1/earnings", earn(`{"code":"CODE","receiptId":"r1","amount":{"value":-100,"currency":"EUR"}}`), nil, 400, "invalid_request"},
		{"an absurd amount", "POST", "/v1/earnings", earn(`{"code":"CODE","receiptId":"r1","amount":{"value":999999999999999,"currency":"EUR"}}`), nil, 400, "invalid_request"},
		{"an unknown currency", "POST", "/v1/earnings", earn(`{"code":"CODE","receiptId":"r1","amount":{"value":100,"currency":"EUX"}}`), nil, 400, "invalid_request"},
		{"another currency than the program's", "POST", "/v1/earnings", earn(`{"code":"CODE","receiptId":"r1","amount":{"value":100,"currency":"USD"}}`), nil, 400, "invalid_request"},
		{"no receipt", "POST", "/v1/earnings", earn(`{"code":"CODE","amount":{"value":100,"currency":"EUR"}}`), nil, 400, "invalid_request"},
		{"a forged code", "POST", "/v1/earnings", earn(`{"code":"CODEX","receiptId":"r1","amount":{"value":100,"currency":"EUR"}}`), nil, 400, "invalid_code"},
		{"an oversized body", "POST", "/v1/earnings", `{"code":"` + strings.Repeat("A", 20000) + `"}`, nil, 413, "body_too_large"},
		{"a body that is not JSON at all", "POST", "/v1/scans", `code=1`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"two JSON values", "POST", "/v1/scans", earn(`{"code":"CODE"}{"code":"CODE"}`), nil, 400, "invalid_json"},
		{"a redemption without an Idempotency-Key", "POST", "/v1/redemptions", earn(`{"code":"CODE","rewardId":"coffee"}`), nil, 400, "idempotency_key_required"},
		{"a redemption of an unknown reward", "POST", "/v1/redemptions", earn(`{"code":"CODE","rewardId":"caviar"}`), []string{"Idempotency-Key", "x"}, 404, "reward_not_found"},
		{"a reversal of a malformed transaction id", "POST", "/v1/transactions/nope/reversal", "", nil, 400, "invalid_request"},
		{"an enrollment with a bad birthday", "POST", "/v1/members", `{"name":"B","email":"b@example.com","birthday":"17/05/1990"}`, nil, 400, "invalid_request"},
		{"an enrollment with an unknown time zone", "POST", "/v1/members", `{"name":"B","email":"b@example.com","timeZone":"Paris"}`, nil, 400, "invalid_request"},
		{"a ledger page too large", "GET", "/v1/members/" + m.str("id") + "/ledger?limit=1000", "", nil, 400, "invalid_request"},
		{"an unknown route", "GET", "/v1/nothing", "", nil, 404, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			f.expect(f.do(tc.method, tc.path, staff, tc.body, tc.headers...), tc.status, tc.code)
		})
	}
	f.t = t
	ledger := f.do("GET", "/v1/members/"+m.str("id")+"/ledger", adminKey, "")
	if n := len(ledger.body["entries"].([]any)); n != 1 {
		t.Fatalf("refused requests wrote to the ledger: %d entries", n)
	}
	if f.do("POST", "/v1/members", "", `{"name":"B","email":"b@example.com"}`).status != 201 {
		t.Fatal("a refused enrollment claimed its email")
	}
}

func TestWhoMayDoWhat(t *testing.T) {
	f := newFixture(t)
	ada, eve := f.enroll("ada@example.com"), f.enroll("eve@example.com")
	staff := f.staffKey("paris")
	earnBody := fmt.Sprintf(`{"code":%q,"receiptId":"r1","amount":{"value":1000,"currency":"EUR"}}`, ada.str("code"))
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"no token cannot read a member", "GET", "/v1/members/" + ada.str("id"), "", "", 401, "unauthorized"},
		{"a made-up token is refused", "GET", "/v1/members/" + ada.str("id"), "fm_" + ada.str("id") + "_guess", "", 401, "unauthorized"},
		{"a member cannot read another member", "GET", "/v1/members/" + eve.str("id"), ada.str("token"), "", 403, "forbidden"},
		{"a member cannot read another ledger", "GET", "/v1/members/" + eve.str("id") + "/ledger", ada.str("token"), "", 403, "forbidden"},
		{"a member cannot award points", "POST", "/v1/earnings", ada.str("token"), earnBody, 403, "forbidden"},
		{"a member cannot create staff keys", "POST", "/v1/admin/staff-keys", ada.str("token"), `{"storeId":"x","name":"x"}`, 403, "forbidden"},
		{"staff cannot create staff keys", "POST", "/v1/admin/staff-keys", staff, `{"storeId":"x","name":"x"}`, 403, "forbidden"},
		{"staff cannot change the rules", "GET", "/v1/admin/program", staff, "", 403, "forbidden"},
		{"a wrong admin key is refused", "GET", "/v1/admin/program", "fa_wrong_key_0123456789abc", "", 401, "unauthorized"},
		{"staff can read a member", "GET", "/v1/members/" + ada.str("id"), staff, "", 200, ""},
		{"staff can award points", "POST", "/v1/earnings", staff, earnBody, 201, ""},
		{"the admin can read the rules", "GET", "/v1/admin/program", adminKey, "", 200, ""},
		{"a member cannot download another's QR code", "GET", "/v1/members/" + eve.str("id") + "/qr.png", ada.str("token"), "", 403, "forbidden"},
		{"staff cannot download a member's pass", "GET", "/v1/members/" + ada.str("id") + "/pass.pkpass", staff, "", 403, "forbidden"},
		{"staff cannot download a member's QR code", "GET", "/v1/members/" + ada.str("id") + "/qr.png", staff, "", 403, "forbidden"},
		{"staff cannot download a member's card", "GET", "/v1/members/" + ada.str("id") + "/card.png", staff, "", 403, "forbidden"},
		{"the admin cannot download a member's pass", "GET", "/v1/members/" + ada.str("id") + "/pass.pkpass", adminKey, "", 403, "forbidden"},
		{"the admin cannot download a member's QR code", "GET", "/v1/members/" + ada.str("id") + "/qr.png", adminKey, "", 403, "forbidden"},
		{"the admin cannot download a member's card", "GET", "/v1/members/" + ada.str("id") + "/card.png", adminKey, "", 403, "forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			f.expect(f.do(tc.method, tc.path, tc.token, tc.body), tc.status, tc.code)
		})
	}
	f.t = t
	if r := f.do("GET", "/v1/members/"+ada.str("id"), staff, ""); r.str("email") != "" {
		t.Fatalf("staff see the member's email: %v", r.body)
	}
}

func TestTill(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("ada@example.com")
	paris, lyon := f.staffKey("paris"), f.staffKey("lyon")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":60}`), 201, "")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"tote","name":"Tote bag","points":400}`), 201, "")

	scan := f.do("POST", "/v1/scans", paris, fmt.Sprintf(`{"code":%q}`, m.str("code")))
	f.expect(scan, 200, "")
	if rw := scan.body["rewards"].([]any); len(rw) != 0 {
		t.Fatalf("with 50 points the member can afford %v", rw)
	}

	body := fmt.Sprintf(`{"code":%q,"receiptId":"R-1","amount":{"value":1250,"currency":"EUR"}}`, m.str("code"))
	first := f.do("POST", "/v1/earnings", paris, body)
	f.expect(first, 201, "")
	if first.num("points") != 12 || first.num("balance") != 62 {
		t.Fatalf("earning = %v", first.body)
	}
	again := f.do("POST", "/v1/earnings", paris, body)
	if again.status != 201 || again.str("transactionId") != first.str("transactionId") || again.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("the same receipt again = %d %v %v", again.status, again.body, again.header)
	}
	f.expect(f.do("POST", "/v1/earnings", paris, strings.Replace(body, "1250", "9999", 1)), 422, "idempotency_key_reused")
	if r := f.do("POST", "/v1/earnings", lyon, body); r.status != 201 || r.num("balance") != 74 {
		t.Fatalf("the same receipt number at another store = %d %v", r.status, r.body)
	}

	redeem := fmt.Sprintf(`{"code":%q,"rewardId":"coffee"}`, m.str("code"))
	red := f.do("POST", "/v1/redemptions", paris, redeem, "Idempotency-Key", "red-1")
	f.expect(red, 201, "")
	if red.num("points") != -60 || red.num("balance") != 14 {
		t.Fatalf("redemption = %v", red.body)
	}
	if r := f.do("POST", "/v1/redemptions", paris, redeem, "Idempotency-Key", "red-1"); r.num("balance") != 14 || r.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("redemption replay = %v", r.body)
	}
	f.expect(f.do("POST", "/v1/redemptions", paris, redeem, "Idempotency-Key", "red-2"), 409, "insufficient_points")

	tx := first.str("transactionId")
	f.expect(f.do("POST", "/v1/transactions/"+tx+"/reversal", lyon, ""), 403, "other_store")
	rev := f.do("POST", "/v1/transactions/"+tx+"/reversal", paris, "")
	f.expect(rev, 201, "")
	if rev.num("points") != -12 || rev.num("balance") != 2 {
		t.Fatalf("reversal = %v", rev.body)
	}
	if r := f.do("POST", "/v1/transactions/"+tx+"/reversal", adminKey, ""); r.status != 201 || r.str("transactionId") != rev.str("transactionId") {
		t.Fatalf("a second reversal = %d %v; want the first answered again", r.status, r.body)
	}
	f.expect(f.do("POST", "/v1/transactions/"+m.str("id")+"-1/reversal", paris, ""), 409, "not_reversible") // the welcome bonus

	adj := f.do("POST", "/v1/admin/members/"+m.str("id")+"/adjustments", adminKey, `{"points":100,"note":"Apology for a broken machine"}`, "Idempotency-Key", "adj-1")
	f.expect(adj, 201, "")
	if adj.num("balance") != 102 {
		t.Fatalf("adjustment = %v", adj.body)
	}

	page1 := f.do("GET", "/v1/members/"+m.str("id")+"/ledger?limit=3", m.str("token"), "")
	entries := page1.body["entries"].([]any)
	if len(entries) != 3 || entries[0].(map[string]any)["kind"] != "adjust" || page1.str("next") == "" {
		t.Fatalf("first ledger page = %v", page1.body)
	}
	page2 := f.do("GET", "/v1/members/"+m.str("id")+"/ledger?limit=3&cursor="+page1.str("next"), m.str("token"), "")
	if n := len(page2.body["entries"].([]any)); n != 3 || page2.str("next") != "" {
		t.Fatalf("second ledger page = %v", page2.body)
	}
}

func TestProgramRules(t *testing.T) {
	f := newFixture(t)
	rules := f.do("GET", "/v1/admin/program", adminKey, "")
	f.expect(rules, 200, "")
	rules.body["welcomeBonus"] = 80
	b, _ := json.Marshal(rules.body)
	f.expect(f.do("PUT", "/v1/admin/program", adminKey, string(b)), 200, "")
	if m := f.enroll("ada@example.com"); m.num("balance") != 80 {
		t.Fatalf("welcome bonus after the change = %d", m.num("balance"))
	}
	rules.body["thresholds"] = map[string]int{"bronze": 0, "silver": 500, "gold": 100, "platinum": 5000}
	b, _ = json.Marshal(rules.body)
	f.expect(f.do("PUT", "/v1/admin/program", adminKey, string(b)), 400, "invalid_request")
	f.expect(f.do("PUT", "/v1/admin/program", adminKey, `{"currency":"EUR"}`), 400, "invalid_request")
	if r := f.do("GET", "/v1/admin/program", adminKey, ""); r.num("welcomeBonus") != 80 {
		t.Fatalf("a refused change was saved: %v", r.body)
	}
}

// failingStore fails every read of members and staff keys, as a throttled
// DynamoDB would.
type failingStore struct{ *embedded.Store }

var errStoreDown = errors.New("store unavailable")

func (failingStore) Member(context.Context, string) (loyalty.Member, error) {
	return loyalty.Member{}, errStoreDown
}
func (failingStore) StaffKey(context.Context, string) (loyalty.StaffKey, error) {
	return loyalty.StaffKey{}, errStoreDown
}

func TestAStoreFailureIsNotAnAuthenticationFailure(t *testing.T) {
	f := newFixture(t)
	deps := f.app.Deps
	deps.Store = failingStore{f.s}
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	const secret = "abcdefghijklmnopqrstuvwxyz234567" // well formed, so the store is asked
	for _, token := range []string{"fm_01M83XJ880G3SNSD86VQ1KAVWD_" + secret, "fs_01M83XJ880G3SNSD86VQ1KAVWD_" + secret} {
		if r := f.do("GET", "/v1/members/01M83XJ880G3SNSD86VQ1KAVWD", token, ""); r.status != 500 {
			t.Errorf("token %s while the store is down: %d %v, want 500 (a retry may work; the key is not wrong)", token[:3], r.status, r.body)
		}
	}
	// A token of another form is refused before any read: the store is not asked.
	for _, token := range []string{"fm_" + strings.Repeat("A", 2100) + "_" + secret, "fs_01M83XJ880G3SNSD86VQ1KAVWD_" + secret + "x", "fm_01m83xj880g3snsd86vq1kavwd_" + secret} {
		if r := f.do("GET", "/v1/members/01M83XJ880G3SNSD86VQ1KAVWD", token, ""); r.status != 401 {
			t.Errorf("malformed token %.40s while the store is down: %d %v, want 401", token, r.status, r.body)
		}
	}
}

// TestStrictJSON holds every body to one reading: each key once at any
// depth, map keys included, and field names in their exact case.
func TestStrictJSON(t *testing.T) {
	f := newFixture(t)
	rules := `"currency":"EUR","pointsPerUnit":1,"multiplierPercent":{"bronze":100,"silver":125,"gold":150,"platinum":200},"welcomeBonus":50,"birthdayBonus":100,"expiryMonths":12`
	f.expect(f.do("PUT", "/v1/admin/program", adminKey, `{`+rules+`,"thresholds":{"bronze":0,"silver":500,"gold":1500,"platinum":5000}}`), 200, "")
	for name, body := range map[string]string{
		"a repeated map key":    `{` + rules + `,"thresholds":{"bronze":0,"silver":500,"silver":1,"gold":1500,"platinum":5000}}`,
		"a field in PascalCase": `{` + rules + `,"Thresholds":{"bronze":0,"silver":500,"gold":1500,"platinum":5000}}`,
		"a repeated field":      `{` + rules + `,"welcomeBonus":0,"thresholds":{"bronze":0,"silver":500,"gold":1500,"platinum":5000}}`,
	} {
		r := f.do("PUT", "/v1/admin/program", adminKey, body)
		if r.status != 400 || r.str("code") != "invalid_json" {
			t.Errorf("%s: %d %v, want 400 invalid_json", name, r.status, r.body)
		}
	}
	f.expect(f.do("POST", "/wallet/v1/log", "", `{"logs":["a","b"]}`), 200, "")
	r := f.do("POST", "/wallet/v1/log", "", `{"logs":["a"],"LOGS":["b"]}`)
	f.expect(r, 400, "invalid_json")
	if !strings.Contains(r.str("detail"), `"logs"`) {
		t.Errorf("the refusal of LOGS does not name the field to write: %q", r.str("detail"))
	}
}

func TestRedemptionReplayAfterRepricing(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("ada@example.com")
	till := f.staffKey("paris")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":30}`), 201, "")
	body := fmt.Sprintf(`{"code":%q,"rewardId":"coffee"}`, m.str("code"))
	first := f.do("POST", "/v1/redemptions", till, body, "Idempotency-Key", "K")
	f.expect(first, 201, "")

	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":40}`), 200, "")
	again := f.do("POST", "/v1/redemptions", till, body, "Idempotency-Key", "K")
	if again.status != 201 || again.str("transactionId") != first.str("transactionId") || again.num("points") != -30 || again.num("balance") != 20 || again.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("the till resending K after coffee went to 40 points = %d %v %v; want the first answer", again.status, again.body, again.header)
	}
	other := strings.Replace(body, "coffee", "tea", 1)
	f.expect(f.do("POST", "/v1/redemptions", till, other, "Idempotency-Key", "K"), 422, "idempotency_key_reused")
}

func TestThePointsLimitIsAConflictNeverA500(t *testing.T) {
	f := newFixture(t)
	rules := `{"currency":"JPY","pointsPerUnit":%d,"multiplierPercent":{"bronze":1000,"silver":1000,"gold":1000,"platinum":1000},` +
		`"thresholds":{"bronze":0,"silver":500,"gold":1500,"platinum":5000},"welcomeBonus":0,"birthdayBonus":100,"expiryMonths":12,` +
		`"maxPerReceipt":{"value":100000000000,"currency":"JPY"}}`
	f.expect(f.do("PUT", "/v1/admin/program", adminKey, fmt.Sprintf(rules, 1000)), 400, "invalid_request")
	f.expect(f.do("PUT", "/v1/admin/program", adminKey, fmt.Sprintf(rules, 1)), 200, "")
	m := f.enroll("ada@example.com")
	till := f.staffKey("tokyo")
	earn := `{"code":%q,"receiptId":%q,"amount":{"value":%d,"currency":"JPY"},"confirmed":true}`
	f.expect(f.do("POST", "/v1/earnings", till, fmt.Sprintf(earn, m.str("code"), "R-1", loyalty.MaxAmount)), 201, "")
	f.expect(f.do("POST", "/v1/earnings", till, fmt.Sprintf(earn, m.str("code"), "R-2", 100)), 409, "points_limit")
	f.expect(f.do("POST", "/v1/admin/members/"+m.str("id")+"/adjustments", adminKey, `{"points":1,"note":"one more"}`, "Idempotency-Key", "adj-1"), 409, "points_limit")
}
