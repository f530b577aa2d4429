package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestAMemberChangesTheirProfileThroughTheSession(t *testing.T) {
	f, _, b := withMail(t)
	m := f.enroll("profile@example.com")
	id := m.str("id")
	b.do("POST", "/v1/session", m.str("token"), "")
	r := b.do("PATCH", "/v1/members/"+id, "", `{"name":"Ada King","birthday":"1990-05-17","locale":"fr"}`)
	if r.StatusCode != 200 {
		t.Fatalf("PATCH through the session: %d", r.StatusCode)
	}
	got := f.do("GET", "/v1/members/"+id, m.str("token"), "")
	if got.str("name") != "Ada King" || got.str("birthday") != "1990-05-17" || got.str("locale") != "fr" || got.str("email") != "profile@example.com" {
		t.Errorf("after the change: %v", got.body)
	}
	f.expect(f.do("PATCH", "/v1/members/"+id, m.str("token"), `{"birthday":"2999-01-01"}`), 400, "invalid_birthday")
	f.expect(f.do("PATCH", "/v1/members/"+id, f.enroll("other@example.com").str("token"), `{"name":"Eve"}`), 403, "forbidden")
	f.expect(f.do("GET", "/v1/program", "", ""), 200, "")
	if p := f.do("GET", "/v1/program", "", ""); p.body["birthday"] == nil {
		t.Errorf("GET /v1/program states no birthday terms: %v", p.body)
	}
}

// linkIn is the first link of a message's text.
func linkIn(t *testing.T, text string) *url.URL {
	t.Helper()
	u, err := url.Parse(strings.Fields(text[strings.Index(text, "http"):])[0])
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAnEmailChangesOnlyWhenTheNewAddressConfirmsIt(t *testing.T) {
	f, o, b := withMail(t)
	m := f.enroll("before@example.com")
	id, token := m.str("id"), m.str("token")
	f.enroll("taken@example.com")
	f.expect(f.do("POST", "/v1/members/"+id+"/email", token, `{"email":"Taken@example.com"}`), 409, "email_taken")
	f.expect(f.do("POST", "/v1/members/"+id+"/email", token, `{"email":"after@example.com"}`), 202, "")
	sent := o.messages()
	last := sent[len(sent)-1]
	if last.Kind != "email-change" || last.To != "after@example.com" {
		t.Fatalf("sent %+v, want the confirmation to the new address", last)
	}
	if got := f.do("GET", "/v1/members/"+id, token, ""); got.str("email") != "before@example.com" {
		t.Errorf("before the link is opened the email is %q", got.str("email"))
	}
	link := linkIn(t, last.Text)
	tampered := strings.Replace(link.RequestURI(), "after%40example.com", "evil%40example.com", 1)
	if r := b.do("GET", tampered, "", ""); r.Header.Get("Location") != "/me?email=invalid" {
		t.Errorf("a tampered link goes to %q", r.Header.Get("Location"))
	}
	f.clock.Set(storetest.Start.Add(25 * time.Hour))
	if r := b.do("GET", link.RequestURI(), "", ""); r.Header.Get("Location") != "/me?email=expired" {
		t.Errorf("25 hours on the link goes to %q", r.Header.Get("Location"))
	}
	f.clock.Set(storetest.Start.Add(23 * time.Hour))
	for range 2 {
		if r := b.do("GET", link.RequestURI(), "", ""); r.StatusCode != 303 || r.Header.Get("Location") != "/me?email=changed" {
			t.Errorf("the link: %d to %q", r.StatusCode, r.Header.Get("Location"))
		}
	}
	if got := f.do("GET", "/v1/members/"+id, token, ""); got.str("email") != "after@example.com" {
		t.Errorf("after the link the email is %q", got.str("email"))
	}
	f.enroll("before@example.com") // released
}

func TestADeletedAccountKeepsItsLedgerAndNothingOpensIt(t *testing.T) {
	f, _, b := withMail(t)
	m := f.enroll("gone@example.com")
	id, token := m.str("id"), m.str("token")
	link := "/me/link?" + f.deps.Codes.CardLink(id, 0)
	b.do("GET", link, "", "")
	f.expect(f.do("DELETE", "/v1/members/"+id, f.enroll("eve@example.com").str("token"), ""), 403, "forbidden")
	if r := b.do("DELETE", "/v1/members/"+id, "", ""); r.StatusCode != 204 {
		t.Fatalf("DELETE through the session: %d", r.StatusCode)
	}
	if r := b.do("GET", "/v1/session", "", ""); r.StatusCode != 401 {
		t.Errorf("the session after the deletion answers %d", r.StatusCode)
	}
	f.expect(f.do("GET", "/v1/members/"+id, token, ""), 401, "unauthorized")
	fresh := &browser{t: t, app: f.app, cookies: map[string]*http.Cookie{}}
	if r := fresh.do("GET", link, "", ""); r.Header.Get("Location") != "/me?link=deleted" || len(fresh.cookies) != 0 {
		t.Errorf("the card's link after the deletion: to %q with cookies %v", r.Header.Get("Location"), fresh.cookies)
	}
	f.expect(f.do("POST", "/v1/session/email", "", `{"email":"gone@example.com"}`), 202, "")
	f.expect(f.do("DELETE", "/v1/members/"+id, adminKey, ""), 204, "")
	ledger := f.do("GET", "/v1/members/"+id+"/ledger", adminKey, "")
	if ledger.status != 200 || len(ledger.body["entries"].([]any)) != 1 {
		t.Errorf("the ledger after the deletion: %d %v", ledger.status, ledger.body)
	}
	r := f.do("POST", "/v1/earnings", f.staffKey("paris"), `{"code":"`+m.str("code")+`","receiptId":"after-delete","amount":{"value":500,"currency":"EUR"}}`)
	if r.status < 400 || r.status >= 500 {
		t.Errorf("the old card's code at the till: %d %v", r.status, r.body)
	}
}
