package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPagesEnforceTheirPolicy checks that the browser applies the pages'
// Content-Security-Policy: inline code injected into a page does not run,
// and the violation is seen (so the other tests, which fail on any
// violation, would see one).
func TestPagesEnforceTheirPolicy(t *testing.T) {
	e := setup(t)
	for _, path := range []string{"/", "/staff"} {
		t.Run(path, func(t *testing.T) {
			ctx := e.phone(t, "en")
			violations := watchCSP(t, ctx)
			do(t, ctx, "open "+path, chromedp.Navigate(e.base+path), chromedp.WaitReady(chromedp.CSS("main")))
			ran := eval[bool](t, ctx, `(() => {
				const s = document.createElement("script");
				s.textContent = "window.injected = true";
				document.head.append(s);
				return window.injected === true;
			})()`)
			if ran {
				t.Fatal("an inline script ran: the policy is not applied")
			}
			waitFor(t, ctx, "the violation to be reported", `window.cspViolations > 0`)
			if v := violations(); len(v) != 1 || !strings.HasPrefix(v[0], "script-src") {
				t.Fatalf("violations reported: %q, want the blocked inline script", v)
			}
		})
	}
}
