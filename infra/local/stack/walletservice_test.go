package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
	"github.com/fidelio/fidelio/shared/wallet/design"
)

// walletCall sends a request of the Wallet web service protocol.
func walletCall(t *testing.T, c *client, method, path, auth string, body any, header ...string) (*http.Response, []byte) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp, out.Bytes()
}

func TestPassUpdatesEndToEnd(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) { testPassUpdates(t, storeName) })
	}
}

// pushingStack starts a demo stack on storeName (a table of its own named
// after what the test does) whose pass updater runs and pushes to pushes.
func pushingStack(t *testing.T, storeName, what string, pushes *apnstest.Server) (*Stack, *client) {
	t.Helper()
	st, err := New(t.Context(), Options{DataDir: t.TempDir(), Store: storeName, Template: "../../../template.yaml", PublicURL: "http://127.0.0.1:1",
		DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), Table: fmt.Sprintf("fidelio-%s-%d", what, tableSeq.Add(1)),
		APNSURL: pushes.URL, APNSRoots: pushes.Roots(), Demo: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	t.Cleanup(func() { srv.Close(); st.Close() })
	go st.RunUpdater(t.Context())
	return st, &client{t: t, base: srv.URL, http: srv.Client()}
}

// testPassUpdates follows a card through the local stack: the pass updater
// reads the embedded store's change feed, or DynamoDB Local's stream.
func testPassUpdates(t *testing.T, storeName string) {
	pushes := apnstest.New(t)
	pushes.Gone["gone-token"] = true
	st, c := pushingStack(t, storeName, "updates", pushes)
	staff := st.Demo.StaffKeys[0].Key

	m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}), 201)
	_, pkpass := get(t, c, m.body["links"].(map[string]any)["applePass"].(string))
	var pass struct {
		SerialNumber        string `json:"serialNumber"`
		AuthenticationToken string `json:"authenticationToken"`
		PassTypeIdentifier  string `json:"passTypeIdentifier"`
	}
	json.Unmarshal(unzip(t, pkpass)["pass.json"], &pass)
	auth := "ApplePass " + pass.AuthenticationToken
	registration := fmt.Sprintf("/wallet/v1/devices/%s/registrations/%s/%s", "device-1", pass.PassTypeIdentifier, pass.SerialNumber)
	passPath := fmt.Sprintf("/wallet/v1/passes/%s/%s", pass.PassTypeIdentifier, pass.SerialNumber)
	devices := fmt.Sprintf("/wallet/v1/devices/%s/registrations/%s", "device-1", pass.PassTypeIdentifier)

	if resp, _ := walletCall(t, c, "POST", registration, auth, map[string]string{"pushToken": "token-1"}); resp.StatusCode != 201 {
		t.Fatalf("first registration: %d", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "POST", registration, auth, map[string]string{"pushToken": "token-1"}); resp.StatusCode != 200 {
		t.Fatalf("registration again: %d", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "POST", registration, "ApplePass wrong-token-0123456789", map[string]string{"pushToken": "token-1"}); resp.StatusCode != 401 {
		t.Fatalf("a wrong token: %d", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "GET", strings.Replace(passPath, pass.PassTypeIdentifier, "pass.other.type", 1), auth, nil); resp.StatusCode != 404 {
		t.Fatalf("an unknown pass type: %d", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "GET", passPath, "WalletUnionPass "+pass.AuthenticationToken, nil); resp.StatusCode != 200 {
		t.Fatalf("the WalletUnionPass scheme: %d", resp.StatusCode)
	}
	_, body := walletCall(t, c, "GET", devices, "", nil)
	var list struct {
		SerialNumbers []string `json:"serialNumbers"`
		LastUpdated   string   `json:"lastUpdated"`
	}
	json.Unmarshal(body, &list)
	oldTag := list.LastUpdated
	if len(list.SerialNumbers) != 1 || oldTag == "" {
		t.Fatalf("device list before any change: %s", body)
	}
	if resp, _ := walletCall(t, c, "GET", devices+"?passesUpdatedSince="+oldTag, "", nil); resp.StatusCode != 204 {
		t.Fatalf("nothing changed since the tag: %d", resp.StatusCode)
	}

	// Reach Silver: 520 points for 520 EUR.
	c.must(c.do("POST", "/v1/earnings", staff, map[string]any{"code": m.str("code"), "receiptId": "R-silver", "amount": map[string]any{"value": 52000, "currency": "EUR"}, "confirmed": true}), 201)
	waitFor(t, func() bool { return len(pushes.Pushes()) >= 1 })
	time.Sleep(300 * time.Millisecond) // a second push would come now
	got := pushes.Pushes()
	if len(got) != 1 || got[0].Token != "token-1" || got[0].Topic != devPassTypeID || got[0].PushType != "alert" || got[0].Priority != "10" {
		t.Fatalf("pushes after reaching Silver = %+v; want exactly one to token-1 on topic %s", got, devPassTypeID)
	}

	resp, body := walletCall(t, c, "GET", devices+"?passesUpdatedSince="+oldTag, "", nil)
	json.Unmarshal(body, &list)
	if resp.StatusCode != 200 || len(list.SerialNumbers) != 1 || list.SerialNumbers[0] != pass.SerialNumber || list.LastUpdated == oldTag {
		t.Fatalf("device list for the old tag: %d %s", resp.StatusCode, body)
	}
	if resp, _ := walletCall(t, c, "GET", devices+"?passesUpdatedSince="+list.LastUpdated, "", nil); resp.StatusCode != 204 {
		t.Fatalf("nothing changed since the new tag: %d", resp.StatusCode)
	}
	resp, latest := walletCall(t, c, "GET", passPath, auth, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("latest pass: %d", resp.StatusCode)
	}
	files := unzip(t, latest)
	if !bytes.Contains(files["pass.json"], []byte(`"Silver"`)) {
		t.Fatalf("the updated pass does not show Silver: %s", files["pass.json"])
	}
	silverStrip, _ := (&design.Assets{}).Strip(loyalty.Silver, 1)
	if !bytes.Equal(files["strip.png"], silverStrip) {
		t.Fatal("the updated pass does not carry Silver's strip")
	}
	lastModified := resp.Header.Get("Last-Modified")
	if resp, _ := walletCall(t, c, "GET", passPath, auth, nil, "If-Modified-Since", lastModified); resp.StatusCode != 304 {
		t.Fatalf("a repeat with If-Modified-Since %s: %d, want 304", lastModified, resp.StatusCode)
	}

	// A device whose token APNs answers 410 for loses its registration.
	gone := strings.Replace(registration, "device-1", "device-2", 1)
	walletCall(t, c, "POST", gone, auth, map[string]string{"pushToken": "gone-token"})
	c.must(c.do("POST", "/v1/earnings", staff, map[string]any{"code": m.str("code"), "receiptId": "R-more", "amount": map[string]any{"value": 1000, "currency": "EUR"}}), 201)
	waitFor(t, func() bool { return len(pushes.Pushes()) >= 2 })
	waitFor(t, func() bool {
		resp, _ := walletCall(t, c, "GET", strings.Replace(devices, "device-1", "device-2", 1), "", nil)
		return resp.StatusCode == 204
	})
	if resp, _ := walletCall(t, c, "POST", "/wallet/v1/log", "", map[string]any{"logs": []string{"something went wrong"}}); resp.StatusCode != 200 {
		t.Fatalf("log: %d", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "DELETE", registration, auth, nil); resp.StatusCode != 200 {
		t.Fatalf("unregister: %d", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "GET", devices, "", nil); resp.StatusCode != 204 {
		t.Fatalf("device list after unregistering: %d", resp.StatusCode)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting")
}

// startWalletStack runs the stack with a public URL, which puts the Wallet
// web service in the passes.
func startWalletStack(t *testing.T, storeName string) (*Stack, *client) {
	t.Helper()
	st, err := New(t.Context(), Options{DataDir: t.TempDir(), Store: storeName, Template: "../../../template.yaml", PublicURL: "http://127.0.0.1:1",
		DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), Table: fmt.Sprintf("fidelio-wallet-%d", tableSeq.Add(1)), Demo: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	t.Cleanup(func() { srv.Close(); st.Close() })
	return st, &client{t: t, base: srv.URL, http: srv.Client()}
}

// walletCard is a member's pass as a phone holds it.
type walletCard struct{ serial, auth, code string }

// enrollWithPass enrolls the i-th test member and downloads their pass.
func enrollWithPass(t *testing.T, c *client, i int) walletCard {
	t.Helper()
	m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": fmt.Sprintf("Member %d", i), "email": fmt.Sprintf("member%d@example.com", i)}), 201)
	_, pkpass := get(t, c, m.body["links"].(map[string]any)["applePass"].(string))
	var pass struct {
		SerialNumber        string `json:"serialNumber"`
		AuthenticationToken string `json:"authenticationToken"`
	}
	json.Unmarshal(unzip(t, pkpass)["pass.json"], &pass)
	return walletCard{serial: pass.SerialNumber, auth: "ApplePass " + pass.AuthenticationToken, code: m.str("code")}
}

func TestFailuresOfOtherPassesNeverLockAPass(t *testing.T) {
	_, c := startWalletStack(t, "embedded")
	mine, theirs := enrollWithPass(t, c, 0), enrollWithPass(t, c, 1)
	passPath := func(serial string) string { return fmt.Sprintf("/wallet/v1/passes/%s/%s", devPassTypeID, serial) }
	for i := range 30 {
		walletCall(t, c, "GET", passPath(theirs.serial), fmt.Sprintf("ApplePass wrong-token-%d", i), nil)
	}
	if resp, _ := walletCall(t, c, "GET", passPath(theirs.serial), "ApplePass wrong-token", nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a wrong token after 30 failures on the same pass: %d, want 429", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "GET", passPath(mine.serial), mine.auth, nil); resp.StatusCode != 200 {
		t.Fatalf("a correct token, from the address where another pass failed 30 times: %d, want 200", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "GET", passPath(theirs.serial), theirs.auth, nil); resp.StatusCode != 200 {
		t.Fatalf("the correct token of the pass that failed 30 times: %d, want 200", resp.StatusCode)
	}
	if resp, _ := walletCall(t, c, "GET", passPath(mine.serial), "ApplePass wrong-token", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a first wrong token for another pass: %d, want 401", resp.StatusCode)
	}
}
