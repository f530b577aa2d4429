package api_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/loyalty"
)

// operatorKey creates an operator key with role and returns its secret.
func (f *fixture) operatorKey(name string, role loyalty.Role) string {
	f.t.Helper()
	r := f.do("POST", "/v1/admin/operator-keys", adminKey, fmt.Sprintf(`{"name":%q,"role":%q}`, name, role))
	f.expect(r, 201, "")
	if !strings.HasPrefix(r.str("key"), "fa_"+r.str("id")+"_") || r.body["hash"] != nil {
		f.t.Fatalf("a new operator key = %v", r.body)
	}
	return r.str("key")
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// TestEachRoleIsHeldToItsRoutes calls every route an operator key may call
// with each role: the roles below the route's get 403 problem+json before
// anything is read or written, the others get past the role check. An
// analyst is refused every route that writes.
func TestEachRoleIsHeldToItsRoutes(t *testing.T) {
	f := newFixture(t)
	keys := map[loyalty.Role]string{
		loyalty.RoleAnalyst: f.operatorKey("Inès", loyalty.RoleAnalyst),
		loyalty.RoleManager: f.operatorKey("Marc", loyalty.RoleManager),
		loyalty.RoleOwner:   f.operatorKey("Olga", loyalty.RoleOwner),
	}
	writes := 0
	for _, r := range api.Routes("") {
		need := r.OperatorRole()
		if r.Function != "admin" && need == loyalty.RoleOwner {
			continue // a member or staff route operators do not use
		}
		path := pathParam.ReplaceAllString(r.Path, "01KAAAAAAAAAAAAAAAAAAAAAAA")
		for role, key := range keys {
			t.Run(fmt.Sprintf("%s %s as %s", r.Method, r.Path, role), func(t *testing.T) {
				f.t = t
				got := f.do(r.Method, path, key, "{}", "Idempotency-Key", "roles")
				refused := got.status == 403 && got.str("code") == "forbidden"
				if want := !role.Allows(need); refused != want {
					t.Fatalf("needs %s: got %d %v, refused %v, want refused %v", need, got.status, got.body, refused, want)
				}
				if r.Method != "GET" && role == loyalty.RoleAnalyst && !refused {
					t.Fatalf("an analyst wrote through %s %s: %d %v", r.Method, r.Path, got.status, got.body)
				}
			})
		}
		if r.Method != "GET" {
			writes++
		}
	}
	f.t = t
	if writes < 15 {
		t.Fatalf("only %d writing routes were tried", writes)
	}
}

func TestOperatorKeysAreShownOnceAndRevokedAtOnce(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("ada@example.com")
	manager := f.operatorKey("Marc", loyalty.RoleManager)
	adjust := func(key, idem string) response {
		return f.do("POST", "/v1/admin/members/"+m.str("id")+"/adjustments", key, `{"points":5,"note":"goodwill"}`, "Idempotency-Key", idem)
	}
	f.expect(adjust(manager, "a1"), 201, "")
	f.expect(f.do("POST", "/v1/admin/operator-keys", manager, `{"name":"Eve","role":"owner"}`), 403, "forbidden")
	f.expect(f.do("POST", "/v1/admin/operator-keys", adminKey, `{"name":"Eve","role":"root"}`), 400, "invalid_request")

	list := f.do("GET", "/v1/admin/operator-keys", adminKey, "")
	f.expect(list, 200, "")
	keys := list.body["operatorKeys"].([]any)
	k := keys[0].(map[string]any)
	if len(keys) != 1 || k["name"] != "Marc" || k["role"] != "manager" || k["key"] != nil || k["hash"] != nil {
		t.Fatalf("operator keys = %v", keys)
	}
	id := k["id"].(string)
	revoked := f.do("DELETE", "/v1/admin/operator-keys/"+id, adminKey, "")
	f.expect(revoked, 200, "")
	if revoked.str("revokedAt") == "" {
		t.Fatalf("revocation = %v", revoked.body)
	}
	f.expect(adjust(manager, "a2"), 401, "unauthorized")
	f.expect(f.do("GET", "/v1/admin/stores", manager, ""), 401, "unauthorized")
	f.expect(f.do("DELETE", "/v1/admin/operator-keys/"+id, adminKey, ""), 200, "")
	f.expect(f.do("DELETE", "/v1/admin/operator-keys/01KAAAAAAAAAAAAAAAAAAAAAAA", adminKey, ""), 404, "operator_key_not_found")
	f.expect(f.do("DELETE", "/v1/admin/operator-keys/nope", adminKey, ""), 400, "invalid_request")

	ledger := f.do("GET", "/v1/members/"+m.str("id")+"/ledger", adminKey, "")
	adjusted := ledger.body["entries"].([]any)[0].(map[string]any)
	if adjusted["kind"] != "adjust" || adjusted["keyId"] != id || adjusted["keyName"] != "Marc" {
		t.Fatalf("the adjustment names %v; want the manager's key", adjusted)
	}
	trail := f.do("GET", "/v1/admin/audit", adminKey, "")
	f.expect(trail, 200, "")
	var got []string
	for _, e := range trail.body["entries"].([]any) {
		e := e.(map[string]any)
		got = append(got, fmt.Sprint(e["action"], " by ", e["by"].(map[string]any)["keyName"]))
	}
	want := []string{"operator-key.revoke by configured admin key", "adjust by Marc", "operator-key.create by configured admin key"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit trail = %q; want %q (one revocation)", got, want)
	}
}

func TestStaffKeysNameAnEmployeeOfAStoreAndAreRevoked(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("ada@example.com")
	f.expect(f.do("POST", "/v1/admin/staff-keys", adminKey, `{"storeId":"paris","name":"Camille"}`), 404, "store_not_found")
	f.expect(f.do("POST", "/v1/admin/stores", adminKey, `{"id":"paris","name":"Paris Rivoli","address":"1 rue de Rivoli","timeZone":"Europe/Paris"}`), 201, "")
	f.expect(f.do("POST", "/v1/admin/staff-keys", adminKey, `{"storeId":"paris"}`), 400, "invalid_request")
	created := f.do("POST", "/v1/admin/staff-keys", adminKey, `{"storeId":"paris","name":"Camille"}`)
	f.expect(created, 201, "")
	key, id := created.str("key"), created.str("id")

	earn := fmt.Sprintf(`{"code":%q,"receiptId":"R-1","amount":{"value":1000,"currency":"EUR"}}`, m.str("code"))
	earned := f.do("POST", "/v1/earnings", key, earn)
	f.expect(earned, 201, "")
	ledger := f.do("GET", "/v1/members/"+m.str("id")+"/ledger", adminKey, "")
	entry := ledger.body["entries"].([]any)[0].(map[string]any)
	if entry["keyId"] != id || entry["keyName"] != "Camille" || entry["storeId"] != "paris" {
		t.Fatalf("the earning records %v; want Camille's key and the store", entry)
	}

	list := f.do("GET", "/v1/admin/staff-keys", adminKey, "")
	listed := list.body["staffKeys"].([]any)[0].(map[string]any)
	if listed["name"] != "Camille" || listed["storeId"] != "paris" || listed["key"] != nil || listed["hash"] != nil || listed["revokedAt"] != nil {
		t.Fatalf("staff keys = %v", list.body)
	}
	f.expect(f.do("DELETE", "/v1/admin/staff-keys/"+id, adminKey, ""), 200, "")
	f.expect(f.do("POST", "/v1/scans", key, fmt.Sprintf(`{"code":%q}`, m.str("code"))), 401, "unauthorized")
	f.expect(f.do("DELETE", "/v1/admin/staff-keys/01KAAAAAAAAAAAAAAAAAAAAAAA", adminKey, ""), 404, "staff_key_not_found")
	list = f.do("GET", "/v1/admin/staff-keys", adminKey, "")
	if list.body["staffKeys"].([]any)[0].(map[string]any)["revokedAt"] == nil {
		t.Fatalf("the revoked key is listed as %v", list.body)
	}
	trail := f.do("GET", "/v1/admin/audit?limit=2", adminKey, "")
	entries := trail.body["entries"].([]any)
	first, second := entries[0].(map[string]any), entries[1].(map[string]any)
	if first["action"] != "staff-key.revoke" || second["action"] != "earn" || second["by"].(map[string]any)["keyName"] != "Camille" || trail.str("next") == "" {
		t.Fatalf("the newest audit entries = %v", trail.body)
	}
	rest := f.do("GET", "/v1/admin/audit?limit=100&cursor="+trail.str("next"), adminKey, "")
	if got := rest.body["entries"].([]any); len(got) != 2 || rest.str("next") != "" {
		t.Fatalf("the next page = %v; want the key's and the store's creation, and no more", rest.body)
	}
	f.expect(f.do("GET", "/v1/admin/audit?cursor=nope", adminKey, ""), 400, "invalid_request")
	f.expect(f.do("GET", "/v1/admin/audit?limit=0", adminKey, ""), 400, "invalid_request")
}

func TestStoresAreValidatedRecords(t *testing.T) {
	f := newFixture(t)
	paris := `{"id":"paris","name":"Paris Rivoli","address":"1 rue de Rivoli\n75001 Paris","timeZone":"Europe/Paris","latitude":48.8606,"longitude":2.3376}`
	bad := []struct{ name, body string }{
		{"an unknown time zone", `{"id":"x","name":"X","address":"A","timeZone":"Paris"}`},
		{"no time zone", `{"id":"x","name":"X","address":"A"}`},
		{"a latitude beyond the pole", `{"id":"x","name":"X","address":"A","timeZone":"UTC","latitude":91,"longitude":0}`},
		{"a longitude past the date line", `{"id":"x","name":"X","address":"A","timeZone":"UTC","latitude":0,"longitude":-180.5}`},
		{"a latitude without a longitude", `{"id":"x","name":"X","address":"A","timeZone":"UTC","latitude":45}`},
		{"an id that is no slug", `{"id":"Paris 1","name":"X","address":"A","timeZone":"UTC"}`},
		{"no address", `{"id":"x","name":"X","timeZone":"UTC"}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			f.expect(f.do("POST", "/v1/admin/stores", adminKey, tc.body), 400, "invalid_request")
		})
	}
	f.t = t
	f.expect(f.do("POST", "/v1/admin/stores", adminKey, `{"id":"x","name":"X","address":"A","timeZone":"UTC","latitude":"48.8"}`), 400, "invalid_json")
	f.expect(f.do("POST", "/v1/admin/stores", adminKey, paris), 201, "")
	f.expect(f.do("POST", "/v1/admin/stores", adminKey, paris), 409, "store_exists")
	f.expect(f.do("PUT", "/v1/admin/stores/lyon", adminKey, `{"name":"Lyon","address":"Bellecour","timeZone":"Europe/Paris"}`), 404, "store_not_found")
	f.expect(f.do("PUT", "/v1/admin/stores/paris", adminKey, `{"id":"lyon","name":"Lyon","address":"Bellecour","timeZone":"Europe/Paris"}`), 400, "invalid_request")
	updated := f.do("PUT", "/v1/admin/stores/paris", adminKey, `{"name":"Paris Opéra","address":"2 place de l'Opéra","timeZone":"Europe/Paris"}`)
	f.expect(updated, 200, "")
	list := f.do("GET", "/v1/admin/stores", adminKey, "")
	stores := list.body["stores"].([]any)
	got := stores[0].(map[string]any)
	if len(stores) != 1 || got["name"] != "Paris Opéra" || got["latitude"] != nil || got["timeZone"] != "Europe/Paris" {
		t.Fatalf("stores = %v", list.body)
	}
}

// TestARevokedKeyIsRefusedByEveryInstance revokes keys through one instance
// and uses them at another that served them a moment before: no instance
// keeps a key's validity.
func TestARevokedKeyIsRefusedByEveryInstance(t *testing.T) {
	f := newFixture(t)
	other, err := api.New(f.deps, "")
	if err != nil {
		t.Fatal(err)
	}
	second := &fixture{t: t, app: other, s: f.s}
	m := f.enroll("ada@example.com")
	staff := f.staffKey("paris")
	analyst := f.operatorKey("Inès", loyalty.RoleAnalyst)
	scan := fmt.Sprintf(`{"code":%q}`, m.str("code"))
	second.expect(second.do("POST", "/v1/scans", staff, scan), 200, "")
	second.expect(second.do("GET", "/v1/admin/stores", analyst, ""), 200, "")

	staffID, _, _ := strings.Cut(strings.TrimPrefix(staff, "fs_"), "_")
	analystID, _, _ := strings.Cut(strings.TrimPrefix(analyst, "fa_"), "_")
	f.expect(f.do("DELETE", "/v1/admin/staff-keys/"+staffID, adminKey, ""), 200, "")
	f.expect(f.do("DELETE", "/v1/admin/operator-keys/"+analystID, adminKey, ""), 200, "")
	second.expect(second.do("POST", "/v1/scans", staff, scan), 401, "unauthorized")
	second.expect(second.do("GET", "/v1/admin/stores", analyst, ""), 401, "unauthorized")
}
