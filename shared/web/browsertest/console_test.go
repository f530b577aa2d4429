package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/fidelio/fidelio/infra/local/stack"
)

// program is a stack of its own with a known workload, for the console's
// tests: its figures are exactly what the workload did.
type program struct {
	base, ownerKey     string
	st                 *stack.Stack
	welcome            int64
	ada, bob, chloe    member
	managerKey         string
	analystKey         string
	staffKey, staffKID string // a till key the tests revoke
}

var (
	programOnce sync.Once
	theProgram  *program
	programErr  error
)

// consoleProgram starts the console's stack once: three members join, Ada
// earns 12.50 € at Paris Rivoli and Bob 40 € at Lyon Part-Dieu, Chloé is
// given 100 points by hand and spends them on a coffee; a manager, an
// analyst and an employee's till key are made.
func consoleProgram(t *testing.T, e *env) *program {
	t.Helper()
	programOnce.Do(func() { theProgram, programErr = startProgram(e) })
	if programErr != nil {
		t.Fatal(programErr)
	}
	return theProgram
}

func startProgram(e *env) (*program, error) {
	dir, err := os.MkdirTemp("", "fidelio-console-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	p := &program{}
	var stop func()
	p.st, p.base, stop, err = serveStack(stack.Options{DataDir: filepath.Join(dir, "data")}, &faults{})
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, stop)
	p.ownerKey = p.st.Secrets.AdminKey
	c := &env{base: p.base} // the API calls of env, on this stack
	rules, err := c.api("GET", "/v1/admin/program", p.ownerKey, nil, 200)
	if err != nil {
		return nil, err
	}
	p.welcome = int64(rules["welcomeBonus"].(float64))
	for _, m := range []*member{{Name: "Ada Lovelace"}, {Name: "Bob Martin"}, {Name: "Chloé Dubois"}} {
		email := strings.ToLower(strings.Fields(m.Name)[0]) + "@example.com"
		out, err := c.api("POST", "/v1/members", "", map[string]any{"name": m.Name, "email": email, "locale": "fr"}, 201)
		if err != nil {
			return nil, err
		}
		m.ID, m.Code, m.Token = out["id"].(string), out["code"].(string), out["token"].(string)
		switch m.Name[0] {
		case 'A':
			p.ada = *m
		case 'B':
			p.bob = *m
		default:
			p.chloe = *m
		}
	}
	paris, lyon := p.st.Demo.StaffKeys[0].Key, p.st.Demo.StaffKeys[1].Key
	steps := []struct {
		method, path, key string
		body              map[string]any
		status            int
		idem              string
	}{
		{"POST", "/v1/earnings", paris, map[string]any{"code": p.ada.Code, "receiptId": "P-1", "amount": map[string]any{"value": 1250, "currency": "EUR"}}, 201, ""},
		{"POST", "/v1/earnings", lyon, map[string]any{"code": p.bob.Code, "receiptId": "L-1", "amount": map[string]any{"value": 4000, "currency": "EUR"}}, 201, ""},
		{"POST", "/v1/admin/members/" + p.chloe.ID + "/adjustments", p.ownerKey, map[string]any{"points": 100, "note": "goodwill"}, 201, "chloe-1"},
		{"POST", "/v1/redemptions", paris, map[string]any{"code": p.chloe.Code, "rewardId": "coffee"}, 201, "chloe-coffee"},
	}
	for _, s := range steps {
		if _, err := c.api(s.method, s.path, s.key, s.body, s.status, "Idempotency-Key", s.idem); err != nil {
			return nil, err
		}
	}
	for role, key := range map[string]*string{"manager": &p.managerKey, "analyst": &p.analystKey} {
		out, err := c.api("POST", "/v1/admin/operator-keys", p.ownerKey, map[string]any{"name": "Camille " + role, "role": role}, 201)
		if err != nil {
			return nil, err
		}
		*key = out["key"].(string)
	}
	out, err := c.api("POST", "/v1/admin/staff-keys", p.ownerKey, map[string]any{"name": "Zoé", "storeId": "paris-rivoli"}, 201)
	if err != nil {
		return nil, err
	}
	p.staffKey, p.staffKID = out["key"].(string), out["id"].(string)
	return p, nil
}

// screen opens a tab of the given size, preferring language lang, that
// fails the test if a page breaks its Content-Security-Policy: a laptop
// (1366×768) or a tablet (1180×820, touch, 2 device pixels per CSS pixel).
func (e *env) screen(t *testing.T, lang string, width, height int64, tablet bool) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	ua, err := chromedp.Run(ctx, chromedp.Evaluate[string]("navigator.userAgent"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: lang}); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1), chromedp.EmulateLandscape}
	if tablet {
		opts = []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateLandscape, chromedp.EmulateMobile, chromedp.EmulateTouch}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, opts...)); err != nil {
		t.Fatal(err)
	}
	violations := watchCSP(t, ctx)
	t.Cleanup(func() {
		if v := violations(); len(v) > 0 {
			t.Errorf("the console broke its Content-Security-Policy:\n%s", strings.Join(v, "\n"))
		}
	})
	return ctx
}

// signIn opens the console and signs in with key.
func (p *program) signIn(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	do(t, ctx, "open the console", chromedp.Navigate(p.base+"/admin"), chromedp.WaitVisible(chromedp.ID("signin")))
	do(t, ctx, "sign in", setValue("operator-key", key), chromedp.Click(chromedp.ID("signin-submit")))
	waitFor(t, ctx, "the dashboard", `!document.getElementById("console").hidden && document.querySelectorAll("#kpis div").length > 0`)
}

// visible lists the ids (or texts) of the visible elements matching css.
func visible(t *testing.T, ctx context.Context, css string) []string {
	t.Helper()
	return eval[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(e => e.getClientRects().length > 0).map(e => e.id || e.textContent.trim())`, css))
}

// TestConsoleRoles: each role signs in and sees only what it may do; the
// key stays in the tab's session storage.
func TestConsoleRoles(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	for _, c := range []struct {
		role, key string
		menu      []string
	}{
		{"Owner", p.ownerKey, []string{"Dashboard", "Members", "Segments", "Campaigns", "Promotions", "Rewards", "Stores", "Staff keys", "Operator keys", "Charities", "Settings", "Audit trail", "Webhooks", "Exports"}},
		{"Manager", p.managerKey, []string{"Dashboard", "Members", "Segments", "Campaigns", "Promotions", "Rewards", "Stores", "Staff keys", "Charities", "Settings", "Audit trail", "Webhooks", "Exports"}},
		{"Analyst", p.analystKey, []string{"Dashboard", "Members", "Segments", "Campaigns", "Promotions", "Rewards", "Stores", "Charities", "Settings", "Exports"}},
	} {
		t.Run("as "+c.role, func(t *testing.T) {
			ctx := e.screen(t, "en-GB,en", 1366, 768, false)
			p.signIn(t, ctx, c.key)
			if who := text(t, ctx, "who"); !strings.HasSuffix(who, "· "+c.role) {
				t.Errorf("the header says %q, want the %s role", who, c.role)
			}
			if got := visible(t, ctx, ".side a"); fmt.Sprint(got) != fmt.Sprint(c.menu) {
				t.Errorf("menu %q, want %q", got, c.menu)
			}
			if eval[string](t, ctx, `sessionStorage.getItem("fidelio.operator.key")`) != c.key || eval[bool](t, ctx, `localStorage.length > 0`) {
				t.Error("the operator key is not kept in the tab's session only")
			}
		})
	}

	t.Run("an analyst sees no action, and is refused one", func(t *testing.T) {
		ctx := e.screen(t, "en-GB,en", 1366, 768, false)
		p.signIn(t, ctx, p.analystKey)
		do(t, ctx, "open Chloé", chromedp.Navigate(p.base+"/admin#member/"+p.chloe.ID))
		waitFor(t, ctx, "Chloé's page", `document.getElementById("member-heading").textContent === "Chloé Dubois" && document.querySelectorAll("#member-ledger tbody tr").length > 0`)
		if b := visible(t, ctx, "#main button, #main input[type=submit]"); len(b) != 0 {
			t.Errorf("an analyst is offered %q on a member", b)
		}
		for _, view := range []string{"rewards", "stores", "charities", "settings"} {
			do(t, ctx, "open "+view, chromedp.Navigate(p.base+"/admin#"+view))
			waitFor(t, ctx, view, fmt.Sprintf(`!document.getElementById("view-%s").hidden`, view))
			if b := visible(t, ctx, fmt.Sprintf("#view-%s form[data-role], #view-%s table button, #view-%s button[data-role]", view, view, view)); len(b) != 0 {
				t.Errorf("%s: an analyst is offered %q", view, b)
			}
		}
		if !eval[bool](t, ctx, `document.getElementById("settings-fields").disabled`) {
			t.Error("an analyst may edit the settings")
		}
		status := eval[float64](t, ctx, fmt.Sprintf(`fetch("/v1/admin/members/%s/adjustments", {method: "POST", headers: {Authorization: "Bearer " + sessionStorage.getItem("fidelio.operator.key"), "Content-Type": "application/json", "Idempotency-Key": "analyst-try"}, body: JSON.stringify({points: 5, note: "try"})}).then(r => r.status)`, p.chloe.ID))
		if status != 403 {
			t.Errorf("an analyst's adjustment answered %v, want 403", status)
		}
		shot(t, ctx, "console-analyst-settings-en")
	})

	t.Run("a wrong key is refused", func(t *testing.T) {
		ctx := e.screen(t, "fr-FR,fr", 1366, 768, false)
		do(t, ctx, "sign in with a staff key",
			chromedp.Navigate(p.base+"/admin"), chromedp.WaitVisible(chromedp.ID("signin")),
			setValue("operator-key", p.st.Demo.StaffKeys[0].Key), chromedp.Click(chromedp.ID("signin-submit")))
		waitFor(t, ctx, "the refusal", `document.getElementById("operator-key-error").textContent.includes("fa_")`)
		do(t, ctx, "sign in with a member's token", setValue("operator-key", "fa_"+p.ada.Token), chromedp.Click(chromedp.ID("signin-submit")))
		waitFor(t, ctx, "the refusal", `document.getElementById("operator-key-error").textContent.includes("pas une clé d'opérateur")`)
		shot(t, ctx, "console-signin-fr")
	})
}

// TestConsoleDashboard: the dashboard of the known workload shows its
// totals, in figures and in the charts' tables.
func TestConsoleDashboard(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	issued := 3*p.welcome + 12 + 40
	outstanding := issued + 100 - 100
	for _, c := range []struct {
		name, lang    string
		width, height int64
		tablet        bool
		want          map[string]string
	}{
		{"laptop-en", "en-GB,en", 1366, 768, false, map[string]string{
			"enrollments": "3", "earnings": "2", "sales": "€52.50", "issued": fmt.Sprint(issued), "redeemed": "100",
			"expired": "0", "donated": "0", "adjusted": "100", "outstanding": fmt.Sprint(outstanding), "active": "2",
			"referrals": "0 joined, 0 rewarded",
		}},
		{"tablet-fr", "fr-FR,fr", 1180, 820, true, map[string]string{"enrollments": "3", "sales": "52,50\u00a0€", "redeemed": "100"}},
		{"tablet-en", "en-US,en", 1180, 820, true, map[string]string{"enrollments": "3", "outstanding": fmt.Sprint(outstanding)}},
		{"laptop-fr", "fr-FR,fr", 1366, 768, false, map[string]string{"issued": fmt.Sprint(issued), "earnings": "2", "referrals": "0 inscrits, 0 récompensés"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := e.screen(t, c.lang, c.width, c.height, c.tablet)
			p.signIn(t, ctx, p.ownerKey)
			for kpi, want := range c.want {
				if got := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('#kpis [data-kpi=%q] dd').textContent`, kpi)); got != want {
					t.Errorf("%s shows %q, want %q", kpi, got, want)
				}
			}
			// The charts are tables: today's enrollments, the members per tier
			// and the stores' earnings are in them.
			if got := eval[string](t, ctx, `document.querySelector("#chart-enrollments tbody tr:last-child td").textContent`); got != "3" {
				t.Errorf("today's enrollments in the chart: %q, want 3", got)
			}
			if got := eval[[]string](t, ctx, `[...document.querySelectorAll("#chart-tiers tbody td")].map(td => td.textContent)`); fmt.Sprint(got) != "[3 0 0 0]" {
				t.Errorf("members per tier in the chart: %q, want 3 bronze", got)
			}
			if got := eval[[]string](t, ctx, `[...document.querySelectorAll("#chart-stores tbody tr")].map(tr => tr.textContent)`); fmt.Sprint(got) != "[Lyon Part-Dieu40 Paris Rivoli12]" {
				t.Errorf("the stores in the chart: %q", got)
			}
			stores := eval[[]string](t, ctx, `[...document.querySelectorAll("#store-figures tbody tr")].map(tr => [...tr.cells].map(c => c.textContent).join("|"))`)
			if want := "[Lyon Part-Dieu|1|40|0|0|0 Paris Rivoli|1|12|1|100|0]"; fmt.Sprint(stores) != want {
				t.Errorf("the stores' figures: %q, want %s (store, earnings, points, rewards, their points, reversals)", stores, want)
			}
			if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > c.width {
				t.Errorf("the dashboard is %d px wide on a %d px screen", w, c.width)
			}
			shot(t, ctx, "console-dashboard-"+c.name)
		})
	}
}

// TestConsoleMember: a manager finds a member by the number printed on the
// card, typed with spaces and in lower case, and adjusts the points once.
func TestConsoleMember(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	api := &env{base: p.base}
	profile := api.mustAPI(t, "GET", "/v1/admin/members/"+p.bob.ID, p.ownerKey, nil, 200)
	number := profile["memberNumber"].(string)
	balance := int64(profile["balance"].(float64))
	typed := strings.ToLower(strings.ReplaceAll(number, " ", ""))
	typed = typed[:4] + " " + typed[4:]

	for _, c := range []struct {
		name, lang    string
		width, height int64
		tablet        bool
	}{{"laptop-en", "en-GB,en", 1366, 768, false}, {"tablet-fr", "fr-FR,fr", 1180, 820, true}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := e.screen(t, c.lang, c.width, c.height, c.tablet)
			p.signIn(t, ctx, p.managerKey)
			do(t, ctx, "search by the number", chromedp.Navigate(p.base+"/admin#members"), chromedp.WaitVisible(chromedp.ID("search-q")),
				setValue("search-q", typed), chromedp.Click(chromedp.CSS(`#search button[type=submit]`)))
			waitFor(t, ctx, "one hit", `document.querySelectorAll("#results tbody tr").length === 1`)
			if got := eval[string](t, ctx, `document.querySelector("#results tbody a").textContent`); got != "Bob Martin" {
				t.Fatalf("the number %q found %q", typed, got)
			}
			shot(t, ctx, "console-search-"+c.name)
			do(t, ctx, "open Bob", chromedp.Click(chromedp.CSS(`#results tbody a`)))
			waitFor(t, ctx, "Bob's page", `document.getElementById("member-heading").textContent === "Bob Martin" && !document.getElementById("adjust").hidden`)
			class := map[string]string{"laptop-en": "Champions", "tablet-fr": "Champions"}[c.name]
			if profile["activity"].(map[string]any)["class"] != "champions" {
				t.Fatalf("Bob's activity %v, want the class champions", profile["activity"])
			}
			if got := text(t, ctx, "member-profile"); !strings.Contains(got, class) {
				t.Errorf("the member's facts %q lack the class %q", got, class)
			}
			if lots := eval[int](t, ctx, `document.querySelectorAll("#member-lots tbody tr").length`); lots < 1 {
				t.Error("no lot with its expiry")
			}
			do(t, ctx, "adjust +25", setValue("adjust-points", "25"), setValue("adjust-note", "birthday cake"), chromedp.Click(chromedp.ID("adjust-submit")))
			balance += 25
			waitFor(t, ctx, "the adjustment", `document.getElementById("status").classList.contains("ok")`)
			after := api.mustAPI(t, "GET", "/v1/admin/members/"+p.bob.ID, p.ownerKey, nil, 200)
			if got := int64(after["balance"].(float64)); got != balance {
				t.Errorf("balance %d after the adjustment, want %d", got, balance)
			}
			entry := after["ledger"].([]any)[0].(map[string]any)
			if entry["kind"] != "adjust" || entry["points"] != 25.0 || entry["note"] != "birthday cake" || entry["keyName"] != "Camille manager" {
				t.Errorf("the newest entry %v, want the manager's adjustment", entry)
			}
			if got := text(t, ctx, "member-ledger"); !strings.Contains(got, "birthday cake") {
				t.Errorf("the ledger on show lacks the adjustment: %q", got)
			}
			// The card's PDF takes the operator key, so the page fetches it
			// and hands the file to the browser.
			do(t, ctx, "print the card", chromedp.Click(chromedp.ID("print-card")))
			waitFor(t, ctx, "the card's PDF", `document.getElementById("status").textContent.includes(".pdf")`)
			if s := eval[string](t, ctx, `document.getElementById("status").className`); !strings.Contains(s, "ok") {
				t.Errorf("printing the card: %q", text(t, ctx, "status"))
			}
			if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > c.width {
				t.Errorf("the member's page is %d px wide on a %d px screen", w, c.width)
			}
			shot(t, ctx, "console-member-"+c.name)
		})
	}
}

// TestConsoleRevokesAStaffKey: a key revoked in the console is refused at
// the till's next scan.
func TestConsoleRevokesAStaffKey(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	till := e.screen(t, "en-GB,en", 1180, 820, true)
	do(t, till, "sign in at the till", chromedp.Navigate(p.base+"/staff"), chromedp.WaitVisible(chromedp.ID("signin")),
		setValue("staff-key", p.staffKey), chromedp.Click(chromedp.ID("signin-submit")))
	waitFor(t, till, "the till", `!document.getElementById("till").hidden`)

	ctx := e.screen(t, "en-GB,en", 1366, 768, false)
	p.signIn(t, ctx, p.managerKey)
	do(t, ctx, "open the staff keys", chromedp.Navigate(p.base+"/admin#staff"))
	waitFor(t, ctx, "Zoé's key", `[...document.querySelectorAll("#staff-list tbody tr")].some(tr => tr.textContent.includes("Zoé"))`)
	shot(t, ctx, "console-staff-en")
	do(t, ctx, "revoke Zoé's key", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#staff-list tbody tr")].find(tr => tr.textContent.includes("Zoé")).querySelector("button").click()`))
	waitFor(t, ctx, "the confirmation", `document.getElementById("confirm").open`)
	do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-yes")))
	waitFor(t, ctx, "the revocation", `document.getElementById("status").classList.contains("ok") && [...document.querySelectorAll("#staff-list tbody tr")].find(tr => tr.textContent.includes("Zoé")).textContent.includes("Revoked")`)

	do(t, till, "scan Ada's card", setValue("code", p.ada.Code), chromedp.Click(chromedp.CSS(`#manual button[type=submit]`)))
	waitFor(t, till, "the till signed out", `!document.getElementById("signin").hidden`)
	if eval[bool](t, till, `!document.getElementById("member").hidden`) {
		t.Error("the revoked till showed the member")
	}
	shot(t, till, "console-revoked-till-en")
}

// TestConsoleScreens: every screen shows the program's records, on a laptop
// in English and a tablet in French; an owner edits a reward, retires it,
// and changes one setting without resending the others.
func TestConsoleScreens(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	api := &env{base: p.base}
	screens := []struct{ view, ready string }{
		{"rewards", `document.querySelector("#rewards-list tbody")?.textContent.includes("coffee")`},
		{"stores", `document.querySelector("#stores-list tbody")?.textContent.includes("Paris Rivoli")`},
		{"staff", `document.querySelector("#staff-list tbody")?.textContent.includes("Demo till")`},
		{"operators", `document.querySelector("#operators-list tbody")?.textContent.includes("Camille analyst")`},
		{"charities", `document.getElementById("report-month").value !== ""`},
		{"settings", `document.getElementById("set-welcome").value !== ""`},
		{"audit", `document.querySelector("#audit-list tbody")?.textContent.includes("operator-key.create")`},
		{"exports", `!document.getElementById("view-exports").hidden`},
	}
	for _, c := range []struct {
		name, lang    string
		width, height int64
		tablet        bool
	}{{"laptop-en", "en-GB,en", 1366, 768, false}, {"tablet-fr", "fr-FR,fr", 1180, 820, true}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := e.screen(t, c.lang, c.width, c.height, c.tablet)
			p.signIn(t, ctx, p.ownerKey)
			for _, s := range screens {
				do(t, ctx, "open "+s.view, chromedp.Navigate(p.base+"/admin#"+s.view))
				waitFor(t, ctx, "the "+s.view+" screen", s.ready)
				if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > c.width {
					t.Errorf("%s is %d px wide on a %d px screen", s.view, w, c.width)
				}
				if s := text(t, ctx, "status"); s != "" {
					t.Errorf("the console says %q", s)
				}
				shot(t, ctx, "console-"+s.view+"-"+c.name)
			}
		})
	}

	t.Run("an owner edits and retires a reward, and patches one setting", func(t *testing.T) {
		ctx := e.screen(t, "en-GB,en", 1366, 768, false)
		p.signIn(t, ctx, p.ownerKey)
		do(t, ctx, "open the rewards", chromedp.Navigate(p.base+"/admin#rewards"))
		waitFor(t, ctx, "the rewards", `document.querySelector("#rewards-list tbody")?.textContent.includes("tote-bag")`)
		do(t, ctx, "a new reward",
			setValue("reward-id", "scarf"), setValue("reward-name", "Wool scarf"), setValue("reward-name-fr", "Écharpe en laine"),
			setValue("reward-points", "700"), setValue("reward-tier", "silver"),
			chromedp.Click(chromedp.CSS(`#reward-form button[type=submit]`)))
		waitFor(t, ctx, "the scarf listed", `document.querySelector("#rewards-list tbody").textContent.includes("Wool scarf")`)
		scarf := api.mustAPI(t, "GET", "/v1/admin/rewards", p.ownerKey, nil, 200)
		var found map[string]any
		for _, r := range scarf["rewards"].([]any) {
			if r := r.(map[string]any); r["id"] == "scarf" {
				found = r
			}
		}
		if found == nil || found["nameFr"] != "Écharpe en laine" || found["points"] != 700.0 || found["minTier"] != "silver" {
			t.Fatalf("the saved reward is %v", found)
		}
		do(t, ctx, "retire it", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#rewards-list tbody tr")].find(tr => tr.textContent.includes("Wool scarf")).querySelectorAll("button")[1].click()`))
		waitFor(t, ctx, "the confirmation", `document.getElementById("confirm").open`)
		do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-yes")))
		waitFor(t, ctx, "the scarf retired", `[...document.querySelectorAll("#rewards-list tbody tr")].find(tr => tr.textContent.includes("Wool scarf")).textContent.includes("Retired")`)

		before := api.mustAPI(t, "GET", "/v1/admin/program", p.ownerKey, nil, 200)
		do(t, ctx, "open the settings", chromedp.Navigate(p.base+"/admin#settings"))
		waitFor(t, ctx, "the settings", `document.getElementById("set-birthday").value !== ""`)
		do(t, ctx, "a birthday gift of 150", setValue("set-birthday", "150"), chromedp.Click(chromedp.CSS(`#settings-form button[type=submit]`)))
		waitFor(t, ctx, "saved", `document.getElementById("status").classList.contains("ok")`)
		after := api.mustAPI(t, "GET", "/v1/admin/program", p.ownerKey, nil, 200)
		if after["birthdayBonus"] != 150.0 {
			t.Errorf("birthdayBonus %v after the patch, want 150", after["birthdayBonus"])
		}
		after["birthdayBonus"] = before["birthdayBonus"]
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the patch changed more than the birthday gift:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// TestConsoleReversesAnEarning: a manager reverses Ada's earning from her
// page; the points go back once and the button goes.
func TestConsoleReversesAnEarning(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	ctx := e.screen(t, "en-GB,en", 1366, 768, false)
	p.signIn(t, ctx, p.managerKey)
	do(t, ctx, "open Ada", chromedp.Navigate(p.base+"/admin#member/"+p.ada.ID))
	waitFor(t, ctx, "the earning's Reverse button", `document.querySelectorAll("#member-ledger tbody button").length === 1`)
	do(t, ctx, "reverse", chromedp.Click(chromedp.CSS("#member-ledger tbody button")))
	waitFor(t, ctx, "the confirmation", `document.getElementById("confirm").open`)
	do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-yes")))
	waitFor(t, ctx, "the reversal", `document.getElementById("status").classList.contains("ok") && document.querySelectorAll("#member-ledger tbody button").length === 0`)
	ledger := (&env{base: p.base}).mustAPI(t, "GET", "/v1/members/"+p.ada.ID+"/ledger", p.ownerKey, nil, 200)
	newest := ledger["entries"].([]any)[0].(map[string]any)
	if newest["kind"] != "reversal" || newest["points"] != -12.0 {
		t.Errorf("the newest entry %v, want the reversal of 12 points", newest)
	}
}
