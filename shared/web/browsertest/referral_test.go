package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestReferralFromTheLinkToBothBonuses: a member shares the link of their
// member space; a friend opens it, joins, makes a first purchase at the
// till (through the API), and both see their bonus in their member space.
// In French on a 390 x 844 phone, then in English.
func TestReferralFromTheLinkToBothBonuses(t *testing.T) {
	e := setup(t)
	admin := e.st.Secrets.AdminKey
	e.mustAPI(t, "PATCH", "/v1/admin/program", admin, map[string]any{"referral": map[string]any{"enabled": true, "referrerPoints": 120, "newMemberPoints": 60, "minPurchase": 1500, "monthlyCap": 5}}, 200)
	till := e.st.Demo.StaffKeys[0].Key

	for _, c := range []struct{ lang, accept, invited, bonus, kind string }{
		{"fr", "fr-FR,fr", "60 points en plus après votre premier achat de 15\u00a0€", "+120", "Bonus de parrainage"},
		{"en", "en-GB,en", "60 extra points after your first purchase of €15", "+120", "Referral bonus"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			referrer := e.newMember(t, "Paul Langevin", "paul.referrer."+c.lang+"@example.com", 0)
			ctx := e.member390(t, c.accept)
			openSpaceOf(t, ctx, e.base, referrer)
			waitFor(t, ctx, "the referral block", `!document.getElementById("referral").hidden && document.getElementById("referral-link").value !== ""`)
			link := eval[string](t, ctx, `document.getElementById("referral-link").value`)
			code := text(t, ctx, "referral-code")
			if !strings.HasSuffix(link, "/?ref="+code) || len(code) != 10 {
				t.Fatalf("the member space shares %q with the code %q", link, code)
			}
			if lead := text(t, ctx, "referral-lead"); !strings.Contains(lead, "120") || !strings.Contains(lead, "60") {
				t.Errorf("the referral block says %q", lead)
			}
			do(t, ctx, "scroll to the referral block", chromedp.ScrollIntoView(chromedp.ID("referral")))
			noSideScroll390(t, ctx, "the member space's referral block")
			shot(t, ctx, "referral-me-"+c.lang)
			shotOf(t, ctx, "referral-block-"+c.lang, "referral")

			friend := e.member390(t, c.accept)
			email := "irene.friend." + c.lang + "@example.com"
			do(t, friend, "open the invitation link", chromedp.Navigate(link))
			waitFor(t, friend, "the invitation", `!document.getElementById("referral-note").hidden`)
			if note := text(t, friend, "referral-note"); !strings.Contains(note, c.invited) {
				t.Errorf("the join page says %q, want %q", note, c.invited)
			}
			noSideScroll390(t, friend, "the join page with an invitation")
			shot(t, friend, "referral-join-"+c.lang)
			do(t, friend, "join",
				chromedp.SendKeys(chromedp.ID("name"), "Irène Joliot"),
				chromedp.SendKeys(chromedp.ID("email"), email),
				chromedp.Click(chromedp.ID("consent")),
				chromedp.Click(chromedp.ID("join-submit")))
			spaceShows(t, friend, "Irène Joliot")
			id := eval[string](t, friend, `fetch("/v1/session").then(r => r.json()).then(s => s.memberId)`)

			// The first purchase, at the till: under the minimum, then above it.
			for i, cents := range []int{1400, 2000} {
				e.mustAPI(t, "POST", "/v1/earnings", till, map[string]any{"email": email, "receiptId": fmt.Sprintf("ref-%s-%d", c.lang, i), "amount": map[string]any{"value": cents, "currency": "EUR"}}, 201)
			}
			if got := e.ledgerOf(t, id, "referral"); len(got) != 1 || got[0]["points"] != 60.0 {
				t.Fatalf("the friend's referral entries: %v", got)
			}
			do(t, friend, "reload the friend's space", chromedp.Reload())
			waitFor(t, friend, "the friend's bonus", fmt.Sprintf(`document.getElementById("history").textContent.includes(%q) && document.getElementById("balance").textContent === "%d"`, c.kind, 50+14+20+60))

			// The tabs share the browser's cookies: the friend's joining
			// signed this one in as the friend.
			openSpaceOf(t, ctx, e.base, referrer)
			waitFor(t, ctx, "the referrer's bonus", fmt.Sprintf(`document.getElementById("history").textContent.includes(%q) && document.getElementById("history").textContent.includes(%q) && document.getElementById("balance").textContent === "170"`, c.kind, c.bonus))
			do(t, ctx, "scroll to the history", chromedp.ScrollIntoView(chromedp.ID("history")))
			shot(t, ctx, "referral-bonus-"+c.lang)
		})
	}
}

// openSpaceOf signs the browser in as m, trading the member's token for a
// session as the join page does, and opens the member space.
func openSpaceOf(t *testing.T, ctx context.Context, base string, m member) {
	t.Helper()
	// A page of the site that sends no signed-in browser elsewhere.
	do(t, ctx, "open the program's terms", chromedp.Navigate(base+"/v1/program"))
	if status := eval[int](t, ctx, fmt.Sprintf(`fetch("/v1/session", {method: "POST", headers: {Authorization: "Bearer %s"}}).then(r => r.status)`, m.Token)); status >= 300 {
		t.Fatalf("POST /v1/session answered %d", status)
	}
	do(t, ctx, "open the member space", chromedp.Navigate(base+"/me"))
	spaceShows(t, ctx, m.Name)
}

// shotOf saves a screenshot of one element, by id, beside shot's: a
// block of a long page, as the phone shows it.
func shotOf(t *testing.T, ctx context.Context, name, id string) {
	t.Helper()
	dir := os.Getenv("FIDELIO_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	b, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
