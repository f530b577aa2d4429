package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fidelio/fidelio/infra/local/stack"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// ownStack starts a local stack of the test's own beside the shared one,
// for a test that changes what every page shows (the logo) or moves the
// clock: the same browser, its own store and data, and clock (nil: the real
// one), which the stack takes as an option of its Go API only.
func (e *env) ownStack(t *testing.T, clock loyalty.Clock) *env {
	t.Helper()
	o := &env{net: &faults{}, browser: e.browser}
	var stop func()
	var err error
	o.st, o.base, stop, err = serveStack(stack.Options{DataDir: t.TempDir(), Clock: clock}, o.net)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return o
}

// shopLogo is a shop's own logo: a teal disc on transparency.
func shopLogo(t *testing.T) []byte {
	t.Helper()
	const n = 240
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			if dx, dy := x-n/2, y-n/2; dx*dx+dy*dy < (n/2-8)*(n/2-8) {
				img.Set(x, y, color.NRGBA{0, 128, 128, 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// brandShows is what the bar's brand image shows: "mark" for the pages'
// own mark, "logo <rgb of its centre>" for the operator's logo, loaded.
const brandShows = `(() => {
	const img = document.querySelector(".brand img");
	if (!img.complete || img.naturalWidth === 0) return "loading";
	if (img.getAttribute("src") === "/assets/icon.svg") return "mark";
	const c = document.createElement("canvas");
	c.width = img.naturalWidth; c.height = img.naturalHeight;
	const g = c.getContext("2d");
	g.drawImage(img, 0, 0);
	const [r, gr, b] = g.getImageData(c.width / 2, c.height / 2, 1, 1).data;
	return "logo " + img.getAttribute("src") + " " + [r, gr, b].join(",") + " " + img.getBoundingClientRect().width;
})()`

// TestThePagesShowTheOperatorsLogo: before the operator uploads a logo the
// join page and the member space show the pages' mark; once uploaded, its
// version is what both show, on a phone and a tablet, in French and
// English, signed in and signed out; and a logo that cannot be loaded
// leaves the mark.
func TestThePagesShowTheOperatorsLogo(t *testing.T) {
	o := setup(t).ownStack(t, nil)
	ctx := o.member390(t, "fr-FR,fr")
	do(t, ctx, "open the join page", chromedp.Navigate(o.base+"/"))
	waitFor(t, ctx, "the program read", `!document.getElementById("perks").hidden`)
	if got := eval[string](t, ctx, brandShows); got != "mark" {
		t.Fatalf("before any upload the bar shows %q, want the mark", got)
	}

	logo := shopLogo(t)
	req, _ := http.NewRequest("PUT", o.base+"/v1/admin/program/logo", bytes.NewReader(logo))
	req.Header.Set("Authorization", "Bearer "+o.st.Secrets.AdminKey)
	req.Header.Set("Content-Type", "image/png")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("PUT /v1/admin/program/logo: %d", resp.StatusCode)
	}
	want := fmt.Sprintf("logo /v1/wallet/images/logo.png?v=%s 0,128,128 36", store.LogoVersion(logo))
	showsLogo := func(t *testing.T, ctx context.Context, where string) {
		t.Helper()
		waitFor(t, ctx, where+" showing the logo", fmt.Sprintf(`%s === %q`, brandShows, want))
	}

	for _, c := range spaceLanguages {
		t.Run(c.lang, func(t *testing.T) {
			phone := o.member390(t, c.accept)
			do(t, phone, "open the join page", chromedp.Navigate(o.base+"/"))
			showsLogo(t, phone, "the join page")
			noSideScroll390(t, phone, "the join page with the logo")
			screenShot(t, phone, "logo-join-"+c.lang)

			do(t, phone, "open the member space signed out", chromedp.Navigate(o.base+"/me"))
			waitFor(t, phone, "the sign-in form", `!document.getElementById("signin").hidden`)
			showsLogo(t, phone, "the sign-in form")
			screenShot(t, phone, "logo-signin-"+c.lang)

			o.enrollIn(t, phone, "Louise Logo", "louise.logo."+c.lang+"@example.com", c.lang)
			showsLogo(t, phone, "the member space")
			waitFor(t, phone, "the card picture", `(() => { const i = document.getElementById("card-image"); return i.complete && i.naturalWidth > 0; })()`)
			screenShot(t, phone, "logo-me-"+c.lang)

			tablet := o.memberTablet(t, c.accept)
			do(t, tablet, "open the join page", chromedp.Navigate(o.base+"/"))
			showsLogo(t, tablet, "the join page on a tablet")
			screenShot(t, tablet, "logo-join-tablet-"+c.lang)
		})
	}

	t.Run("a logo that fails to load leaves the mark", func(t *testing.T) {
		tab := o.member390(t, "en-GB,en")
		if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(tab, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/v1/wallet/images/logo.png?*", Block: true}}}); err != nil {
			t.Fatal(err)
		}
		do(t, tab, "open the join page", chromedp.Navigate(o.base+"/"))
		waitFor(t, tab, "the program read", `!document.getElementById("perks").hidden`)
		// The page asked for the logo and was refused it: the mark stays.
		waitFor(t, tab, "the logo asked for", `performance.getEntriesByType("resource").some((r) => r.name.includes("/v1/wallet/images/logo.png?v="))`)
		if got := eval[string](t, tab, brandShows); got != "mark" {
			t.Errorf("with the logo out of reach the bar shows %q, want the mark", got)
		}
	})
}
