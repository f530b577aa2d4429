package browsertest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fidelio/fidelio/infra/local/stack"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
)

// TestJoinPage enrolls a member through the form on a phone, in French then
// English, with the first answer lost on the way back: trying again replays
// the same enrollment, and the member space opens with the card and working
// wallet links.
func TestJoinPage(t *testing.T) {
	e := setup(t)
	ctx := e.tab(t, "fr-FR,fr")
	clearCookies(t, ctx)

	do(t, ctx, "open the join page", chromedp.Navigate(e.base+"/"), chromedp.WaitVisible(chromedp.ID("join-form")))
	waitFor(t, ctx, "the page in French", `document.documentElement.lang === "fr" && document.getElementById("perk-welcome").textContent !== ""`)
	if h := text(t, ctx, "join-heading"); !strings.Contains(h, "carte de fidélité") {
		t.Errorf("a French browser reads %q", h)
	}
	if p := text(t, ctx, "perk-welcome"); !strings.Contains(p, "50 points") {
		t.Errorf("the welcome gift reads %q", p)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#tier-list li").length`); n != 4 {
		t.Errorf("%d tiers shown, want 4", n)
	}
	noSideScroll(t, ctx, "the join page")
	shot(t, ctx, "join-fr")

	t.Run("an empty form says what to fix, aloud", func(t *testing.T) {
		do(t, ctx, "submit empty", chromedp.Click(chromedp.ID("join-submit")))
		waitFor(t, ctx, "the error summary", `document.getElementById("form-errors").textContent.includes("3")`)
		if role := eval[string](t, ctx, `document.getElementById("form-errors").getAttribute("role")`); role != "alert" {
			t.Errorf("the error summary has role %q: a screen reader would not announce it", role)
		}
		if id := eval[string](t, ctx, `document.activeElement.id`); id != "name" {
			t.Errorf("focus is on %q, want the first field in error", id)
		}
		if inv := eval[string](t, ctx, `document.getElementById("email").getAttribute("aria-invalid")`); inv != "true" {
			t.Errorf("the empty email field has aria-invalid=%q", inv)
		}
		shot(t, ctx, "join-errors-fr")
	})

	do(t, ctx, "switch to English", chromedp.Click(chromedp.CSS("[data-lang-switch]")))
	waitFor(t, ctx, "the page in English", `document.documentElement.lang === "en"`)
	if h := text(t, ctx, "join-heading"); !strings.Contains(h, "loyalty card") {
		t.Errorf("after the switch the heading reads %q", h)
	}
	if s := text(t, ctx, "form-errors"); !strings.Contains(s, "fields need your attention") {
		t.Errorf("the errors on show were not translated: %q", s)
	}

	e.net.requests("POST /v1/members")
	e.net.loseAnswers("POST /v1/members", 1)
	do(t, ctx, "fill in the form",
		chromedp.SendKeys(chromedp.ID("name"), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.ID("email"), "ada.browser@example.com"),
		setValue("birthday", "1990-05-17"),
		chromedp.Click(chromedp.ID("consent")),
	)
	if eval[bool](t, ctx, `document.getElementById("marketing").checked`) {
		t.Error("the marketing box is ticked before the member ticks it")
	}
	do(t, ctx, "agree to offers and join",
		chromedp.Click(chromedp.ID("marketing")),
		chromedp.Click(chromedp.ID("join-submit")),
	)
	waitFor(t, ctx, "the network error", `document.getElementById("form-errors").textContent.includes("not be enrolled twice")`)
	if b := text(t, ctx, "join-submit"); b != "Try again" {
		t.Errorf("after a lost answer the button reads %q", b)
	}
	do(t, ctx, "try again", chromedp.Click(chromedp.ID("join-submit")))
	acrossNavigation(t, ctx, "the member space", `location.pathname === "/me" && !document.getElementById("space").hidden && document.getElementById("balance").textContent !== ""`)

	sent := e.net.requests("POST /v1/members")
	if len(sent) != 2 {
		t.Fatalf("%d enrollment requests, want the first and its retry", len(sent))
	}
	if sent[0].idempotencyKey == "" || sent[1].idempotencyKey != sent[0].idempotencyKey || sent[1].body != sent[0].body {
		t.Errorf("the retry is not the same request: %+v then %+v", sent[0], sent[1])
	}
	if sent[0].status != 201 || !sent[1].replayed {
		t.Errorf("the first enrollment answered %d and the retry replayed=%v: want 201, then the same answer replayed", sent[0].status, sent[1].replayed)
	}
	for _, want := range []string{`"locale":"en"`, `"birthday":"1990-05-17"`, `"timeZone":`, `"marketing":true`} {
		if !strings.Contains(sent[0].body, want) {
			t.Errorf("the enrollment %s lacks %s", sent[0].body, want)
		}
	}

	t.Run("the member space shows the card, the balance and the tier", func(t *testing.T) {
		waitFor(t, ctx, "the card picture", `(() => { const i = document.getElementById("card-image"); return i.complete && i.naturalWidth > 0; })()`)
		if h := text(t, ctx, "card-heading"); h != "Hello, Ada Lovelace" {
			t.Errorf("heading %q", h)
		}
		if b := text(t, ctx, "balance"); b != "50" {
			t.Errorf("balance %q, want the 50 welcome points", b)
		}
		if tier := text(t, ctx, "tier"); tier != "Bronze" {
			t.Errorf("tier %q", tier)
		}
		if next := text(t, ctx, "next-tier"); next != "500 more points to reach Silver" {
			t.Errorf("next tier %q", next)
		}
		if alt := eval[string](t, ctx, `document.getElementById("card-image").alt`); !strings.Contains(alt, "Bronze") || !strings.Contains(alt, "50 points") {
			t.Errorf("the card picture's alt text is %q", alt)
		}
		if !eval[bool](t, ctx, `document.getElementById("google-save").hidden`) {
			t.Error("the Google Wallet button shows without a Google link")
		}
		noSideScroll(t, ctx, "the member space")
		shot(t, ctx, "join-card-en")
	})

	t.Run("the Apple Wallet button downloads a signed pass", func(t *testing.T) {
		href := eval[string](t, ctx, `document.getElementById("apple-pass").href`)
		if !strings.HasPrefix(href, e.base+"/v1/members/") {
			t.Fatalf("Apple Wallet link %q", href)
		}
		resp, err := http.Get(href)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.apple.pkpass" {
			t.Errorf("GET the Apple Wallet link: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})

	t.Run("the page keeps no token: the session is an HttpOnly cookie", func(t *testing.T) {
		if eval[bool](t, ctx, `localStorage.length > 0 || Object.keys(sessionStorage).some(k => k !== "fidelio.lang")`) {
			t.Errorf("the page keeps %s in its storage", eval[string](t, ctx, `JSON.stringify({...localStorage, ...sessionStorage})`))
		}
		if c := eval[string](t, ctx, `document.cookie`); c != "" {
			t.Errorf("a script reads the cookies %q", c)
		}
	})
}

// TestJoinPageWithGoogle: with Google Wallet configured (against its
// stand-in), the card page offers both wallets, and the Google button leads
// to Google's save page.
func TestJoinPageWithGoogle(t *testing.T) {
	e := setup(t)
	const issuer = "3388000000022222228"
	g := googletest.New(t, issuer)
	_, base, stop, err := serveStack(stack.Options{DataDir: t.TempDir(), GoogleIssuerID: issuer, GoogleServiceAccount: string(g.KeyJSON), GoogleAPIURL: g.URL}, &faults{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)

	ctx := e.tab(t, "en-US,en")
	clearCookies(t, ctx)
	do(t, ctx, "join",
		chromedp.Navigate(base+"/"),
		chromedp.SendKeys(chromedp.ID("name"), "Grace Hopper"),
		chromedp.SendKeys(chromedp.ID("email"), "grace@example.com"),
		chromedp.Click(chromedp.ID("consent")),
		chromedp.Click(chromedp.ID("join-submit")))
	acrossNavigation(t, ctx, "the member space with the card's picture", `(() => { const i = document.getElementById("card-image"); return location.pathname === "/me" && !document.getElementById("space").hidden && i.complete && i.naturalWidth > 0; })()`)
	if eval[bool](t, ctx, `document.getElementById("google-save").hidden || document.getElementById("apple-pass").hidden`) {
		t.Fatal("the card page does not offer both wallets")
	}
	href := eval[string](t, ctx, `document.getElementById("google-save").href`)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, google.SaveURLPrefix) {
		t.Errorf("the Google Wallet button's link answers %d, Location %q", resp.StatusCode, loc)
	}
	noSideScroll(t, ctx, "the card page with both wallets")
	shot(t, ctx, "join-card-google-en")
}

// TestJoinPageSpeaksTheOperatorsProgram changes the program as an operator
// would (PATCH /v1/admin/program) and reads the join page: its name, welcome
// gift, terms and contact are the operator's, in French and in English.
func TestJoinPageSpeaksTheOperatorsProgram(t *testing.T) {
	e := setup(t)
	st, base, stop, err := serveStack(stack.Options{DataDir: t.TempDir()}, &faults{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	patch, _ := http.NewRequest("PATCH", base+"/v1/admin/program", strings.NewReader(`{"welcomeBonus":120,"pointsPerUnit":2,"thresholds":{"silver":300},"expiryMonths":6,
		"name":{"en":"Light Café","fr":"Café Lumière"},
		"terms":{"en":"Points have no cash value.","fr":"Les points n'ont pas de valeur monétaire."},
		"contact":{"en":"hello@lumiere.example","fr":"bonjour@lumiere.example"}}`))
	patch.Header.Set("Authorization", "Bearer "+st.Secrets.AdminKey)
	patch.Header.Set("Content-Type", "application/merge-patch+json")
	resp, err := http.DefaultClient.Do(patch)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PATCH /v1/admin/program: %d", resp.StatusCode)
	}

	ctx := e.tab(t, "fr-FR,fr")
	do(t, ctx, "open the join page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("join-form")))
	waitFor(t, ctx, "the operator's program", `document.getElementById("program-name").textContent === "Café Lumière"`)
	if got := eval[string](t, ctx, `document.querySelector("#tier-list .tier-silver").textContent`); !strings.Contains(got, "300") {
		t.Errorf("Silver reads %q, want the operator's 300 points", got)
	}
	for id, want := range map[string]string{"perk-welcome": "120", "perk-earn": "2 points par euro d'achat", "perk-expiry": "valables 6 mois",
		"perk-birthday": "après 7 jours", "tiers-note": "365 derniers jours", "program-terms": "valeur monétaire", "program-contact": "bonjour@lumiere.example"} {
		if got := text(t, ctx, id); !strings.Contains(got, want) {
			t.Errorf("#%s reads %q, want %q in it", id, got, want)
		}
	}
	noSideScroll(t, ctx, "the join page with the operator's texts")
	shot(t, ctx, "join-program-fr-phone")

	do(t, ctx, "switch to English", chromedp.Click(chromedp.CSS("[data-lang-switch]")))
	waitFor(t, ctx, "the program in English", `document.getElementById("program-name").textContent === "Light Café"`)
	if got := text(t, ctx, "program-terms"); got != "Points have no cash value." {
		t.Errorf("the English terms read %q", got)
	}
	do(t, ctx, "a tablet", chromedp.EmulateViewport(1180, 820))
	shot(t, ctx, "join-program-en-tablet")
}
