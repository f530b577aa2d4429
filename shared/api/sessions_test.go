package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/mail"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// outbox records the messages an App sends.
type outbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

func (o *outbox) messages() []mail.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]mail.Message(nil), o.sent...)
}

// browser sends requests to an App as a browser would: with the cookies
// it was given, and no bearer token.
type browser struct {
	t       *testing.T
	app     http.Handler
	cookies map[string]*http.Cookie
}

func (b *browser) do(method, target, token, body string) *http.Response {
	b.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.app.ServeHTTP(rec, req)
	resp := rec.Result()
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return resp
}

func withMail(t *testing.T) (*fixture, *outbox, *browser) {
	t.Helper()
	f := newFixture(t)
	o := &outbox{}
	deps := f.deps
	deps.Mail = o
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	return f, o, &browser{t: t, app: app, cookies: map[string]*http.Cookie{}}
}

func TestATokenIsTradedForARevocableSessionCookie(t *testing.T) {
	f, _, b := withMail(t)
	m := f.enroll("cookie@example.com")
	id := m.str("id")
	if r := b.do("GET", "/v1/members/"+id, "", ""); r.StatusCode != 401 {
		t.Fatalf("without a session: %d", r.StatusCode)
	}
	r := b.do("POST", "/v1/session", m.str("token"), "")
	if r.StatusCode != 201 {
		t.Fatalf("POST /v1/session: %d", r.StatusCode)
	}
	set := r.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-fidelio-session=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict", "Max-Age=2592000"} {
		if !strings.Contains(set, want) {
			t.Errorf("the cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, m.str("token")) {
		t.Error("the cookie holds the member's token")
	}
	if r := b.do("GET", "/v1/members/"+id, "", ""); r.StatusCode != 200 {
		t.Fatalf("with the session: %d", r.StatusCode)
	}
	if r := b.do("GET", "/v1/session", "", ""); r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /v1/session: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	other := f.enroll("other@example.com")
	if r := b.do("GET", "/v1/members/"+other.str("id"), "", ""); r.StatusCode != 403 {
		t.Errorf("a session reads another member: %d", r.StatusCode)
	}
	stolen := b.cookies["__Host-fidelio-session"]
	if r := b.do("DELETE", "/v1/session", "", ""); r.StatusCode != 204 {
		t.Fatalf("sign out: %d", r.StatusCode)
	}
	b.cookies["__Host-fidelio-session"] = stolen // a copy kept elsewhere
	if r := b.do("GET", "/v1/members/"+id, "", ""); r.StatusCode != 401 {
		t.Errorf("a revoked session still reads the member: %d", r.StatusCode)
	}
}

func TestTheCardsLinkOpensASessionAndAReissueEndsItAndItsSessions(t *testing.T) {
	f, _, b := withMail(t)
	m := f.enroll("card@example.com")
	id := m.str("id")
	link := "/me/link?" + f.deps.Codes.CardLink(id, 0)
	r := b.do("GET", link, "", "")
	if r.StatusCode != 303 || r.Header.Get("Location") != "/me" || b.cookies["__Host-fidelio-session"] == nil {
		t.Fatalf("the card's link: %d to %q, cookie %v", r.StatusCode, r.Header.Get("Location"), b.cookies)
	}
	if r := b.do("GET", "/v1/members/"+id, "", ""); r.StatusCode != 200 {
		t.Fatalf("after the card's link: %d", r.StatusCode)
	}
	for name, bad := range map[string]string{
		"another member's": strings.Replace(link, id, f.enroll("x@example.com").str("id"), 1),
		"tampered":         tamper(link),
		"an emailed link's signature without its expiry": "/me/link?" + strings.Replace(f.deps.Codes.SignInLink(id, 0, time.Now().Add(time.Hour).Unix()), "&expires=", "&was=", 1),
	} {
		fresh := &browser{t: t, app: f.app, cookies: map[string]*http.Cookie{}}
		if r := fresh.do("GET", bad, "", ""); r.Header.Get("Location") != "/me?link=invalid" || len(fresh.cookies) != 0 {
			t.Errorf("%s link: to %q with cookies %v", name, r.Header.Get("Location"), fresh.cookies)
		}
	}
	f.expect(f.do("POST", "/v1/members/"+id+"/credentials", m.str("token"), "", "Idempotency-Key", "lost"), 200, "")
	if r := b.do("GET", "/v1/session", "", ""); r.StatusCode != 401 {
		t.Errorf("the session opened before the re-issue answers %d, want 401", r.StatusCode)
	}
	fresh := &browser{t: t, app: f.app, cookies: map[string]*http.Cookie{}}
	if r := fresh.do("GET", link, "", ""); r.Header.Get("Location") != "/me?link=replaced" || len(fresh.cookies) != 0 {
		t.Errorf("the old card's link after a re-issue: to %q with cookies %v", r.Header.Get("Location"), fresh.cookies)
	}
}

func TestEmailSignInSendsALinkOnlyToAMemberAndSaysTheSameToAll(t *testing.T) {
	f, o, b := withMail(t)
	m := f.enroll("ada.mail@example.com")
	welcome := o.messages()
	if len(welcome) != 1 || welcome[0].Kind != "welcome" || welcome[0].To != "ada.mail@example.com" || !strings.Contains(welcome[0].Text, "/me/link?member="+m.str("id")) {
		t.Fatalf("enrollment sent %+v, want the welcome with the member space's link", welcome)
	}
	known := b.do("POST", "/v1/session/email", "", `{"email":" Ada.Mail@example.com "}`)
	unknown := b.do("POST", "/v1/session/email", "", `{"email":"nobody@example.com"}`)
	if known.StatusCode != 202 || unknown.StatusCode != 202 {
		t.Fatalf("a member's address answered %d, another %d: want 202 for both", known.StatusCode, unknown.StatusCode)
	}
	sent := o.messages()[1:]
	if len(sent) != 1 || sent[0].Kind != "sign-in" || sent[0].To != "ada.mail@example.com" {
		t.Fatalf("sent %+v, want one sign-in link to the member", sent)
	}
	i := strings.Index(sent[0].Text, "http")
	u, err := url.Parse(strings.Fields(sent[0].Text[i:])[0])
	if err != nil || u.Path != "/me/link" || u.Query().Get("expires") == "" {
		t.Fatalf("the sign-in link %v: %v", u, err)
	}
	f.clock.Set(storetest.Start.Add(16 * time.Minute))
	if r := b.do("GET", u.RequestURI(), "", ""); r.Header.Get("Location") != "/me?link=expired" || len(b.cookies) != 0 {
		t.Errorf("16 minutes on, the link goes to %q with cookies %v", r.Header.Get("Location"), b.cookies)
	}
	f.clock.Set(storetest.Start.Add(14 * time.Minute))
	if r := b.do("GET", u.RequestURI(), "", ""); r.Header.Get("Location") != "/me" || b.cookies["__Host-fidelio-session"] == nil {
		t.Errorf("14 minutes on, the link goes to %q with cookies %v", r.Header.Get("Location"), b.cookies)
	}
	for range 3 {
		b.do("POST", "/v1/session/email", "", `{"email":"ada.mail@example.com"}`)
	}
	if r := b.do("POST", "/v1/session/email", "", `{"email":"ada.mail@example.com"}`); r.StatusCode != 429 {
		t.Errorf("the fifth sign-in email of a minute answered %d, want 429", r.StatusCode)
	}
}

func TestTheDonationPlanIsReadBack(t *testing.T) {
	f, _, _ := withMail(t)
	m := f.enroll("plan@example.com")
	id, token := m.str("id"), m.str("token")
	f.expect(f.do("GET", "/v1/members/"+id+"/donation-plan", token, ""), 404, "donation_plan_not_found")
	f.expect(f.do("POST", "/v1/admin/charities", adminKey, `{"id":"food-bank","name":"Food bank","pointsPerUnit":100,"currency":"EUR","minPoints":10,"step":10}`), 201, "")
	f.expect(f.do("PUT", "/v1/members/"+id+"/donation-plan", token, `{"charityId":"food-bank","monthlyPoints":20}`), 200, "")
	r := f.do("GET", "/v1/members/"+id+"/donation-plan", token, "")
	f.expect(r, 200, "")
	if r.str("charityId") != "food-bank" || r.num("monthlyPoints") != 20 || r.str("nextPledgeOn") == "" {
		t.Errorf("the plan reads %v", r.body)
	}
	f.expect(f.do("GET", "/v1/members/"+id+"/donation-plan", f.staffKey("paris"), ""), 403, "forbidden")
}

func TestAMemberDownloadsTheirData(t *testing.T) {
	f, _, b := withMail(t)
	m := f.enroll("export@example.com")
	id, token := m.str("id"), m.str("token")
	f.expect(f.do("POST", "/v1/admin/charities", adminKey, `{"id":"food-bank","name":"Food bank","pointsPerUnit":100,"currency":"EUR","minPoints":10,"step":10}`), 201, "")
	f.expect(f.do("POST", "/v1/members/"+id+"/donations", token, `{"charityId":"food-bank","points":20}`, "Idempotency-Key", "gift"), 201, "")
	b.do("POST", "/v1/session", token, "")
	r := b.do("GET", "/v1/members/"+id+"/export", "", "")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %d %q", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	var out struct {
		Profile struct{ Email string }
		Ledger  []struct {
			Kind      string
			CharityID string
		}
		Giving  struct{ Points int64 }
		Devices []any
	}
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Profile.Email != "export@example.com" || len(out.Ledger) != 2 || out.Ledger[0].Kind != "donate" || out.Ledger[0].CharityID != "food-bank" || out.Giving.Points != 20 || out.Devices == nil {
		t.Errorf("the export holds %+v", out)
	}
	f.expect(f.do("GET", "/v1/members/"+id+"/export", f.staffKey("paris"), ""), 403, "forbidden")
}

// tamper changes a link's last character, whatever it was.
func tamper(link string) string {
	last := "A"
	if strings.HasSuffix(link, last) {
		last = "B"
	}
	return link[:len(link)-1] + last
}
