package stack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestThePassesLinkOpensTheMemberSpace: the link on the back of the Apple
// pass, as the phone shows it, is exchanged for a session cookie and leads
// to the member space.
func TestThePassesLinkOpensTheMemberSpace(t *testing.T) {
	_, c := startWalletStack(t, "embedded")
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}), 201)
	_, pkpass := get(t, c, m.body["links"].(map[string]any)["applePass"].(string))
	var pass struct {
		StoreCard struct {
			BackFields []struct{ Key, Value string } `json:"backFields"`
		} `json:"storeCard"`
	}
	json.Unmarshal(unzip(t, pkpass)["pass.json"], &pass)
	link := ""
	for _, f := range pass.StoreCard.BackFields {
		if f.Key == "page" {
			link = f.Value
		}
	}
	if link == "" {
		t.Fatalf("no member page link on the pass's back: %+v", pass.StoreCard.BackFields)
	}
	opensTheMemberSpace(t, c, link)
}

// opensTheMemberSpace follows a card's member-page link with no cookie: it
// must set the session cookie and go to /me.
func opensTheMemberSpace(t *testing.T, c *client, link string) {
	t.Helper()
	resp, _ := get(t, c, link)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/me" || !strings.HasPrefix(resp.Header.Get("Set-Cookie"), "__Host-fidelio-session=") {
		t.Errorf("the card's link %s: %d to %q, cookie %q; want a session and /me", link, resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Set-Cookie"))
	}
}
