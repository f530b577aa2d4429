package browsertest

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// frenchDay is a day as French writes it in the console ("28 nov. 2026"),
// and slashDay one as an American browser would (11/28/2026).
var (
	frenchDay = regexp.MustCompile(`\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? \d{4}`)
	slashDay  = regexp.MustCompile(`\d{1,2}/\d{1,2}/\d{2,4}`)
)

// TestTheFrenchConsoleWritesItsDatesInFrench: the days and moments the
// console writes itself follow the page's language, not the browser's own
// locale, which in this Chromium is en-US (only en-US.pak is installed, and
// Emulation.setLocaleOverride does not reach date inputs): a formatting
// without the page's language would show 11/28/2026 here. Native date
// inputs (<input type=date>) are laid out by the browser's locale whatever
// the page's lang: a phone set to French shows jj/mm/aaaa (Chrome on
// Android) or "28 nov. 2026" (Safari on iOS); this browser shows mm/dd/yyyy.
func TestTheFrenchConsoleWritesItsDatesInFrench(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	ctx := e.screen(t, "fr-FR,fr", 1280, 800, false)
	p.signIn(t, ctx, p.ownerKey)
	if l := eval[string](t, ctx, `new Date(Date.UTC(2026, 10, 28, 12)).toLocaleDateString()`); l != "11/28/2026" {
		t.Fatalf("the browser's own locale writes %s, not 11/28/2026: this test could not tell the page's language from the browser's", l)
	}
	for _, s := range []struct{ view, list string }{{"operators", "operators-list"}, {"audit", "audit-list"}, {"staff", "staff-list"}} {
		do(t, ctx, "open "+s.view, chromedp.Navigate(p.base+"/admin#"+s.view))
		waitFor(t, ctx, "the "+s.view+" list", `document.querySelector("#`+s.list+` tbody")?.rows.length > 0`)
		got := text(t, ctx, s.list)
		if !frenchDay.MatchString(got) || slashDay.MatchString(got) {
			t.Errorf("the %s list writes its days %q, want them in French (28 nov. 2026)", s.view, got)
		}
	}
}
