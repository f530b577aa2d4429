package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestEmailLinksSayWhatWentWrong opens the links of emails that cannot do
// what they were sent for, in French and in English: an email change to an
// address another member took meanwhile, one opened after its 24 hours,
// one altered, one already used and overtaken by a later change, and a
// sign-in link opened after its 15 minutes or altered. Each lands on the
// member space, which says what happened and that the email is unchanged.
func TestEmailLinksSayWhatWentWrong(t *testing.T) {
	clock := clockAt(time.Now())
	o := setup(t).ownStack(t, clock)
	says := map[string]map[string]string{
		"en": {
			"taken":       "Another member took this address meanwhile: your email is unchanged.",
			"expired":     "This link has expired: your email is unchanged. Ask for a new one in your member space.",
			"invalid":     "This link does not work: your email is unchanged.",
			"signExpired": "This link has expired. Ask for a new one by email below.",
			"signInvalid": "This link does not work. Ask for a new one by email below.",
		},
		"fr": {
			"taken":       "Un autre membre a pris cette adresse entre-temps\u00a0: votre e-mail n'a pas changé.",
			"expired":     "Ce lien a expiré\u00a0: votre e-mail n'a pas changé. Demandez-en un nouveau dans votre espace membre.",
			"invalid":     "Ce lien ne fonctionne pas\u00a0: votre e-mail n'a pas changé.",
			"signExpired": "Ce lien a expiré. Demandez-en un nouveau par e-mail ci-dessous.",
			"signInvalid": "Ce lien ne fonctionne pas. Demandez-en un nouveau par e-mail ci-dessous.",
		},
	}
	for _, c := range spaceLanguages {
		t.Run(c.lang, func(t *testing.T) {
			at := func(name string) string { return "anna." + name + "." + c.lang + "@example.com" }
			ctx := o.member390(t, c.accept)
			m := o.enrollIn(t, ctx, "Anna Lien", at("old"), c.lang)
			ask := func(t *testing.T, to string) string {
				t.Helper()
				do(t, ctx, "ask to change the email to "+to, setValue("email-new", to), chromedp.Click(chromedp.ID("email-submit")))
				waitFor(t, ctx, "the link sent", fmt.Sprintf(`document.getElementById("email-status").className.includes("ok") && document.getElementById("email-status").textContent.includes(%q)`, to))
				return linkIn(t, o.outbox(t, "email-change", to))
			}
			// opens opens a link from an email and checks the space says
			// message, and still writes to email.
			opens := func(t *testing.T, link, message, email string) {
				t.Helper()
				do(t, ctx, "open the emailed link", chromedp.Navigate(link))
				acrossNavigation(t, ctx, "the space saying: "+message, fmt.Sprintf(`location.href === %q && !document.getElementById("space").hidden && document.getElementById("space-status").textContent === %q && document.getElementById("space-status").className.includes("warn")`, o.base+"/me", message))
				if got := text(t, ctx, "email-now"); got != email {
					t.Errorf("after the link the space writes to %q, want %q", got, email)
				}
				if got := o.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200)["email"]; got != email {
					t.Errorf("after the link the member's email is %v, want %s", got, email)
				}
			}

			t.Run("an address taken meanwhile", func(t *testing.T) {
				link := ask(t, at("taken"))
				o.mustAPI(t, "POST", "/v1/members", "", map[string]any{"name": "Someone Quicker", "email": at("taken"), "locale": c.lang}, 201)
				opens(t, link, says[c.lang]["taken"], at("old"))
				noSideScroll390(t, ctx, "the space after a taken address")
				screenShot(t, ctx, "me-email-link-taken-"+c.lang)
			})
			t.Run("a link opened after its 24 hours", func(t *testing.T) {
				link := ask(t, at("late"))
				clock.Set(clock.Now().Add(24*time.Hour + time.Minute))
				opens(t, link, says[c.lang]["expired"], at("old"))
				screenShot(t, ctx, "me-email-link-expired-"+c.lang)
			})
			t.Run("an altered link, then a link used and overtaken", func(t *testing.T) {
				first := ask(t, at("first"))
				opens(t, strings.Replace(first, "signature=", "signature=K1.AAAA", 1), says[c.lang]["invalid"], at("old"))
				screenShot(t, ctx, "me-email-link-invalid-"+c.lang)

				do(t, ctx, "open the first link", chromedp.Navigate(first))
				acrossNavigation(t, ctx, "the email changed", fmt.Sprintf(`document.getElementById("email-now").textContent === %q`, at("first")))
				second := ask(t, at("second"))
				do(t, ctx, "open the second link", chromedp.Navigate(second))
				acrossNavigation(t, ctx, "the email changed again", fmt.Sprintf(`document.getElementById("email-now").textContent === %q`, at("second")))
				opens(t, first, says[c.lang]["invalid"], at("second"))
			})
			t.Run("a sign-in link opened after its 15 minutes, or altered", func(t *testing.T) {
				do(t, ctx, "sign out", chromedp.Click(chromedp.ID("signout")))
				waitFor(t, ctx, "the sign-in form", `!document.getElementById("signin").hidden`)
				do(t, ctx, "ask for a sign-in link", chromedp.SendKeys(chromedp.ID("signin-email"), at("second")), chromedp.Click(chromedp.ID("signin-submit")))
				waitFor(t, ctx, "the link sent", `document.getElementById("signin-status").className.includes("ok")`)
				link := linkIn(t, o.outbox(t, "sign-in", at("second")))
				signInSays := func(message string) {
					t.Helper()
					acrossNavigation(t, ctx, "the sign-in form saying: "+message, fmt.Sprintf(`location.href === %q && !document.getElementById("signin").hidden && document.getElementById("space").hidden && document.getElementById("signin-status").textContent === %q && document.getElementById("signin-status").className.includes("warn")`, o.base+"/me", message))
				}
				do(t, ctx, "open an altered link", chromedp.Navigate(strings.Replace(link, "signature=", "signature=K1.AAAA", 1)))
				signInSays(says[c.lang]["signInvalid"])
				clock.Set(clock.Now().Add(15*time.Minute + time.Second))
				do(t, ctx, "open the link too late", chromedp.Navigate(link))
				signInSays(says[c.lang]["signExpired"])
				noSideScroll390(t, ctx, "the sign-in form after an expired link")
				screenShot(t, ctx, "me-signin-link-expired-"+c.lang)

				tablet := o.memberTablet(t, c.accept)
				do(t, tablet, "open the link too late on a tablet", chromedp.Navigate(link))
				acrossNavigation(t, tablet, "the sign-in form on a tablet", fmt.Sprintf(`document.getElementById("signin-status").textContent === %q`, says[c.lang]["signExpired"]))
				screenShot(t, tablet, "me-signin-link-expired-tablet-"+c.lang)
				openSpaceOf(t, tablet, o.base, m)
				do(t, tablet, "open the used link on a tablet", chromedp.Navigate(linkIn(t, o.outbox(t, "email-change", at("first")))))
				acrossNavigation(t, tablet, "the space on a tablet", fmt.Sprintf(`document.getElementById("space-status").textContent === %q`, says[c.lang]["invalid"]))
				screenShot(t, tablet, "me-email-link-invalid-tablet-"+c.lang)
			})
		})
	}
}
