package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// outboxed is a message of the local stack's outbox, as /dev/outbox lists it.
type outboxed struct{ To, Subject, Text, Kind string }

// outbox reads the newest message of kind sent to an address.
func (e *env) outbox(t *testing.T, kind, to string) outboxed {
	t.Helper()
	msgs := e.outboxAll(t)
	for _, m := range msgs {
		if m.Kind == kind && m.To == to {
			return m
		}
	}
	t.Fatalf("no %s message to %s in the outbox (%d messages)", kind, to, len(msgs))
	return outboxed{}
}

// outboxAll lists the outbox's messages, newest first.
func (e *env) outboxAll(t *testing.T) []outboxed {
	t.Helper()
	req, _ := http.NewRequest("GET", e.base+"/dev/outbox", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []outboxed
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		t.Fatalf("GET /dev/outbox: %d %v", resp.StatusCode, err)
	}
	return msgs
}

// linkIn is the first link of a message's text.
func linkIn(t *testing.T, m outboxed) string {
	t.Helper()
	i := strings.Index(m.Text, "http")
	if i < 0 {
		t.Fatalf("no link in %q", m.Text)
	}
	return strings.Fields(m.Text[i:])[0]
}

// clearCookies signs the browser out of every stack now and when the test
// ends: a signed-in browser opening / is sent on to /me, which the other
// tests' pages do not expect.
func clearCookies(t *testing.T, ctx context.Context) {
	t.Helper()
	clear := func() error {
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}
	if err := clear(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := clear(); err != nil {
			t.Errorf("clearing the cookies: %v", err)
		}
	})
}

// member390 opens a tab the size of a 390 x 844 phone, with the browser's
// cookies cleared: other tests' stacks share the host 127.0.0.1.
func (e *env) member390(t *testing.T, lang string) context.Context {
	t.Helper()
	ctx := e.tab(t, lang)
	clearCookies(t, ctx)
	do(t, ctx, "a 390 x 844 phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	return ctx
}

func spaceShows(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	acrossNavigation(t, ctx, "the member space of "+name, fmt.Sprintf(`location.pathname === "/me" && !document.getElementById("space").hidden && document.getElementById("card-heading").textContent.includes(%q)`, name))
}

// acrossNavigation waits, as waitFor does, for an expression that becomes
// true on a page the tab is navigating to: the page it is evaluated in may
// go away meanwhile.
func acrossNavigation(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		try, cancel := context.WithTimeout(ctx, time.Second)
		ok, err := chromedp.Run(try, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waiting for %s (%s)\npage says: %s", what, expr, pageText(ctx))
}

// TestMemberSpace joins on the web page, closes the tab and comes back to
// the member space three ways: a new tab (the session cookie), the card's
// link and a link emailed to the member (read from the outbox). There the
// member gives points to a charity and sets a monthly pledge.
func TestMemberSpace(t *testing.T) {
	e := setup(t)
	e.mustAPI(t, "POST", "/v1/admin/charities", e.st.Secrets.AdminKey, map[string]any{"id": "food-bank", "name": "Banque alimentaire", "pointsPerUnit": 100, "currency": "EUR", "minPoints": 10, "step": 10}, 201)
	const email = "marie.space@example.com"

	ctx := e.member390(t, "fr-FR,fr")
	do(t, ctx, "join",
		chromedp.Navigate(e.base+"/"),
		chromedp.WaitVisible(chromedp.ID("join-form")),
		chromedp.SendKeys(chromedp.ID("name"), "Marie Curie"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.Click(chromedp.ID("consent")),
		chromedp.Click(chromedp.ID("join-submit")))
	spaceShows(t, ctx, "Marie Curie")
	waitFor(t, ctx, "the history", `document.querySelectorAll("#history li").length === 1`)
	if h := text(t, ctx, "history"); !strings.Contains(h, "Cadeau de bienvenue") || !strings.Contains(h, "+50") {
		t.Errorf("the history reads %q", h)
	}
	if r := text(t, ctx, "rewards-next"); !strings.Contains(r, "Coffee") || !strings.Contains(r, "encore 50 points") {
		t.Errorf("the next rewards read %q", r)
	}
	noSideScroll390(t, ctx, "the member space")
	waitFor(t, ctx, "the card picture", `(() => { const i = document.getElementById("card-image"); return i.complete && i.naturalWidth > 0; })()`)
	shot(t, ctx, "me-fr")

	t.Run("a new tab opens the member space: the session outlives the tab", func(t *testing.T) {
		tab := e.tab(t, "fr-FR,fr")
		do(t, tab, "open the join page again", chromedp.Navigate(e.base+"/"))
		spaceShows(t, tab, "Marie Curie")
	})

	t.Run("the welcome email's card link opens the space after signing out", func(t *testing.T) {
		do(t, ctx, "sign out", chromedp.Click(chromedp.ID("signout")))
		waitFor(t, ctx, "the sign-in form", `!document.getElementById("signin").hidden`)
		do(t, ctx, "reload", chromedp.Reload())
		waitFor(t, ctx, "the sign-in form after a reload", `!document.getElementById("signin").hidden && document.getElementById("space").hidden`)
		link := linkIn(t, e.outbox(t, "welcome", email))
		if !strings.Contains(link, "/me/link?member=") {
			t.Fatalf("the welcome email links to %q", link)
		}
		do(t, ctx, "open the card's link", chromedp.Navigate(link))
		spaceShows(t, ctx, "Marie Curie")
		if u := eval[string](t, ctx, `location.href`); u != e.base+"/me" {
			t.Errorf("after the exchange the address is %q: the signed link stays in the history", u)
		}
	})

	t.Run("a link asked for by email opens the space", func(t *testing.T) {
		do(t, ctx, "sign out", chromedp.Click(chromedp.ID("signout")))
		waitFor(t, ctx, "the sign-in form", `!document.getElementById("signin").hidden`)
		shot(t, ctx, "me-signin-fr")
		do(t, ctx, "ask for a link", chromedp.SendKeys(chromedp.ID("signin-email"), email), chromedp.Click(chromedp.ID("signin-submit")))
		waitFor(t, ctx, "the link sent", `document.getElementById("signin-status").textContent.includes("15 minutes")`)
		link := linkIn(t, e.outbox(t, "sign-in", email))
		do(t, ctx, "open the emailed link", chromedp.Navigate(link))
		spaceShows(t, ctx, "Marie Curie")
		do(t, ctx, "open an altered link", chromedp.Navigate(strings.Replace(link, "signature=", "signature=K1.AAAA", 1)))
		waitFor(t, ctx, "the space still open (the cookie is kept)", `!document.getElementById("space").hidden`)
	})

	t.Run("giving points and setting a pledge", func(t *testing.T) {
		do(t, ctx, "give 20 points",
			chromedp.SetValue(chromedp.ID("give-charity"), "food-bank"),
			chromedp.SendKeys(chromedp.ID("give-points"), "20"),
			chromedp.Click(chromedp.ID("give-submit")))
		waitFor(t, ctx, "the thanks", `document.getElementById("give-status").textContent.includes("20 points")`)
		waitFor(t, ctx, "the balance after the gift", `document.getElementById("balance").textContent === "30"`)
		if g := text(t, ctx, "given"); !strings.Contains(g, "Banque alimentaire") || !strings.Contains(g, "20") {
			t.Errorf("given this year reads %q", g)
		}
		do(t, ctx, "pledge 10 points a month",
			chromedp.SetValue(chromedp.ID("pledge-charity"), "food-bank"),
			chromedp.SendKeys(chromedp.ID("pledge-points"), "10"),
			chromedp.Click(chromedp.ID("pledge-submit")))
		waitFor(t, ctx, "the pledge", `document.getElementById("pledge-now").textContent.includes("10 points par mois")`)
		id := eval[string](t, ctx, `fetch("/v1/session").then(r => r.json()).then(s => s.memberId)`)
		var plan map[string]any
		for _, tok := range []string{e.st.Secrets.AdminKey} {
			plan = e.mustAPI(t, "GET", "/v1/members/"+id+"/donation-plan", tok, nil, 200)
		}
		if plan["charityId"] != "food-bank" || plan["monthlyPoints"] != float64(10) {
			t.Errorf("the stored plan is %v", plan)
		}
		noSideScroll390(t, ctx, "the member space after giving")
		shot(t, ctx, "me-given-fr")

		do(t, ctx, "switch to English", chromedp.Click(chromedp.CSS("[data-lang-switch]")))
		waitFor(t, ctx, "the space in English", `document.getElementById("pledge-now").textContent.includes("10 points a month")`)
		if h := text(t, ctx, "history"); !strings.Contains(h, "Gift · Banque alimentaire") || !strings.Contains(h, "Welcome gift") {
			t.Errorf("the English history reads %q", h)
		}
		shot(t, ctx, "me-en")
		do(t, ctx, "stop the pledge", chromedp.Click(chromedp.ID("pledge-cancel")))
		waitFor(t, ctx, "no pledge", `document.getElementById("pledge-now").textContent === "You have no monthly pledge."`)
	})

	t.Run("downloading my data", func(t *testing.T) {
		data := eval[map[string]any](t, ctx, `fetch(document.getElementById("download").href).then(r => r.json())`)
		profile, _ := data["profile"].(map[string]any)
		ledger, _ := data["ledger"].([]any)
		if profile["email"] != email || len(ledger) != 2 {
			t.Errorf("the download holds %v", data)
		}
		if d := eval[string](t, ctx, `document.getElementById("download").getAttribute("download")`); d != "" {
			t.Errorf("the download link's download attribute is %q", d)
		}
	})
}

func noSideScroll390(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("%s is %d CSS pixels wide on a 390 px phone: it scrolls sideways", page, w)
	}
}
