package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestTill is a shift at the till on a phone: sign in, read a card with the
// camera, award a purchase whose answer is lost (the retry awards it once),
// meet a reward another till just spent the points for, look up a card by
// its code, redeem, and meet an unknown card.
func TestTill(t *testing.T) {
	e := setup(t)
	ctx := e.tab(t, "en-GB,en")
	staffKey := e.st.Demo.StaffKeys[0].Key

	do(t, ctx, "open the till", chromedp.Navigate(e.base+"/staff"), chromedp.WaitVisible(chromedp.ID("signin")))
	noSideScroll(t, ctx, "the till's sign-in")
	shot(t, ctx, "till-signin-en")

	t.Run("a key that is not a staff key is refused", func(t *testing.T) {
		do(t, ctx, "sign in with a member's token",
			chromedp.SendKeys(chromedp.ID("staff-key"), e.camera.Token),
			chromedp.Click(chromedp.ID("signin-submit")))
		waitFor(t, ctx, "the refusal", `document.getElementById("staff-key-error").textContent.includes("not a staff key")`)
	})

	do(t, ctx, "sign in",
		setValue("staff-key", ""),
		chromedp.SendKeys(chromedp.ID("staff-key"), staffKey),
		chromedp.Click(chromedp.ID("signin-submit")))
	waitFor(t, ctx, "the till", `!document.getElementById("till").hidden`)
	if eval[string](t, ctx, `sessionStorage.getItem("fidelio.staff.key")`) != staffKey || eval[bool](t, ctx, `localStorage.length > 0`) {
		t.Error("the staff key is not kept in the tab's session only")
	}
	shot(t, ctx, "till-scan-en")

	t.Run("the camera reads the card", func(t *testing.T) {
		do(t, ctx, "start the camera", chromedp.Click(chromedp.ID("camera-start")))
		waitFor(t, ctx, "the member read by the camera", `!document.getElementById("member").hidden`)
		if name := text(t, ctx, "member-name"); name != e.camera.Name {
			t.Errorf("the camera read %q, want %q", name, e.camera.Name)
		}
		if b := text(t, ctx, "member-balance"); b != "150" {
			t.Errorf("balance %q, want 150", b)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#rewards button").length`); n != 2 {
			t.Errorf("%d rewards offered, want coffee and pastry (150 points)", n)
		}
		if eval[bool](t, ctx, `Boolean(document.getElementById("video").srcObject)`) {
			t.Error("the camera is still on after reading the card")
		}
		noSideScroll(t, ctx, "the till")
		shot(t, ctx, "till-member-en")
	})

	t.Run("a purchase whose answer is lost is queued, and awarded once when sent again", func(t *testing.T) {
		e.net.requests("POST /v1/earnings")
		e.net.loseAnswers("POST /v1/earnings", 1)
		do(t, ctx, "award 12.50",
			chromedp.SendKeys(chromedp.ID("amount"), "12.50"),
			chromedp.SendKeys(chromedp.ID("receipt"), "R-CAM-1"),
			chromedp.Click(chromedp.ID("earn-submit")))
		waitFor(t, ctx, "the queued earning", `!document.getElementById("queue").hidden`)
		if n := text(t, ctx, "queue-count"); n != "1 change waiting for the network" {
			t.Errorf("the queue says %q", n)
		}
		if msg := text(t, ctx, "message"); !strings.Contains(msg, "€12.50") || !strings.Contains(msg, "R-CAM-1") {
			t.Errorf("the queued notice says %q", msg)
		}
		if eval[bool](t, ctx, `document.getElementById("earn-submit").disabled || document.getElementById("next").disabled`) {
			t.Error("the till waits for the unanswered earning before the next customer")
		}
		shot(t, ctx, "till-queued-en")

		// The queued earning outlives a reload of the page, which sends it.
		do(t, ctx, "reload", chromedp.Reload())
		waitFor(t, ctx, "the award", `document.getElementById("queue-news").classList.contains("ok") && document.getElementById("queue").hidden`)
		if msg := text(t, ctx, "queue-news"); msg != "Sent for Camille Dupont: +12 points for €12.50. Balance: 162 points." {
			t.Errorf("after sending the queue the till says %q", msg)
		}
		sent := e.net.requests("POST /v1/earnings")
		if len(sent) != 2 || sent[0].body != sent[1].body {
			t.Fatalf("earning requests %+v: want the first and the same again", sent)
		}
		var body struct {
			ReceiptID string `json:"receiptId"`
			Amount    struct {
				Value    int64  `json:"value"`
				Currency string `json:"currency"`
			} `json:"amount"`
		}
		json.Unmarshal([]byte(sent[0].body), &body)
		if body.ReceiptID != "R-CAM-1" || body.Amount.Value != 1250 || body.Amount.Currency != "EUR" {
			t.Errorf("the till sent %s", sent[0].body)
		}
		if !sent[1].replayed {
			t.Error("the retry was not answered as a replay of the first earning")
		}
		earnings := e.ledger(t, "earn")
		if len(earnings) != 1 || earnings[0]["receiptId"] != "R-CAM-1" || earnings[0]["points"] != 12.0 {
			t.Errorf("the ledger's earnings: %v, want one of 12 points for R-CAM-1", earnings)
		}
		waitFor(t, ctx, "the balance on show", `document.getElementById("member-balance").textContent === "162"`)
		shot(t, ctx, "till-awarded-en")

		do(t, ctx, "award the same receipt again",
			chromedp.SendKeys(chromedp.ID("amount"), "12.50"),
			chromedp.SendKeys(chromedp.ID("receipt"), "R-CAM-1"),
			chromedp.Click(chromedp.ID("earn-submit")))
		waitFor(t, ctx, "the warning", `document.getElementById("message").classList.contains("warn")`)
		if msg := text(t, ctx, "message"); msg != "This receipt was already awarded: no points added. Balance: 162 points." {
			t.Errorf("the same receipt again: the till says %q", msg)
		}
		if n := len(e.ledger(t, "earn")); n != 1 {
			t.Errorf("%d earnings in the ledger after the same receipt twice", n)
		}
	})

	t.Run("a reward spent meanwhile at another till is refused clearly", func(t *testing.T) {
		other := e.st.Demo.StaffKeys[1].Key
		e.mustAPI(t, "POST", "/v1/redemptions", other, map[string]any{"code": e.camera.Code, "rewardId": "pastry"}, 201, "Idempotency-Key", "other-till-1")
		redeem(t, ctx, "coffee")
		waitFor(t, ctx, "the refusal", `document.getElementById("message").classList.contains("error")`)
		if msg := text(t, ctx, "message"); msg != "Not enough points for this reward." {
			t.Errorf("the till says %q", msg)
		}
		waitFor(t, ctx, "the rewards brought up to date", `document.querySelectorAll("#rewards button").length === 0 && document.getElementById("member-balance").textContent === "12"`)
		if n := len(e.ledger(t, "redeem")); n != 1 {
			t.Errorf("%d redemptions in the ledger, want the other till's only", n)
		}
	})

	e.mustAPI(t, "POST", "/v1/admin/members/"+e.camera.ID+"/adjustments", e.st.Secrets.AdminKey, map[string]any{"points": 200, "note": "browser test"}, 201, "Idempotency-Key", "camera-member-2")

	t.Run("a card code typed by hand, then a redemption", func(t *testing.T) {
		do(t, ctx, "next customer", chromedp.Click(chromedp.ID("next")))
		waitFor(t, ctx, "the scanner", `!document.getElementById("scanner").hidden`)
		do(t, ctx, "type the code",
			chromedp.SendKeys(chromedp.ID("code"), e.camera.Code),
			chromedp.Click(chromedp.CSS(`#manual button[type=submit]`)))
		waitFor(t, ctx, "the member", `!document.getElementById("member").hidden && document.getElementById("member-balance").textContent === "212"`)
		e.net.requests("POST /v1/redemptions")
		redeem(t, ctx, "coffee")
		waitFor(t, ctx, "the redemption", `document.getElementById("message").classList.contains("ok")`)
		if msg := text(t, ctx, "message"); msg != "Coffee redeemed: -100 points. Balance: 112 points." {
			t.Errorf("the till says %q", msg)
		}
		if sent := e.net.requests("POST /v1/redemptions"); len(sent) != 1 || sent[0].idempotencyKey == "" {
			t.Errorf("redemption requests %+v: want one, with an Idempotency-Key", sent)
		}
	})

	t.Run("an unknown card is named as such", func(t *testing.T) {
		do(t, ctx, "next customer", chromedp.Click(chromedp.ID("next")))
		do(t, ctx, "type a code of no card",
			chromedp.SendKeys(chromedp.ID("code"), "F1.K1.nobody.AAAA"),
			chromedp.Click(chromedp.CSS(`#manual button[type=submit]`)))
		waitFor(t, ctx, "the refusal", `document.getElementById("scan-status").textContent.startsWith("Unknown card")`)
		shot(t, ctx, "till-unknown-en")
	})

	t.Run("in French", func(t *testing.T) {
		do(t, ctx, "switch to French", chromedp.Click(chromedp.CSS("[data-lang-switch]")))
		waitFor(t, ctx, "the till in French", `document.documentElement.lang === "fr" && document.getElementById("scan-status").textContent.startsWith("Carte inconnue")`)
		do(t, ctx, "look up the card", setValue("code", e.camera.Code), chromedp.Click(chromedp.CSS(`#manual button[type=submit]`)))
		waitFor(t, ctx, "the member", `!document.getElementById("member").hidden`)
		if tier := text(t, ctx, "member-tier"); tier != "Bronze" {
			t.Errorf("tier %q", tier)
		}
		noSideScroll(t, ctx, "the till in French")
		shot(t, ctx, "till-member-fr")
	})
}

// TestTillWithoutDecoder: when the QR decoder did not reach the server, the
// till says so and still takes typed codes.
func TestTillWithoutDecoder(t *testing.T) {
	e := setup(t)
	ctx := e.tab(t, "en-US,en")
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{{URLPattern: e.base + "/assets/jsQR.js", Block: true}}}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "sign in",
		chromedp.Navigate(e.base+"/staff"),
		chromedp.SendKeys(chromedp.ID("staff-key"), e.st.Demo.StaffKeys[0].Key),
		chromedp.Click(chromedp.ID("signin-submit")))
	waitFor(t, ctx, "the till", `!document.getElementById("till").hidden`)
	if s := text(t, ctx, "scan-status"); !strings.Contains(s, "QR decoder is missing") || !strings.Contains(s, "npm ci --prefix shared/web") {
		t.Errorf("without its decoder the till says %q", s)
	}
	if !eval[bool](t, ctx, `document.getElementById("camera-start").disabled`) {
		t.Error("the camera button is enabled without a decoder")
	}

	// With a decoder that never finds a code, the camera's picture stays on
	// show, framed, until staff stop it.
	eval[chromedp.Void](t, ctx, `window.jsQR = () => null; document.getElementById("camera-start").disabled = false`)
	do(t, ctx, "start the camera", chromedp.Click(chromedp.ID("camera-start")))
	waitFor(t, ctx, "the camera's picture", `(() => { const v = document.getElementById("video"); return !v.hidden && v.readyState >= 2 && v.videoWidth > 0; })()`)
	if s := text(t, ctx, "scan-status"); s != "Looking for a QR code…" {
		t.Errorf("while looking the till says %q", s)
	}
	shot(t, ctx, "till-camera-en")
	do(t, ctx, "stop the camera", chromedp.Click(chromedp.ID("camera-stop")))
	if eval[bool](t, ctx, `Boolean(document.getElementById("video").srcObject)`) {
		t.Error("the camera is still on after Stop")
	}

	do(t, ctx, "type the code", chromedp.SendKeys(chromedp.ID("code"), e.camera.Code), chromedp.Click(chromedp.CSS(`#manual button[type=submit]`)))
	waitFor(t, ctx, "the member", `!document.getElementById("member").hidden`)
}

// TestAmounts: what staff type at the till becomes minor units digit by
// digit, and anything doubtful is refused.
func TestAmounts(t *testing.T) {
	e := setup(t)
	ctx := e.tab(t, "en")
	do(t, ctx, "open a page", chromedp.Navigate(e.base+"/"))
	for in, want := range map[string]string{
		"12.50": "1250", "12,5": "1250", "12": "1200", " 7.05 ": "705", "0.1": "10", "999999999.99": "99999999999",
		"0.29": "29", "1.005": "null", "12.": "null", "-3": "null", "1e3": "null", "": "null", "12,50 €": "null", "1 000": "null",
	} {
		got := eval[string](t, ctx, fmt.Sprintf(`import("/assets/money.js").then(m => String(m.toMinor(%q)))`, in))
		if got != want {
			t.Errorf("toMinor(%q) = %s, want %s", in, got, want)
		}
	}
	for _, c := range []struct {
		minor int
		lang  string
		want  string
	}{{1250, "en", "€12.50"}, {5, "en", "€0.05"}, {123456789, "en", "€1,234,567.89"}, {1250, "fr", "12,50\u00a0€"}, {-300, "fr", "-3,00\u00a0€"}} {
		got := eval[string](t, ctx, fmt.Sprintf(`import("/assets/money.js").then(m => m.formatMinor(%d, %q))`, c.minor, c.lang))
		if got != c.want {
			t.Errorf("formatMinor(%d, %s) = %q, want %q", c.minor, c.lang, got, c.want)
		}
	}
}

// redeem taps a reward's Redeem button, then Yes.
func redeem(t *testing.T, ctx context.Context, reward string) {
	t.Helper()
	do(t, ctx, "redeem "+reward, chromedp.Click(chromedp.CSS(`#rewards button[data-reward="`+reward+`"]`)))
	waitFor(t, ctx, "the confirmation", `!document.getElementById("confirm-redeem").hidden`)
	do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-redeem-yes")))
}

// ledger lists the camera member's ledger entries of one kind, as the
// operator sees them.
func (e *env) ledger(t *testing.T, kind string) []map[string]any {
	t.Helper()
	out := e.mustAPI(t, "GET", "/v1/members/"+e.camera.ID+"/ledger?limit=100", e.st.Secrets.AdminKey, nil, 200)
	var entries []map[string]any
	for _, x := range out["entries"].([]any) {
		if m := x.(map[string]any); m["kind"] == kind {
			entries = append(entries, m)
		}
	}
	return entries
}
