package stack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
)

// TestReissueReachesTheCard: after a member's token and code are re-issued,
// the phone is pushed, the pass it fetches carries the new code, and the till
// refuses the old one.
func TestReissueReachesTheCard(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) { testReissue(t, storeName) })
	}
}

func testReissue(t *testing.T, storeName string) {
	pushes := apnstest.New(t)
	st, c := pushingStack(t, storeName, "reissue", pushes)
	staff := st.Demo.StaffKeys[0].Key

	m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}), 201)
	oldCode := m.str("code")
	_, pkpass := get(t, c, m.body["links"].(map[string]any)["applePass"].(string))
	var pass struct {
		SerialNumber        string `json:"serialNumber"`
		AuthenticationToken string `json:"authenticationToken"`
		PassTypeIdentifier  string `json:"passTypeIdentifier"`
	}
	json.Unmarshal(unzip(t, pkpass)["pass.json"], &pass)
	auth := "ApplePass " + pass.AuthenticationToken
	registration := fmt.Sprintf("/wallet/v1/devices/device-1/registrations/%s/%s", pass.PassTypeIdentifier, pass.SerialNumber)
	if resp, _ := walletCall(t, c, "POST", registration, auth, map[string]string{"pushToken": "token-1"}); resp.StatusCode != 201 {
		t.Fatalf("registration: %d", resp.StatusCode)
	}

	re := c.must(c.do("POST", "/v1/members/"+m.str("id")+"/credentials", m.str("token"), nil, "Idempotency-Key", "lost-phone"), 200)
	newCode := re.str("code")
	waitFor(t, func() bool { return len(pushes.Pushes()) >= 1 })
	if got := pushes.Pushes(); got[0].Token != "token-1" {
		t.Fatalf("pushes after the re-issue = %+v; want one to token-1", got)
	}
	resp, latest := walletCall(t, c, "GET", fmt.Sprintf("/wallet/v1/passes/%s/%s", pass.PassTypeIdentifier, pass.SerialNumber), auth, nil)
	passJSON := unzip(t, latest)["pass.json"]
	if resp.StatusCode != 200 || !bytes.Contains(passJSON, []byte(newCode)) || bytes.Contains(passJSON, []byte(oldCode)) {
		t.Fatalf("the pass after the re-issue (%d) must carry the new code %s, not %s: %s", resp.StatusCode, newCode, oldCode, passJSON)
	}
	c.must(c.do("POST", "/v1/scans", staff, map[string]any{"code": oldCode}), 400)
	c.must(c.do("POST", "/v1/scans", staff, map[string]any{"code": newCode}), 200)
	c.must(c.do("GET", "/v1/members/"+m.str("id"), m.str("token"), nil), 401)
	c.must(c.do("GET", "/v1/members/"+m.str("id"), re.str("token"), nil), 200)
}
