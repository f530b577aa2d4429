package stack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
)

// TestAnEarningReachesAWebhookOnce registers a webhook through the admin
// API, earns through the till's, and follows the change feed (or DynamoDB
// Local's stream): the earning is delivered once, signed with the secret the
// registration showed.
func TestAnEarningReachesAWebhookOnce(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			var (
				mu       sync.Mutex
				received []map[string]any
				arrived  = make(chan struct{}, 100)
				secret   string
			)
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				defer mu.Unlock()
				t, v1, _ := strings.Cut(r.Header.Get("Fidelio-Signature"), ",v1=")
				mac := hmac.New(sha256.New, []byte(secret))
				mac.Write([]byte(strings.TrimPrefix(t, "t=") + "." + string(body)))
				if got, _ := hex.DecodeString(v1); !hmac.Equal(got, mac.Sum(nil)) {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				var e map[string]any
				json.Unmarshal(body, &e)
				received = append(received, e)
				arrived <- struct{}{}
			}))
			defer hook.Close()
			st, c := pushingStack(t, storeName, "events", apnstest.New(t))
			admin, staff := st.Secrets.AdminKey, st.Demo.StaffKeys[0].Key
			created := c.must(c.do("POST", "/v1/admin/webhooks", admin, map[string]any{"url": hook.URL + "/fidelio", "events": []string{"points.earned"}}), 201)
			mu.Lock()
			secret = created.str("secret")
			mu.Unlock()

			m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}), 201)
			earn := func(receipt string, status int) {
				c.must(c.do("POST", "/v1/earnings", staff, map[string]any{"code": m.str("code"), "receiptId": receipt, "amount": map[string]any{"value": 1000, "currency": "EUR"}}), status)
			}
			earn("R-1", 201)
			earn("R-1", 201) // the till sends it again: it earns once
			earn("R-2", 201) // a later change: once it is delivered, R-1's are all in
			receipts := map[string]int{}
			for deadline := time.After(30 * time.Second); receipts["R-2"] == 0; {
				select {
				case <-arrived:
				case <-deadline:
					t.Fatalf("R-2's earning was not delivered; received %v", received)
				}
				mu.Lock()
				receipts = map[string]int{}
				for _, e := range received {
					receipts[e["data"].(map[string]any)["receiptId"].(string)]++
				}
				mu.Unlock()
			}
			if receipts["R-1"] != 1 || receipts["R-2"] != 1 || len(receipts) != 2 {
				t.Errorf("deliveries per receipt %v, want one each", receipts)
			}
			for _, e := range received {
				if e["type"] != "points.earned" || e["memberId"] != m.str("id") || !strings.HasPrefix(e["id"].(string), "evt_"+m.str("id")+"-") {
					t.Errorf("delivered %v", e)
				}
			}
			// The log records an attempt once the endpoint has answered it.
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				log := c.must(c.do("GET", "/v1/admin/webhooks/"+created.str("id")+"/deliveries", admin, nil), 200)
				ds, _ := log.body["deliveries"].([]any)
				if len(ds) == 2 && ds[0].(map[string]any)["status"] == "delivered" && ds[1].(map[string]any)["status"] == "delivered" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("delivery log %v, want the two earnings delivered", log.body)
				}
			}
		})
	}
}
