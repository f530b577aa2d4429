package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// overflowing lists the visible elements of the page that reach past the
// viewport's sides, each as its tag, id and width: an ancestor that clips
// or scrolls would hide them from the page's own scroll width.
const overflowing = `[...document.querySelectorAll("body *")].filter(e => {
	if (e.closest(".table-wrap, .side, .skip")) return false; // scroll within themselves, or off-screen until focused
	const r = e.getBoundingClientRect();
	return r.width > 0 && r.height > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5);
}).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + Math.round(e.getBoundingClientRect().width) + " px")`

// squeezedFields lists the fields of a screen's forms (%s: the view) that
// take less than their grid's whole width, by their label.
const squeezedFields = `[...document.querySelectorAll("#view-%s form .grid > div")].filter(d =>
	d.getClientRects().length > 0 && d.getBoundingClientRect().width < d.parentElement.clientWidth - 1
).map(d => d.querySelector("label")?.textContent.trim() + " " + Math.round(d.getBoundingClientRect().width) + " px")`

// TestConsoleSettingsAndStoresFitAPhone: an owner opens the settings and
// the stores on a 390 px phone, in French and English: neither screen, nor
// any of their fields, is wider than the phone. Then on a laptop, to look at.
func TestConsoleSettingsAndStoresFitAPhone(t *testing.T) {
	e := setup(t)
	p := consoleProgram(t, e)
	screens := []struct{ view, ready string }{
		{"settings", `document.getElementById("set-welcome").value !== ""`},
		{"stores", `document.querySelector("#stores-list tbody")?.textContent.includes("Paris Rivoli")`},
	}
	for _, c := range []struct{ name, lang string }{{"phone-fr", "fr-FR,fr"}, {"phone-en", "en-GB,en"}, {"laptop-fr", "fr-FR,fr"}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := e.sized(t, c.name, c.lang)
			p.signIn(t, ctx, p.ownerKey)
			for _, s := range screens {
				do(t, ctx, "open "+s.view, chromedp.Navigate(p.base+"/admin#"+s.view))
				waitFor(t, ctx, "the "+s.view+" screen", s.ready)
				width := eval[int64](t, ctx, `innerWidth`)
				if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > width {
					t.Errorf("%s is %d px wide on a %d px screen", s.view, w, width)
				}
				if wide := eval[[]string](t, ctx, overflowing); len(wide) > 0 {
					t.Errorf("%s on a %d px screen: wider than it: %s", s.view, width, strings.Join(wide, ", "))
				}
				// A field the grid squeezes into a column of its own beside
				// another breaks its label's words ("Latitud-e").
				if squeezed := eval[[]string](t, ctx, fmt.Sprintf(squeezedFields, s.view)); strings.HasPrefix(c.name, "phone") && len(squeezed) > 0 {
					t.Errorf("%s on a %d px phone: fields narrower than the form: %s", s.view, width, strings.Join(squeezed, ", "))
				}
				shot(t, ctx, "console-fits-"+s.view+"-"+c.name)
			}
		})
	}
}
