package stack

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/fidelio/fidelio/shared/qrcode"
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
			codes, err := qrcode.NewSigner(st.Secrets.CodeKeys)
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
					headers = []string{"Authorization", "ApplePass " + codes.MAC("pass-token", tc.path[strings.LastIndex(tc.path, "/")+1:])}
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
