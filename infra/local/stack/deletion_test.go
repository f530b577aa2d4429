package stack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
)

// TestADeletedAccountsPhoneFetchesTheVoidedPassThenIsUnregistered: at an
// account's deletion the phone is pushed, lists the pass once, fetches it
// voided, and is then told of it no more; its other passes stay registered.
func TestADeletedAccountsPhoneFetchesTheVoidedPassThenIsUnregistered(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) { testDeletionUnregisters(t, storeName) })
	}
}

func testDeletionUnregisters(t *testing.T, storeName string) {
	pushes := apnstest.New(t)
	_, c := pushingStack(t, storeName, "deletion", pushes)
	m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}), 201)
	_, pkpass := get(t, c, m.body["links"].(map[string]any)["applePass"].(string))
	var pass struct {
		SerialNumber        string `json:"serialNumber"`
		AuthenticationToken string `json:"authenticationToken"`
		PassTypeIdentifier  string `json:"passTypeIdentifier"`
		Voided              bool   `json:"voided"`
	}
	json.Unmarshal(unzip(t, pkpass)["pass.json"], &pass)
	auth := "ApplePass " + pass.AuthenticationToken
	other := enrollWithPass(t, c, 1)
	registration := func(serial string) string {
		return fmt.Sprintf("/wallet/v1/devices/phone-1/registrations/%s/%s", pass.PassTypeIdentifier, serial)
	}
	devices := fmt.Sprintf("/wallet/v1/devices/phone-1/registrations/%s", pass.PassTypeIdentifier)
	for serial, a := range map[string]string{pass.SerialNumber: auth, other.serial: other.auth} {
		if resp, _ := walletCall(t, c, "POST", registration(serial), a, map[string]string{"pushToken": "token-1"}); resp.StatusCode != http.StatusCreated {
			t.Fatalf("registration of %s: %d", serial, resp.StatusCode)
		}
	}
	var list struct {
		SerialNumbers []string `json:"serialNumbers"`
		LastUpdated   string   `json:"lastUpdated"`
	}
	_, body := walletCall(t, c, "GET", devices, "", nil)
	json.Unmarshal(body, &list)
	tag := list.LastUpdated

	c.must(c.do("DELETE", "/v1/members/"+m.str("id"), m.str("token"), nil), http.StatusNoContent)
	waitFor(t, func() bool { return len(pushes.Pushes()) >= 1 })
	if got := pushes.Pushes(); got[0].Token != "token-1" {
		t.Fatalf("pushes at the deletion = %+v, want one to token-1", got)
	}
	resp, body := walletCall(t, c, "GET", devices+"?passesUpdatedSince="+tag, "", nil)
	list.SerialNumbers = nil
	json.Unmarshal(body, &list)
	if resp.StatusCode != http.StatusOK || len(list.SerialNumbers) != 1 || list.SerialNumbers[0] != pass.SerialNumber {
		t.Fatalf("the phone's passes changed since the deletion: %d %s, want the deleted one", resp.StatusCode, body)
	}
	resp, latest := walletCall(t, c, "GET", fmt.Sprintf("/wallet/v1/passes/%s/%s", pass.PassTypeIdentifier, pass.SerialNumber), auth, nil)
	pass.Voided = false
	json.Unmarshal(unzip(t, latest)["pass.json"], &pass)
	if resp.StatusCode != http.StatusOK || !pass.Voided {
		t.Fatalf("the deleted account's pass: %d, voided %v; want it voided", resp.StatusCode, pass.Voided)
	}
	if resp, body := walletCall(t, c, "GET", devices+"?passesUpdatedSince="+tag, "", nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("the phone asking again with the same tag: %d %s; the deleted pass must be listed once", resp.StatusCode, body)
	}
	_, body = walletCall(t, c, "GET", devices, "", nil)
	list.SerialNumbers = nil
	json.Unmarshal(body, &list)
	if len(list.SerialNumbers) != 1 || list.SerialNumbers[0] != other.serial {
		t.Errorf("the phone's passes after the deletion: %s, want only the other member's", body)
	}
	if resp, _ := walletCall(t, c, "POST", registration(pass.SerialNumber), auth, map[string]string{"pushToken": "token-1"}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("registering the deleted account's pass again: %d, want 401", resp.StatusCode)
	}
}
