package browsertest

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleSetsTheReferralTerms: an owner turns referral off and zeroes
// its terms on a phone in French, and the console reads them back as saved
// (off, every value zero), not as the defaults; then turns it on again
// with new terms on a laptop in English, the purchase typed in euros and
// saved in cents.
func TestConsoleSetsTheReferralTerms(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	api := &env{base: p.base}
	referral := func() string {
		t.Helper()
		r := api.mustAPI(t, "GET", "/v1/admin/program", p.ownerKey, nil, 200)["referral"].(map[string]any)
		return fmt.Sprintf("enabled %v, referrer %v, new member %v, purchase %v, cap %v", r["enabled"], r["referrerPoints"], r["newMemberPoints"], r["minPurchase"], r["monthlyCap"])
	}
	for _, c := range []struct {
		name, lang                    string
		on                            bool
		referrer, newMember, min, cap string
		want                          string
		reads                         string
	}{
		{"phone-fr", "fr-FR,fr", false, "0", "0", "", "0", "enabled false, referrer 0, new member 0, purchase 0, cap 0", "false 0 0 0,00 0"},
		{"laptop-en", "en-GB,en", true, "120", "60", "15,50", "5", "enabled true, referrer 120, new member 60, purchase 1550, cap 5", "true 120 60 15.50 5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := e.sized(t, c.name, c.lang)
			p.signIn(t, ctx, p.ownerKey)
			do(t, ctx, "open the settings", chromedp.Navigate(p.base+"/admin#settings"))
			waitFor(t, ctx, "the settings", `document.getElementById("set-referral-cap").value !== ""`)
			do(t, ctx, "set the referral terms",
				chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById("set-referral-on").checked = %v`, c.on)),
				setValue("set-referral-referrer", c.referrer), setValue("set-referral-new", c.newMember),
				setValue("set-referral-min", c.min), setValue("set-referral-cap", c.cap),
				chromedp.Click(chromedp.CSS(`#settings-form button[type=submit]`)))
			waitFor(t, ctx, "saved", `document.getElementById("status").classList.contains("ok")`)
			if got := referral(); got != c.want {
				t.Fatalf("saved: %s, want %s", got, c.want)
			}
			do(t, ctx, "open the settings again", chromedp.Navigate(p.base+"/admin#dashboard"), chromedp.Navigate(p.base+"/admin#settings"))
			waitFor(t, ctx, "the settings", `document.getElementById("set-referral-cap").value !== ""`)
			reads := eval[string](t, ctx, `[document.getElementById("set-referral-on").checked, ...["referrer", "new", "min", "cap"].map(f => document.getElementById("set-referral-" + f).value)].join(" ")`)
			if reads != c.reads {
				t.Errorf("the console reads back %q, want %q", reads, c.reads)
			}
			fits(t, ctx, "the settings")
			do(t, ctx, "show the referral terms", chromedp.Evaluate[chromedp.Void](`document.getElementById("settings-referral").scrollIntoView()`))
			shot(t, ctx, "console-referral-"+c.name)
		})
	}
}
