package browsertest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The till on a busy day, on a tablet at the counter and on a phone: find a
// member without the camera, the guard rails on large amounts, a redemption
// undone, a partial refund, and earnings kept while the network is down.

// TestTillLookup finds members by the number printed on their card (any case,
// with or without its spaces) and by their email, which the till shows only
// in part.
func TestTillLookup(t *testing.T) {
	e := setup(t)
	m := e.newMember(t, "Léa Martin", "lea.martin@example.com", 0)
	ctx := e.tab(t, "en")
	e.signIn(t, ctx, 0)
	if who := text(t, ctx, "who"); who != "Paris Rivoli · Demo till" {
		t.Errorf("the till says %q is signed in, want the store and the employee", who)
	}

	for _, typed := range []string{number(m), strings.ToLower(strings.ReplaceAll(number(m), " ", ""))} {
		lookUp(t, ctx, typed)
		if name := text(t, ctx, "member-name"); name != m.Name {
			t.Errorf("the number %q found %q, want %q", typed, name, m.Name)
		}
		if got := text(t, ctx, "member-number"); got != number(m) {
			t.Errorf("member number %q, want %q", got, number(m))
		}
		do(t, ctx, "next customer", chromedp.Click(chromedp.ID("next")))
	}

	lookUp(t, ctx, "LEA.MARTIN@example.com")
	if name := text(t, ctx, "member-name"); name != m.Name {
		t.Errorf("the email found %q", name)
	}
	hint := text(t, ctx, "member-email")
	if !strings.HasPrefix(hint, "Email ") || strings.Contains(hint, "lea.martin") || !strings.Contains(hint, "example.com") {
		t.Errorf("the till shows the email as %q: want a hint that is not the address", hint)
	}
	if strings.Contains(pageText(ctx), "lea.martin@") {
		t.Error("the whole email is on the till's page")
	}
	noSideScroll(t, ctx, "the member found by email")
	shot(t, ctx, "till-email-en")

	do(t, ctx, "next customer", chromedp.Click(chromedp.ID("next")))
	do(t, ctx, "look up an email of no member", setValue("code", "nobody@example.com"), chromedp.Click(chromedp.CSS(`#manual button[type=submit]`)))
	waitFor(t, ctx, "the refusal", `document.getElementById("scan-status").textContent.startsWith("Unknown card")`)
}

// TestTillGuardRails: above the confirmation threshold an earning needs a
// second tap, whether the till knew the threshold or the server tells it;
// above the maximum it is refused.
func TestTillGuardRails(t *testing.T) {
	e := setup(t)
	m := e.newMember(t, "Hugo Bernard", "hugo.bernard@example.com", 0)
	before := e.mustAPI(t, "GET", "/v1/admin/program", e.st.Secrets.AdminKey, nil, 200)
	t.Cleanup(func() {
		e.mustAPI(t, "PATCH", "/v1/admin/program", e.st.Secrets.AdminKey, map[string]any{"confirmAbove": before["confirmAbove"], "maxPerReceipt": before["maxPerReceipt"]}, 200)
	})
	limits := func(confirmAbove, maxPerReceipt int) {
		e.mustAPI(t, "PATCH", "/v1/admin/program", e.st.Secrets.AdminKey, map[string]any{
			"confirmAbove": map[string]any{"value": confirmAbove, "currency": "EUR"}, "maxPerReceipt": map[string]any{"value": maxPerReceipt, "currency": "EUR"},
		}, 200)
	}
	limits(500000, 1000000)
	ctx := e.tab(t, "en")
	e.signIn(t, ctx, 0)
	lookUp(t, ctx, number(m))

	// The operator lowers the limits after the till signed in: the server
	// is the one to ask for the second tap, and to refuse.
	limits(50000, 300000)
	e.net.requests("POST /v1/earnings")
	award(t, ctx, "2390", "R-BIG-1")
	waitFor(t, ctx, "the second tap", `!document.getElementById("confirm-earn").hidden`)
	if s := text(t, ctx, "confirm-earn-text"); !strings.Contains(s, "€2,390.00") || !strings.Contains(s, "R-BIG-1") {
		t.Errorf("the confirmation says %q", s)
	}
	shot(t, ctx, "till-confirm-en")
	if n := len(e.ledgerOf(t, m.ID, "earn")); n != 0 {
		t.Fatalf("%d earnings before the second tap", n)
	}
	do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-earn-yes")))
	waitFor(t, ctx, "the award", `document.getElementById("message").classList.contains("ok")`)
	sent := e.net.requests("POST /v1/earnings")
	if len(sent) != 2 || sent[0].status != 409 || !strings.Contains(sent[1].body, `"confirmed":true`) || receiptOf(sent[0].body) != "R-BIG-1" || receiptOf(sent[1].body) != "R-BIG-1" {
		t.Errorf("earning requests %+v: want one refused for confirmation, then the same receipt confirmed", sent)
	}
	if earned := e.ledgerOf(t, m.ID, "earn"); len(earned) != 1 || earned[0]["receiptId"] != "R-BIG-1" {
		t.Errorf("earnings %v, want R-BIG-1 once", earned)
	}
	// What the till said is said again in French, amounts and tier included.
	do(t, ctx, "switch to French", chromedp.Click(chromedp.CSS("[data-lang-switch]")))
	if msg := text(t, ctx, "message"); !strings.Contains(msg, "390,00\u00a0€") || !strings.Contains(msg, "Solde") || !strings.Contains(msg, "niveau Or") {
		t.Errorf("in French the award reads %q", msg)
	}
	do(t, ctx, "back to English", chromedp.Click(chromedp.CSS("[data-lang-switch]")))

	// Lowered again: the till's limits are stale once more.
	limits(50000, 200000)
	award(t, ctx, "2500", "R-BIG-2")
	waitFor(t, ctx, "the second tap", `!document.getElementById("confirm-earn").hidden`)
	do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-earn-yes")))
	waitFor(t, ctx, "the refusal", `document.getElementById("message").classList.contains("error")`)
	if msg := text(t, ctx, "message"); msg != "No receipt may earn points above €2,000.00. Check the amount." {
		t.Errorf("above the maximum the till says %q", msg)
	}
	shot(t, ctx, "till-above-maximum-en")

	// Signed in again, the till knows the limits and asks before sending.
	do(t, ctx, "sign out", chromedp.Click(chromedp.ID("signout")))
	e.signIn(t, ctx, 0)
	lookUp(t, ctx, number(m))
	e.net.requests("POST /v1/earnings")
	award(t, ctx, "4000", "R-BIG-3")
	waitFor(t, ctx, "the refusal", `document.getElementById("amount-error").textContent !== ""`)
	if msg := text(t, ctx, "amount-error"); msg != "No receipt may earn points above €2,000.00. Check the amount." {
		t.Errorf("above the maximum the till says %q", msg)
	}
	// By keyboard: the question takes the focus, Escape cancels it, Enter
	// on Yes answers it.
	award(t, ctx, "600", "R-BIG-4")
	waitFor(t, ctx, "the second tap, focused", `!document.getElementById("confirm-earn").hidden && document.activeElement.id === "confirm-earn-yes"`)
	do(t, ctx, "cancel", chromedp.KeyEvent(kb.Escape))
	waitFor(t, ctx, "the question gone", `document.getElementById("confirm-earn").hidden && document.activeElement.id === "amount"`)
	do(t, ctx, "award again", chromedp.Click(chromedp.ID("earn-submit")))
	waitFor(t, ctx, "the second tap, focused", `!document.getElementById("confirm-earn").hidden && document.activeElement.id === "confirm-earn-yes"`)
	if sent := e.net.requests("POST /v1/earnings"); len(sent) != 0 {
		t.Errorf("the till sent %+v before the second tap or above the maximum", sent)
	}
	do(t, ctx, "confirm", chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "the award", `document.getElementById("message").classList.contains("ok")`)
	if sent := e.net.requests("POST /v1/earnings"); len(sent) != 1 || !strings.Contains(sent[0].body, `"confirmed":true`) {
		t.Errorf("earning requests %+v: want one, confirmed", sent)
	}
}

// TestTillUndo: a redemption is confirmed first, then may be undone, which
// gives the points back.
func TestTillUndo(t *testing.T) {
	e := setup(t)
	m := e.newMember(t, "Chloé Petit", "chloe.petit@example.com", 250)
	ctx := e.tab(t, "fr")
	e.signIn(t, ctx, 0)
	lookUp(t, ctx, number(m))
	if b := text(t, ctx, "member-balance"); b != "300" {
		t.Fatalf("balance %q, want 300", b)
	}
	do(t, ctx, "redeem a pastry", chromedp.Click(chromedp.CSS(`#rewards button[data-reward="pastry"]`)))
	waitFor(t, ctx, "the confirmation", `!document.getElementById("confirm-redeem").hidden`)
	if n := len(e.ledgerOf(t, m.ID, "redeem")); n != 0 {
		t.Fatalf("%d redemptions before the confirmation", n)
	}
	shot(t, ctx, "till-confirm-redeem-fr")
	do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-redeem-yes")))
	waitFor(t, ctx, "the redemption", `document.getElementById("message").classList.contains("ok") && !document.getElementById("undo").hidden`)
	waitFor(t, ctx, "the balance after", `document.getElementById("member-balance").textContent === "150"`)
	shot(t, ctx, "till-redeemed-fr")

	do(t, ctx, "undo", chromedp.Click(chromedp.ID("undo")))
	waitFor(t, ctx, "the points back", `document.getElementById("member-balance").textContent === "300" && document.getElementById("undo").hidden`)
	if msg := text(t, ctx, "message"); !strings.Contains(msg, "annulé") {
		t.Errorf("after the undo the till says %q", msg)
	}
	if n := len(e.ledgerOf(t, m.ID, "reversal")); n != 1 {
		t.Errorf("%d reversals in the ledger, want the undo's one", n)
	}
	if b := e.balance(t, m.ID); b != 300 {
		t.Errorf("balance %d after the undo, want 300", b)
	}
}

// TestTillRefund: a purchase found by its receipt number is refunded in part;
// an answer lost on the way back is retried with the same refundId and
// refunds once.
func TestTillRefund(t *testing.T) {
	e := setup(t)
	m := e.newMember(t, "Nina Roux", "nina.roux@example.com", 0)
	ctx := e.tab(t, "en")
	e.signIn(t, ctx, 0)
	lookUp(t, ctx, "nina.roux@example.com")
	award(t, ctx, "40", "R-REF-1")
	waitFor(t, ctx, "the award", `document.getElementById("message").classList.contains("ok")`)
	do(t, ctx, "next customer", chromedp.Click(chromedp.ID("next")))

	do(t, ctx, "find the receipt", setValue("find-receipt", "R-REF-1"), chromedp.Click(chromedp.ID("find-submit")))
	waitFor(t, ctx, "the purchase", `!document.getElementById("refund-form").hidden`)
	if s := text(t, ctx, "tx"); !strings.Contains(s, "€40.00") {
		t.Errorf("the purchase shows %q", s)
	}
	e.net.requests("POST /v1/transactions/{id}/reversal")
	e.net.loseAnswers("POST /v1/transactions/{id}/reversal", 1)
	do(t, ctx, "refund 10", setValue("refund-amount", "10"), chromedp.Click(chromedp.ID("refund-submit")))
	waitFor(t, ctx, "the refund unconfirmed", `document.getElementById("find-status").classList.contains("error")`)
	do(t, ctx, "refund again", chromedp.Click(chromedp.ID("refund-submit")))
	waitFor(t, ctx, "the refund", `document.getElementById("find-status").classList.contains("ok")`)
	if msg := text(t, ctx, "find-status"); !strings.HasPrefix(msg, "€10.00 refunded: 10 points taken back.") {
		t.Errorf("after the refund the till says %q", msg)
	}
	sent := e.net.requests("POST /v1/transactions/{id}/reversal")
	if len(sent) != 2 || sent[0].body != sent[1].body || !strings.Contains(sent[0].body, `"refundId"`) || !strings.Contains(sent[0].body, `"value":1000`) {
		t.Errorf("refund requests %+v: want the same refund, with its refundId, twice", sent)
	}
	waitFor(t, ctx, "what is left to refund", `document.getElementById("tx").textContent.includes("€30.00")`)
	shot(t, ctx, "till-refund-en")
	if reversals := e.ledgerOf(t, m.ID, "reversal"); len(reversals) != 1 || reversals[0]["points"] != -10.0 {
		t.Errorf("reversals %v, want one of -10 points", reversals)
	}
	if b := e.balance(t, m.ID); b != 50+40-10 {
		t.Errorf("balance %d, want 80", b)
	}

	if v := eval[string](t, ctx, `document.getElementById("refund-amount").value`); v != "30.00" {
		t.Errorf("after a part, the amount offered is %q, want what is left, 30.00", v)
	}
	do(t, ctx, "refund the rest", chromedp.Click(chromedp.ID("refund-submit")))
	waitFor(t, ctx, "nothing left to refund", `document.getElementById("refund-submit").disabled && document.getElementById("find-status").textContent.startsWith("€30.00 refunded")`)
	if b := e.balance(t, m.ID); b != 50 {
		t.Errorf("balance %d after refunding the whole purchase, want 50", b)
	}
}

// TestTillOffline: earnings made while the network is down wait on the
// device, counted, while the till serves on; when the network returns they
// are sent, and each is awarded exactly once.
func TestTillOffline(t *testing.T) {
	e := setup(t)
	m := e.newMember(t, "Jules Moreau", "jules.moreau@example.com", 0)
	ctx := e.tab(t, "en")
	e.signIn(t, ctx, 0)
	lookUp(t, ctx, number(m))

	offline(t, ctx, true)
	award(t, ctx, "10", "R-OFF-1")
	waitFor(t, ctx, "the first earning queued", `document.getElementById("queue-count").textContent === "1 change waiting for the network"`)
	if eval[bool](t, ctx, `document.getElementById("earn-submit").disabled || document.getElementById("next").disabled`) {
		t.Error("the till waits for the queued earning")
	}
	award(t, ctx, "20", "R-OFF-2")
	waitFor(t, ctx, "the second earning queued", `document.getElementById("queue-count").textContent === "2 changes waiting for the network"`)
	shot(t, ctx, "till-offline-en")
	if n := len(e.ledgerOf(t, m.ID, "earn")); n != 0 {
		t.Fatalf("%d earnings reached the server while offline", n)
	}
	e.net.requests("POST /v1/earnings")

	offline(t, ctx, false)
	waitFor(t, ctx, "the queue sent", `document.getElementById("queue").hidden`)
	if n := eval[int](t, ctx, `import("/assets/outbox.js").then(o => o.all()).then(items => items.length)`); n != 0 {
		t.Errorf("%d changes left in the outbox", n)
	}
	sent := e.net.requests("POST /v1/earnings")
	if len(sent) != 2 || receiptOf(sent[0].body) != "R-OFF-1" || receiptOf(sent[1].body) != "R-OFF-2" {
		t.Errorf("earning requests %+v: want R-OFF-1 then R-OFF-2, once each", sent)
	}
	earned := e.ledgerOf(t, m.ID, "earn")
	if len(earned) != 2 || earned[0]["receiptId"] == earned[1]["receiptId"] {
		t.Errorf("earnings %v: want R-OFF-1 and R-OFF-2 once each", earned)
	}
	if b := e.balance(t, m.ID); b != 50+10+20 {
		t.Errorf("balance %d, want 80", b)
	}

	t.Run("the next customer does not wait for a slow answer", func(t *testing.T) {
		next := e.newMember(t, "Inès Garnier", "ines.garnier@example.com", 0)
		release := e.net.holdAnswers("POST /v1/earnings")
		award(t, ctx, "15", "R-SLOW-1")
		waitFor(t, ctx, "the earning on its way", `document.getElementById("message").textContent.startsWith("Awarding")`)
		do(t, ctx, "next customer", chromedp.Click(chromedp.ID("next")))
		lookUp(t, ctx, number(next))
		if name := text(t, ctx, "member-name"); name != next.Name {
			t.Fatalf("the next customer is %q, want %q", name, next.Name)
		}
		release()
		waitFor(t, ctx, "the answer for the previous customer", `document.getElementById("queue-news").textContent.startsWith("Sent for Jules Moreau: +15 points")`)
		if b := text(t, ctx, "member-balance"); b != "50" {
			t.Errorf("the next customer's balance shows %q after the previous one's answer, want 50", b)
		}
		if msg := text(t, ctx, "message"); msg != "" {
			t.Errorf("the next customer's panel says %q", msg)
		}
		if b := e.balance(t, next.ID); b != 50 {
			t.Errorf("the next customer has %d points, want 50", b)
		}
	})
}

// TestTillTablet: from 900 px wide, the member beside the actions and the
// rewards, the ones just out of reach included, named in the till's language.
func TestTillTablet(t *testing.T) {
	e := setup(t)
	e.mustAPI(t, "PUT", "/v1/admin/rewards/pastry", e.st.Secrets.AdminKey, map[string]any{"name": "Pastry of the day", "nameFr": "Viennoiserie du jour", "points": 150}, 200)
	m := e.newMember(t, "Manon Lefèvre", "manon.lefevre@example.com", 60)
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			ctx := e.tab(t, lang)
			do(t, ctx, "a tablet in landscape", chromedp.EmulateViewport(1180, 820, chromedp.EmulateScale(1), chromedp.EmulateLandscape, chromedp.EmulateTouch))
			e.signIn(t, ctx, 0)
			shot(t, ctx, "till-tablet-find-"+lang)
			lookUp(t, ctx, number(m))
			beside := eval[bool](t, ctx, `(() => {
				const a = document.querySelector("#member > .member").getBoundingClientRect();
				const b = document.querySelector("#member > .actions-col").getBoundingClientRect();
				return a.right <= b.left && Math.abs(a.top - b.top) < 2 && a.width > 300 && b.width > 400;
			})()`)
			if !beside {
				t.Error("at 1180 px the member is not beside the actions")
			}
			if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 1180 {
				t.Errorf("the till is %d px wide on a 1180 px tablet", w)
			}
			coffee := map[string]string{"en": "Coffee", "fr": "Coffee"}[lang]
			if s := text(t, ctx, "rewards"); !strings.Contains(s, coffee) {
				t.Errorf("affordable rewards %q", s)
			}
			pastry := map[string]string{"en": "Pastry of the day", "fr": "Viennoiserie du jour"}[lang]
			if s := text(t, ctx, "next-rewards"); !strings.Contains(s, pastry) {
				t.Errorf("rewards just out of reach %q, want %s", s, pastry)
			}
			want := map[string]string{"en": "500 points to Silver", "fr": "500 points avant le niveau Argent"}[lang]
			if s := text(t, ctx, "member-next-tier"); s != want {
				t.Errorf("next tier %q, want %q", s, want)
			}
			shot(t, ctx, "till-tablet-member-"+lang)

			do(t, ctx, "a phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
			noSideScroll(t, ctx, "the till on a phone")
			stacked := eval[bool](t, ctx, `document.querySelector("#member > .actions-col").getBoundingClientRect().top > document.querySelector("#member > .member").getBoundingClientRect().bottom`)
			if !stacked {
				t.Error("on a phone the actions are not below the member")
			}
			shot(t, ctx, "till-phone-member-"+lang)
		})
	}
}

// signIn opens the till in ctx and signs in with the demo's staff key i.
func (e *env) signIn(t *testing.T, ctx context.Context, i int) {
	t.Helper()
	do(t, ctx, "sign in",
		chromedp.Navigate(e.base+"/staff"),
		chromedp.WaitVisible(chromedp.ID("signin")),
		setValue("staff-key", e.st.Demo.StaffKeys[i].Key),
		chromedp.Click(chromedp.ID("signin-submit")))
	waitFor(t, ctx, "the till", `!document.getElementById("till").hidden`)
}

// lookUp types what finds a member and waits for the member on show.
func lookUp(t *testing.T, ctx context.Context, typed string) {
	t.Helper()
	do(t, ctx, "look up "+typed,
		eval0(`document.getElementById("member-name").textContent = ""`),
		setValue("code", typed),
		chromedp.Click(chromedp.CSS(`#manual button[type=submit]`)))
	waitFor(t, ctx, "the member", `!document.getElementById("member").hidden && document.getElementById("member-name").textContent !== ""`)
}

func eval0(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr)
}

// award types an amount and a receipt number and taps Award.
func award(t *testing.T, ctx context.Context, amount, receipt string) {
	t.Helper()
	do(t, ctx, "award "+amount,
		eval0(`document.getElementById("message").className = "notice"`),
		setValue("amount", amount),
		setValue("receipt", receipt),
		chromedp.Click(chromedp.ID("earn-submit")))
}

// offline cuts the tab's network, or gives it back.
func offline(t *testing.T, ctx context.Context, off bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	rules := []*network.Conditions{}
	if off {
		rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatal(err)
	}
}

// newMember enrolls a member and gives them extra points on top of the
// welcome gift (50).
func (e *env) newMember(t *testing.T, name, email string, extra int) member {
	t.Helper()
	out := e.mustAPI(t, "POST", "/v1/members", "", map[string]any{"name": name, "email": email, "locale": "en"}, 201)
	m := member{ID: out["id"].(string), Code: out["code"].(string), Token: out["token"].(string), Name: name}
	if extra > 0 {
		e.mustAPI(t, "POST", "/v1/admin/members/"+m.ID+"/adjustments", e.st.Secrets.AdminKey, map[string]any{"points": extra, "note": "browser test"}, 201, "Idempotency-Key", "extra-"+m.ID)
	}
	return m
}

// number is the member's number as printed on the card: the last 12
// characters of the id, in groups of four.
func number(m member) string {
	n := m.ID[len(m.ID)-12:]
	return n[:4] + " " + n[4:8] + " " + n[8:]
}

func receiptOf(body string) string {
	var b struct {
		ReceiptID string `json:"receiptId"`
	}
	json.Unmarshal([]byte(body), &b)
	return b.ReceiptID
}

// ledgerOf lists a member's ledger entries of one kind.
func (e *env) ledgerOf(t *testing.T, id, kind string) []map[string]any {
	t.Helper()
	out := e.mustAPI(t, "GET", "/v1/members/"+id+"/ledger?limit=100", e.st.Secrets.AdminKey, nil, 200)
	var entries []map[string]any
	for _, x := range out["entries"].([]any) {
		if m := x.(map[string]any); m["kind"] == kind {
			entries = append(entries, m)
		}
	}
	return entries
}

func (e *env) balance(t *testing.T, id string) int {
	t.Helper()
	out := e.mustAPI(t, "GET", "/v1/admin/members/"+id, e.st.Secrets.AdminKey, nil, 200)
	b, ok := out["balance"].(float64)
	if !ok {
		t.Fatalf("no balance in %v", out)
	}
	return int(b)
}
