package browsertest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fidelio/fidelio/infra/local/stack"
	"github.com/fidelio/fidelio/shared/loyalty"
)

// endpoint is a shop's webhook endpoint: it checks each delivery's signature
// with the secret the console showed, refuses the first one with a 503 (so
// the log shows a retry), and keeps the events it accepted.
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	refused  bool
	accepted []string // event types, in arrival order
}

func newEndpoint(t *testing.T) *endpoint {
	ep := &endpoint{}
	ep.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ep.mu.Lock()
		defer ep.mu.Unlock()
		ts, v1, _ := strings.Cut(r.Header.Get("Fidelio-Signature"), ",v1=")
		mac := hmac.New(sha256.New, []byte(ep.secret))
		mac.Write([]byte(strings.TrimPrefix(ts, "t=") + "." + string(body)))
		if got, _ := hex.DecodeString(v1); ep.secret == "" || !hmac.Equal(got, mac.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if !ep.refused {
			ep.refused = true
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var e struct{ Type string }
		json.Unmarshal(body, &e)
		ep.accepted = append(ep.accepted, e.Type)
	}))
	t.Cleanup(ep.Close)
	return ep
}

// webhookStack starts a stack of its own that delivers events, as the local
// stack does, for the webhooks screen.
func webhookStack(t *testing.T) (*stack.Stack, string) {
	t.Helper()
	st, base, stop, err := serveStack(stack.Options{DataDir: filepath.Join(t.TempDir(), "data")}, &faults{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go st.RunUpdater(ctx)
	return st, base
}

// phone390 opens a tab the size of a 390×844 phone, as screen does.
func (e *env) phone390(t *testing.T, lang string) context.Context {
	t.Helper()
	ctx := e.screen(t, lang, 390, 844, true)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// TestConsoleWebhooks: an operator registers a webhook for two events, reads
// its delivery log (a first attempt refused, then delivered) on a laptop in
// English and a phone in French, and deletes it.
func TestConsoleWebhooks(t *testing.T) {
	e := setup(t)
	st, base := webhookStack(t)
	p := &program{base: base, st: st, ownerKey: st.Secrets.AdminKey}
	api := &env{base: base}
	ep := newEndpoint(t)
	url := ep.URL + "/fidelio"
	var id string

	t.Run("registers a webhook", func(t *testing.T) {
		ctx := e.screen(t, "en-GB,en", 1366, 768, false)
		p.signIn(t, ctx, p.ownerKey)
		do(t, ctx, "open the webhooks", chromedp.Navigate(base+"/admin#webhooks"))
		waitFor(t, ctx, "the empty list", `!document.getElementById("view-webhooks").hidden && document.getElementById("webhooks-list").textContent.includes("No webhook yet")`)
		offered := eval[[]string](t, ctx, `[...document.querySelectorAll("#webhook-events input")].map(i => i.value)`)
		if fmt.Sprint(offered) != fmt.Sprint(loyalty.EventTypes) {
			t.Errorf("the form offers the events %q, want loyalty.EventTypes %q", offered, loyalty.EventTypes)
		}

		do(t, ctx, "register a webhook to an address that is not https", setValue("webhook-url", "http://shop.example.com/hook"),
			chromedp.Click(chromedp.CSS(`#webhook-form button[type=submit]`)))
		waitFor(t, ctx, "the refusal", `document.getElementById("webhook-error").textContent.includes("https")`)

		do(t, ctx, "register the shop's endpoint for two events", setValue("webhook-url", url),
			chromedp.Evaluate[chromedp.Void](`for (const v of ["member.enrolled", "points.earned"]) document.querySelector('#webhook-events input[value="' + v + '"]').click()`),
			chromedp.Click(chromedp.CSS(`#webhook-form button[type=submit]`)))
		waitFor(t, ctx, "the secret and the new row", `!document.getElementById("webhook-secret").hidden && document.querySelectorAll("#webhooks-list tbody tr").length === 1`)
		if got := text(t, ctx, "webhook-error"); got != "" {
			t.Errorf("the form still says %q", got)
		}
		row := eval[string](t, ctx, `document.querySelector("#webhooks-list tbody tr").textContent`)
		if !strings.Contains(row, url) || !strings.Contains(row, "member.enrolled") || !strings.Contains(row, "points.earned") || strings.Contains(row, "tier.changed") {
			t.Errorf("the row reads %q, want the address and its two events", row)
		}
		secret := eval[string](t, ctx, `document.querySelector("#webhook-secret code").textContent`)
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("the secret shown is %q", secret)
		}
		ep.mu.Lock()
		ep.secret = secret
		ep.mu.Unlock()
		hooks := api.mustAPI(t, "GET", "/v1/admin/webhooks", p.ownerKey, nil, 200)["webhooks"].([]any)
		if len(hooks) != 1 {
			t.Fatalf("%d webhooks registered, want 1 (the refused one is not)", len(hooks))
		}
		id = hooks[0].(map[string]any)["id"].(string)
		shot(t, ctx, "console-webhooks-laptop-en")
	})
	if id == "" {
		t.FailNow()
	}

	// A member joins and earns: two events, the first refused once, then
	// both delivered, signed with the secret the console showed.
	m := api.mustAPI(t, "POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}, 201)
	api.mustAPI(t, "POST", "/v1/earnings", st.Demo.StaffKeys[0].Key, map[string]any{"code": m["code"], "receiptId": "R-1", "amount": map[string]any{"value": 1000, "currency": "EUR"}}, 201)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ds := api.mustAPI(t, "GET", "/v1/admin/webhooks/"+id+"/deliveries", p.ownerKey, nil, 200)["deliveries"].([]any)
		delivered := 0
		for _, d := range ds {
			if d.(map[string]any)["status"] == "delivered" {
				delivered++
			}
		}
		if delivered == 2 {
			break
		}
		if time.Now().After(deadline) {
			ep.mu.Lock()
			t.Fatalf("deliveries %v; the endpoint accepted %q", ds, ep.accepted)
		}
	}
	ep.mu.Lock()
	if fmt.Sprint(ep.accepted) != "[member.enrolled points.earned]" {
		t.Errorf("the endpoint accepted %q, want the enrollment then the earning, once each", ep.accepted)
	}
	ep.mu.Unlock()

	for _, c := range []struct {
		name, lang, delivered, refused string
		phone                          bool
	}{{"laptop-en", "en-GB,en", "Delivered", "503 in", false}, {"phone-fr", "fr-FR,fr", "Livré", "503 en", true}} {
		t.Run("reads the delivery log on a "+c.name, func(t *testing.T) {
			ctx := e.screen(t, c.lang, 1366, 768, false)
			if c.phone {
				ctx = e.phone390(t, c.lang)
			}
			p.signIn(t, ctx, p.ownerKey)
			do(t, ctx, "open the webhooks", chromedp.Navigate(base+"/admin#webhooks"))
			waitFor(t, ctx, "the webhook", `document.querySelectorAll("#webhooks-list tbody tr a").length === 1`)
			do(t, ctx, "open its delivery log", chromedp.Click(chromedp.CSS(`#webhooks-list tbody tr a`)))
			waitFor(t, ctx, "the two deliveries", `!document.getElementById("deliveries").hidden && document.querySelectorAll("#deliveries-list tbody tr").length === 2`)
			rows := eval[[]string](t, ctx, `[...document.querySelectorAll("#deliveries-list tbody tr")].map(tr => [...tr.cells].map(c => c.textContent).join("|"))`)
			// Newest first: the earning, delivered at once; the enrollment,
			// refused with a 503, then delivered.
			if len(rows) != 2 || !strings.HasPrefix(rows[0], c.delivered+"|points.earned") || !strings.HasPrefix(rows[1], c.delivered+"|member.enrolled") {
				t.Fatalf("the log reads %q", rows)
			}
			if attempts := eval[[]string](t, ctx, `[...document.querySelectorAll("#deliveries-list tbody tr:last-child .attempts li")].map(li => li.textContent)`); len(attempts) != 2 || !strings.Contains(attempts[0], c.refused) || !strings.Contains(attempts[1], "200") {
				t.Errorf("the enrollment's attempts read %q, want a 503 then a 200", attempts)
			}
			if heading := text(t, ctx, "deliveries-heading"); !strings.Contains(heading, url) {
				t.Errorf("the log's heading is %q, want the webhook's address", heading)
			}
			if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); c.phone && w > 390 {
				t.Errorf("the delivery log is %d CSS pixels wide on a 390 px phone: the page scrolls sideways", w)
			}
			shot(t, ctx, "console-webhook-log-"+c.name)
		})
	}

	t.Run("deletes a webhook", func(t *testing.T) {
		ctx := e.phone390(t, "fr-FR,fr")
		p.signIn(t, ctx, p.ownerKey)
		do(t, ctx, "open the log", chromedp.Navigate(base+"/admin#webhooks/"+id))
		waitFor(t, ctx, "the log", `!document.getElementById("deliveries").hidden`)
		do(t, ctx, "delete the webhook", chromedp.Click(chromedp.CSS(`#webhooks-list tbody tr button.danger`)))
		waitFor(t, ctx, "the confirmation", `document.getElementById("confirm").open`)
		if q := text(t, ctx, "confirm-text"); !strings.Contains(q, url) {
			t.Errorf("the confirmation asks %q, without the address", q)
		}
		do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-yes")))
		waitFor(t, ctx, "the empty list", `document.getElementById("status").classList.contains("ok") && document.getElementById("webhooks-list").textContent.includes("Aucun webhook") && document.getElementById("deliveries").hidden && location.hash === "#webhooks"`)
		shot(t, ctx, "console-webhooks-deleted-phone-fr")
		if hooks := api.mustAPI(t, "GET", "/v1/admin/webhooks", p.ownerKey, nil, 200)["webhooks"].([]any); len(hooks) != 0 {
			t.Errorf("%d webhooks left after the deletion", len(hooks))
		}
	})
}
