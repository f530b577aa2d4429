package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/fidelio/fidelio/shared/signing"
)

// lockedBuffer collects the stack's log lines from concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestOversizedIDsNeverReachTheStore sends ids and tokens longer than
// DynamoDB's 2,048-byte key limit in every place the API reads one: each is
// refused by its format before any store call, with the same 4xx on both
// stores, and no log line carries it.
func TestOversizedIDsNeverReachTheStore(t *testing.T) {
	long := strings.Repeat("A", 2100)
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			var logs lockedBuffer
			st, err := New(t.Context(), Options{
				DataDir: t.TempDir(), Store: storeName, DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"),
				Table: fmt.Sprintf("fidelio-ids-%d-%d", os.Getpid(), tableSeq.Add(1)), Template: "../../../template.yaml", Demo: true,
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(st)
			t.Cleanup(func() { srv.Close(); st.Close() })
			c := &client{t: t, base: srv.URL, http: srv.Client()}
			admin, paris := st.Secrets.AdminKey, st.Demo.StaffKeys[0].Key
			ada := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada", "email": "ada@example.com"}), 201)
			id, token := ada.str("id"), ada.str("token")
			codes, err := signing.NewSigner(st.Secrets.CodeKeys)
			if err != nil {
				t.Fatal(err)
			}
			devices := "/wallet/v1/devices/"
			pass := "/registrations/" + devPassTypeID + "/"

			for _, tc := range []struct {
				name, method, path, token string
				body                      any
				status                    int
				code                      string
			}{
				{"a member token with a long id, unauthenticated route", "POST", "/v1/members", "fm_" + long + "_x", map[string]any{"name": "Eve", "email": "eve@example.com"}, 201, ""},
				{"a member token with a long id", "GET", "/v1/members/" + id, "fm_" + long + "_x", nil, 401, "unauthorized"},
				{"a member token with a long secret", "GET", "/v1/members/" + id, "fm_" + id + "_" + long, nil, 401, "unauthorized"},
				{"a staff token with a long id", "POST", "/v1/scans", "fs_" + long + "_x", map[string]any{"code": ada.str("code")}, 401, "unauthorized"},
				{"a long admin token", "GET", "/v1/admin/program", "fa_" + long, nil, 401, "unauthorized"},
				{"a long member id in the path", "GET", "/v1/members/" + long, admin, nil, 400, "invalid_request"},
				{"a long member id in a ledger path", "GET", "/v1/members/" + long + "/ledger", admin, nil, 400, "invalid_request"},
				{"a long member id in a QR path", "GET", "/v1/members/" + long + "/qr.png", admin, nil, 400, "invalid_request"},
				{"a long member id in a credentials path, unauthenticated", "POST", "/v1/members/" + long + "/credentials", "", nil, 400, "invalid_request"},
				{"a long member id in an adjustment path", "POST", "/v1/admin/members/" + long + "/adjustments", admin, map[string]any{"points": 1, "note": "x"}, 400, "invalid_request"},
				{"a long transaction id", "POST", "/v1/transactions/" + long + "-2/reversal", paris, nil, 400, "invalid_request"},
				{"a long charity id in the path", "PUT", "/v1/admin/charities/" + long, admin, map[string]any{"name": "X", "pointsPerUnit": 100, "currency": "EUR"}, 400, "invalid_request"},
				{"a long charity id in a report path", "GET", "/v1/admin/charities/" + long + "/report?month=2026-11", admin, nil, 400, "invalid_request"},
				{"a long charity id in a body", "POST", "/v1/admin/charities", admin, map[string]any{"id": long, "name": "X", "pointsPerUnit": 100, "currency": "EUR"}, 400, "invalid_request"},
				{"a long reward id", "POST", "/v1/redemptions", paris, map[string]any{"code": ada.str("code"), "rewardId": long}, 400, "invalid_request"},
				{"a long charity id in a gift", "POST", "/v1/members/" + id + "/donations", token, map[string]any{"charityId": long, "points": 10}, 400, "invalid_request"},
				{"a long device id, listing its passes", "GET", devices + long + "/registrations/" + devPassTypeID, "", nil, 400, "invalid_request"},
				{"a long device id, unregistering", "DELETE", devices + long + pass + id, "", nil, 400, "invalid_request"},
				{"a long serial", "GET", "/wallet/v1/passes/" + devPassTypeID + "/" + long, "", nil, 400, "invalid_request"},
			} {
				var headers []string
				if tc.method == "POST" && tc.path != "/v1/members" {
					headers = []string{"Idempotency-Key", "k-" + fmt.Sprint(len(tc.name))}
				}
				if strings.HasPrefix(tc.path, "/wallet/") { // signed for the path's serial, as only this program can
					headers = []string{"Authorization", "ApplePass " + codes.MAC(signing.PurposePassToken, tc.path[strings.LastIndex(tc.path, "/")+1:])}
				}
				a := c.do(tc.method, tc.path, tc.token, tc.body, headers...)
				if a.status != tc.status || (a.status >= 400 && a.str("code") != tc.code) {
					t.Errorf("%s: got %d %v, want %d %s", tc.name, a.status, a.body, tc.status, tc.code)
				}
				if strings.Contains(fmt.Sprint(a.body), long) {
					t.Errorf("%s: the answer echoes the long id", tc.name)
				}
			}
			if strings.Contains(logs.String(), long) {
				t.Errorf("the logs carry the long id:\n%.2000s", logs.String())
			}
		})
	}
}

// raw sends body as it is, with its own Content-Type and an Idempotency-Key.
func (c *client) raw(method, path, token, contentType, body string) answer {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Idempotency-Key", fmt.Sprintf("raw-%d", tableSeq.Add(1)))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil && err != io.EOF {
		c.t.Errorf("%s %s: body is not JSON: %v", method, path, err)
	}
	return a
}

// TestLenientInputIsRefused sends what encoding/json and a loose parser
// would take (repeated keys, names in the wrong case, invisible or
// direction-changing text, another charset, numbers with signs, year 0):
// each is a 4xx problem on both stores, and no points move.
func TestLenientInputIsRefused(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			st, c := startStack(t, storeName)
			admin, paris := st.Secrets.AdminKey, st.Demo.StaffKeys[0].Key
			ada := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada", "email": "ada@example.com"}), 201)
			code := ada.str("code")
			e1 := c.must(c.do("POST", "/v1/earnings", paris, map[string]any{"code": code, "receiptId": "R-1", "amount": map[string]any{"value": 1000, "currency": "EUR"}}), 201)
			c.must(c.do("POST", "/v1/admin/charities", admin, map[string]any{"id": "restos", "name": "Restos", "pointsPerUnit": 100, "currency": "EUR", "minPoints": 10, "step": 10}), 201)
			const jsonType = "application/json"
			earn := func(fields string) string { return `{"code":"` + code + `",` + fields + `}` }

			for _, tc := range []struct {
				name, method, path, token, contentType, body string
				status                                       int
				code                                         string
			}{
				{"a repeated key", "POST", "/v1/earnings", paris, jsonType, earn(`"receiptId":"R-2","amount":{"value":100,"currency":"EUR"},"amount":{"value":500000,"currency":"EUR"}`), 400, "invalid_json"},
				{"a repeated nested key", "POST", "/v1/earnings", paris, jsonType, earn(`"receiptId":"R-3","amount":{"value":100,"value":500000,"currency":"EUR"}`), 400, "invalid_json"},
				{"a key in another case", "POST", "/v1/earnings", paris, jsonType, earn(`"receiptId":"R-4","AMOUNT":{"value":100,"currency":"EUR"}`), 400, "invalid_json"},
				{"a nested key in another case", "POST", "/v1/earnings", paris, jsonType, earn(`"receiptId":"R-5","amount":{"Value":100,"currency":"EUR"}`), 400, "invalid_json"},
				{"a receipt id of one space", "POST", "/v1/earnings", paris, jsonType, earn(`"receiptId":" ","amount":{"value":100,"currency":"EUR"}`), 400, "invalid_request"},
				{"a UTF-16 charset", "POST", "/v1/earnings", paris, jsonType + "; charset=utf-16", earn(`"receiptId":"R-6","amount":{"value":100,"currency":"EUR"}`), 415, "unsupported_media_type"},
				{"a body that is not UTF-8", "POST", "/v1/members", "", jsonType, "{\"name\":\"Ad\xff\",\"email\":\"x@example.com\"}", 400, "invalid_json"},
				{"a name with NUL", "POST", "/v1/members", "", jsonType, `{"name":"Ada\u0000","email":"nul@example.com"}`, 400, "invalid_request"},
				{"a name with BEL", "POST", "/v1/members", "", jsonType, `{"name":"Ada\u0007","email":"bel@example.com"}`, 400, "invalid_request"},
				{"a name with a newline", "POST", "/v1/members", "", jsonType, `{"name":"Ada\nLovelace","email":"nl@example.com"}`, 400, "invalid_request"},
				{"a name with a right-to-left override", "POST", "/v1/members", "", jsonType, `{"name":"Ada\u202eecalevoL","email":"rlo@example.com"}`, 400, "invalid_request"},
				{"a name of a zero-width space", "POST", "/v1/members", "", jsonType, `{"name":"\u200b","email":"zw@example.com"}`, 400, "invalid_request"},
				{"a reward name with a right-to-left override", "POST", "/v1/admin/rewards", admin, jsonType, `{"id":"mug","name":"Mug\u202e","points":10}`, 400, "invalid_request"},
				{"a staff name of a zero-width space", "POST", "/v1/admin/staff-keys", admin, jsonType, `{"storeId":"nice","name":"\u200b"}`, 400, "invalid_request"},
				{"a transaction number with a sign", "POST", "/v1/transactions/" + ada.str("id") + "-+2/reversal", paris, "", "", 400, "invalid_request"},
				{"a transaction number with a leading zero", "POST", "/v1/transactions/" + ada.str("id") + "-02/reversal", paris, "", "", 400, "invalid_request"},
				{"a charity description with a right-to-left override", "PUT", "/v1/admin/charities/restos", admin, jsonType, `{"name":"Restos","description":"Meals\u202e","pointsPerUnit":100,"currency":"EUR","minPoints":10,"step":10}`, 400, "invalid_request"},
				{"an adjustment note of a zero-width space", "POST", "/v1/admin/members/" + ada.str("id") + "/adjustments", admin, jsonType, `{"points":5,"note":"\u200b"}`, 400, "invalid_request"},
				{"the month 0000-01", "GET", "/v1/admin/charities/restos/report?month=0000-01", admin, "", "", 400, "invalid_request"},
			} {
				a := c.raw(tc.method, tc.path, tc.token, tc.contentType, tc.body)
				if a.status != tc.status || a.str("code") != tc.code || a.header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s: got %d %s %v, want %d %s", tc.name, a.status, a.header.Get("Content-Type"), a.body, tc.status, tc.code)
				}
			}
			// What the refusals did not do: points, members, staff keys.
			if m := c.must(c.do("GET", "/v1/members/"+ada.str("id"), admin, nil), 200); m.num("balance") != 50+e1.num("points") {
				t.Errorf("balance = %d after the refusals, want %d", m.num("balance"), 50+e1.num("points"))
			}
			c.must(c.raw("POST", "/v1/earnings", paris, jsonType+"; charset=UTF-8", earn(`"receiptId":"R-7","amount":{"value":100,"currency":"EUR"}`)), 201)
			c.must(c.raw("POST", "/v1/members", "", jsonType, `{"name":"Zoë 👩‍👩‍👧","email":"zoe@example.com"}`), 201)
		})
	}
}
