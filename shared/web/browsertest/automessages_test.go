package browsertest

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleSwitchesAnAutomaticMessage: an owner turns the close-to-the-
// next-tier message off in the settings, in English on a laptop, and on
// again in French on a tablet; each save patches that switch alone. The
// settings with the switches are shot on a laptop, a tablet and a phone.
func TestConsoleSwitchesAnAutomaticMessage(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	api := &env{base: p.base}
	switches := func() string {
		t.Helper()
		m := api.mustAPI(t, "GET", "/v1/admin/program", p.ownerKey, nil, 200)["autoMessages"].(map[string]any)
		return fmt.Sprintf("expiring %v, nearTier %v, birthday %v", m["expiring"], m["nearTier"], m["birthday"])
	}
	for _, c := range []struct {
		name, lang, legend string
		width, height      int64
		touch              bool
		turnOn             bool
	}{
		{"laptop-en", "en-GB,en", "Automatic messages on the cards", 1366, 768, false, false},
		{"tablet-fr", "fr-FR,fr", "Messages automatiques sur les cartes", 1180, 820, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := api.mustAPI(t, "GET", "/v1/admin/program", p.ownerKey, nil, 200)
			ctx := e.screen(t, c.lang, c.width, c.height, c.touch)
			p.signIn(t, ctx, p.ownerKey)
			do(t, ctx, "open the settings", chromedp.Navigate(p.base+"/admin#settings"))
			waitFor(t, ctx, "the settings", `document.getElementById("set-welcome").value !== ""`)
			if got := eval[string](t, ctx, `document.querySelector("#settings-auto legend").textContent`); got != c.legend {
				t.Errorf("the switches' heading reads %q, want %q", got, c.legend)
			}
			ticked := eval[[]bool](t, ctx, `["set-auto-expiring", "set-auto-near", "set-auto-birthday"].map(id => document.getElementById(id).checked)`)
			if fmt.Sprint(ticked) != fmt.Sprint([]bool{true, !c.turnOn, true}) {
				t.Fatalf("the switches show %v, want the saved ones (%s)", ticked, switches())
			}
			shot(t, ctx, "console-automessages-"+c.name)
			do(t, ctx, "switch close-to-the-next-tier", chromedp.Click(chromedp.ID("set-auto-near")), chromedp.Click(chromedp.CSS(`#settings-form button[type=submit]`)))
			waitFor(t, ctx, "saved", `document.getElementById("status").classList.contains("ok")`)
			if got, want := switches(), fmt.Sprintf("expiring true, nearTier %v, birthday true", c.turnOn); got != want {
				t.Fatalf("after the save: %s, want %s", got, want)
			}
			after := api.mustAPI(t, "GET", "/v1/admin/program", p.ownerKey, nil, 200)
			after["autoMessages"] = before["autoMessages"]
			if fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("the save changed more than the switch:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
	t.Run("phone-fr", func(t *testing.T) {
		ctx := e.screen(t, "fr-FR,fr", 390, 844, true)
		p.signIn(t, ctx, p.ownerKey)
		do(t, ctx, "open the settings", chromedp.Navigate(p.base+"/admin#settings"))
		waitFor(t, ctx, "the settings", `document.getElementById("set-welcome").value !== "" && document.getElementById("set-auto-near").checked`)
		if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("the settings are %d px wide on a 390 px phone", w)
		}
		do(t, ctx, "show the switches", chromedp.Evaluate[chromedp.Void](`document.getElementById("settings-auto").scrollIntoView()`))
		shot(t, ctx, "console-automessages-phone-fr")
	})
}
