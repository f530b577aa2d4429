package browsertest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// The member space's forms: the profile, the email, the download and the
// account's deletion, each in French and in English, on a 390 x 844 phone
// and an 820 x 1180 tablet.

var spaceLanguages = []struct{ lang, accept, other string }{
	{"fr", "fr-FR,fr", "en"},
	{"en", "en-GB,en", "fr"},
}

// memberTablet opens a tab the size of an 820 x 1180 tablet held upright,
// with the browser's cookies cleared, as member390 does for a phone.
func (e *env) memberTablet(t *testing.T, lang string) context.Context {
	t.Helper()
	ctx := e.tab(t, lang)
	clearCookies(t, ctx)
	do(t, ctx, "an 820 x 1180 tablet", chromedp.EmulateViewport(820, 1180, chromedp.EmulateScale(1), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch))
	return ctx
}

// enrollIn enrolls a member by the API, speaking locale, and signs the tab
// in as them.
func (e *env) enrollIn(t *testing.T, ctx context.Context, name, email, locale string) member {
	t.Helper()
	out := e.mustAPI(t, "POST", "/v1/members", "", map[string]any{"name": name, "email": email, "locale": locale}, 201)
	m := member{ID: out["id"].(string), Code: out["code"].(string), Token: out["token"].(string), Name: name}
	openSpaceOf(t, ctx, e.base, m)
	return m
}

// scrollShot scrolls a block of the space into view and saves what the
// screen shows, beside shot's pictures.
func scrollShot(t *testing.T, ctx context.Context, name, id string) {
	t.Helper()
	do(t, ctx, "scroll to "+id, chromedp.ScrollIntoView(chromedp.ID(id)))
	screenShot(t, ctx, name)
}

// screenShot saves what the screen shows (a modal dialog where it stands).
func screenShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("FIDELIO_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestMemberChangesTheirProfile: name, birthday and language in one save,
// the birthday's terms as GET /v1/program states them, the API's refusal of
// a birthday to come shown beside the field, and the marketing switch, off
// until the member turns it on.
func TestMemberChangesTheirProfile(t *testing.T) {
	e := setup(t)
	terms, _ := e.mustAPI(t, "GET", "/v1/program", "", nil, 200)["birthday"].(map[string]any)
	if terms["minTenureDays"] == nil || terms["changeCooldownDays"] == nil {
		t.Fatalf("GET /v1/program's birthday terms: %v", terms)
	}
	for _, c := range spaceLanguages {
		t.Run(c.lang, func(t *testing.T) {
			ctx := e.member390(t, c.accept)
			m := e.enrollIn(t, ctx, "Marie Curie", "marie.profile."+c.lang+"@example.com", c.other)
			rule := text(t, ctx, "profile-birthday-rule")
			for _, n := range []any{terms["minTenureDays"], terms["changeCooldownDays"]} {
				if !strings.Contains(rule, fmt.Sprint(n)) {
					t.Errorf("the birthday's rule %q does not say %v, from GET /v1/program", rule, n)
				}
			}
			if got := eval[string](t, ctx, `document.getElementById("profile-name").value + "|" + document.getElementById("profile-locale").value`); got != "Marie Curie|"+c.other {
				t.Errorf("the form opens with %q", got)
			}
			if on := eval[bool](t, ctx, `document.getElementById("marketing").checked`); on {
				t.Error("the marketing switch is on before the member turned it on")
			}

			do(t, ctx, "a birthday to come",
				setValue("profile-birthday", "2999-01-01"),
				chromedp.Click(chromedp.ID("profile-submit")))
			waitFor(t, ctx, "the birthday's error beside it", `document.getElementById("profile-birthday-error").textContent !== "" && document.activeElement.id === "profile-birthday" && document.getElementById("profile-birthday").getAttribute("aria-invalid") === "true"`)
			if got := e.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200); got["birthday"] != nil {
				t.Errorf("a refused birthday was stored: %v", got["birthday"])
			}
			scrollShot(t, ctx, "me-profile-error-"+c.lang, "profile")

			do(t, ctx, "change the name, the birthday and the language",
				setValue("profile-name", "Marie Skłodowska"),
				setValue("profile-birthday", "1990-05-17"),
				chromedp.SetValue(chromedp.ID("profile-locale"), c.lang),
				chromedp.Click(chromedp.ID("profile-submit")))
			waitFor(t, ctx, "the profile saved", `document.getElementById("profile-status").className.includes("ok") && document.getElementById("card-heading").textContent.includes("Marie Skłodowska")`)
			if e := text(t, ctx, "profile-birthday-error"); e != "" {
				t.Errorf("the birthday's error stays after it was mended: %q", e)
			}
			got := e.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200)
			if got["name"] != "Marie Skłodowska" || got["birthday"] != "1990-05-17" || got["locale"] != c.lang || got["marketing"] != false {
				t.Errorf("after saving, the member is %v", got)
			}

			do(t, ctx, "turn the marketing switch on", chromedp.Click(chromedp.ID("marketing")))
			waitFor(t, ctx, "the consent given", `document.getElementById("marketing-status").className.includes("ok") && document.getElementById("marketing").checked`)
			if got := e.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200); got["marketing"] != true {
				t.Errorf("after the switch, marketing is %v", got["marketing"])
			}
			noSideScroll390(t, ctx, "the profile")
			scrollShot(t, ctx, "me-profile-"+c.lang, "profile")
			shotOf(t, ctx, "me-profile-block-"+c.lang, "profile")

			tablet := e.memberTablet(t, c.accept)
			m.Name = "Marie Skłodowska"
			openSpaceOf(t, tablet, e.base, m)
			if on := eval[bool](t, tablet, `document.getElementById("marketing").checked`); !on {
				t.Error("the switch is off on the next visit")
			}
			waitFor(t, tablet, "the card picture", `(() => { const i = document.getElementById("card-image"); return i.complete && i.naturalWidth > 0; })()`)
			shot(t, tablet, "me-tablet-"+c.lang)
			shotOf(t, tablet, "me-profile-tablet-"+c.lang, "profile")
			shotOf(t, tablet, "referral-block-tablet-"+c.lang, "referral")
		})
	}
}

// TestMemberChangesTheirEmailThroughTheLink: an address another member has
// is refused beside the field; a free one gets a link in its inbox, read
// from the outbox, and opening it changes the email the space shows.
func TestMemberChangesTheirEmailThroughTheLink(t *testing.T) {
	e := setup(t)
	for _, c := range spaceLanguages {
		t.Run(c.lang, func(t *testing.T) {
			old, taken, fresh := "pierre.old."+c.lang+"@example.com", "pierre.taken."+c.lang+"@example.com", "pierre.new."+c.lang+"@example.com"
			e.mustAPI(t, "POST", "/v1/members", "", map[string]any{"name": "Someone Else", "email": taken, "locale": c.lang}, 201)
			ctx := e.member390(t, c.accept)
			m := e.enrollIn(t, ctx, "Pierre Curie", old, c.lang)
			if got := text(t, ctx, "email-now"); got != old {
				t.Errorf("the space writes to %q", got)
			}

			do(t, ctx, "ask for an address another member has",
				chromedp.SendKeys(chromedp.ID("email-new"), taken),
				chromedp.Click(chromedp.ID("email-submit")))
			waitFor(t, ctx, "email_taken beside the field", `document.getElementById("email-new-error").textContent !== "" && document.getElementById("email-new").getAttribute("aria-invalid") === "true" && document.activeElement.id === "email-new"`)
			scrollShot(t, ctx, "me-email-taken-"+c.lang, "email-panel")

			do(t, ctx, "ask for a free address",
				setValue("email-new", fresh),
				chromedp.Click(chromedp.ID("email-submit")))
			waitFor(t, ctx, "check your new inbox", fmt.Sprintf(`document.getElementById("email-status").className.includes("ok") && document.getElementById("email-status").textContent.includes(%q)`, fresh))
			if e := text(t, ctx, "email-new-error"); e != "" {
				t.Errorf("the field's error stays: %q", e)
			}
			if got := e.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200); got["email"] != old {
				t.Errorf("the email changed before the link was opened: %v", got["email"])
			}
			noSideScroll390(t, ctx, "the email block")
			scrollShot(t, ctx, "me-email-sent-"+c.lang, "email-panel")

			link := linkIn(t, e.outbox(t, "email-change", fresh))
			do(t, ctx, "open the emailed link", chromedp.Navigate(link))
			spaceShows(t, ctx, "Pierre Curie")
			waitFor(t, ctx, "the new address", fmt.Sprintf(`document.getElementById("email-now").textContent === %q && document.getElementById("space-status").textContent.includes(%q)`, fresh, fresh))
			if u := eval[string](t, ctx, `location.href`); u != e.base+"/me" {
				t.Errorf("after the link the address is %q", u)
			}
			if got := e.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200); got["email"] != fresh {
				t.Errorf("after the link, the email is %v", got["email"])
			}
			screenShot(t, ctx, "me-email-changed-"+c.lang)

			tablet := e.memberTablet(t, c.accept)
			openSpaceOf(t, tablet, e.base, m)
			do(t, tablet, "ask for the old address back",
				chromedp.SendKeys(chromedp.ID("email-new"), fresh),
				chromedp.Click(chromedp.ID("email-submit")))
			waitFor(t, tablet, "this is already your email", `document.getElementById("email-new-error").textContent !== ""`)
			scrollShot(t, tablet, "me-email-tablet-"+c.lang, "email-panel")
		})
	}
}

// TestMemberDownloadsTheirData: the button saves one JSON file holding the
// profile, the ledger, the gifts and the devices.
func TestMemberDownloadsTheirData(t *testing.T) {
	e := setup(t)
	e.mustAPI(t, "POST", "/v1/admin/charities", e.st.Secrets.AdminKey, map[string]any{"id": "download-aid", "name": "Download Aid", "pointsPerUnit": 100, "currency": "EUR", "minPoints": 10, "step": 10}, 201)
	for _, c := range spaceLanguages {
		t.Run(c.lang, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := chromedp.CallBrowser(e.browser, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
				t.Fatal(err)
			}
			email := "irene.download." + c.lang + "@example.com"
			ctx := e.member390(t, c.accept)
			m := e.enrollIn(t, ctx, "Irène Joliot", email, c.lang)
			e.mustAPI(t, "POST", "/v1/members/"+m.ID+"/donations", m.Token, map[string]any{"charityId": "download-aid", "points": 20}, 201, "Idempotency-Key", "download-"+c.lang)
			phone := "phone-" + c.lang
			e.registerDevice(t, m, phone)
			do(t, ctx, "reload", chromedp.Reload())
			spaceShows(t, ctx, "Irène Joliot")
			scrollShot(t, ctx, "me-download-"+c.lang, "download")

			do(t, ctx, "download my data", chromedp.Click(chromedp.ID("download")))
			path := filepath.Join(dir, "member-"+m.ID+".json")
			var data struct {
				Profile struct{ ID, Email, Name string }
				Ledger  []struct{ Kind string }
				Giving  map[string]any
				Devices []struct{ DeviceID string }
			}
			deadline := time.Now().Add(15 * time.Second)
			for {
				b, err := os.ReadFile(path)
				if err == nil && json.Unmarshal(b, &data) == nil {
					break
				}
				if time.Now().After(deadline) {
					entries, _ := os.ReadDir(dir)
					t.Fatalf("no %s downloaded (the folder holds %v): %v", path, entries, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if data.Profile.ID != m.ID || data.Profile.Email != email || data.Profile.Name != "Irène Joliot" {
				t.Errorf("the file's profile is %+v", data.Profile)
			}
			var kinds []string
			for _, l := range data.Ledger {
				kinds = append(kinds, l.Kind)
			}
			if strings.Join(kinds, ",") != "donate,welcome" {
				t.Errorf("the file's ledger holds %v", kinds)
			}
			if len(data.Giving) == 0 || len(data.Devices) != 1 || data.Devices[0].DeviceID != phone {
				t.Errorf("the file's gifts are %v and its devices %+v", data.Giving, data.Devices)
			}
			if got := eval[string](t, ctx, `location.pathname + (document.getElementById("space").hidden ? " hidden" : "")`); got != "/me" {
				t.Errorf("after the download the tab shows %q", got)
			}
		})
	}
}

// TestMemberDeletesTheirAccount: the dialog says what is erased and what is
// kept, Keep my account keeps it, and once deleted the page says so, and
// neither a reload, the card's link nor an emailed sign-in opens it again.
func TestMemberDeletesTheirAccount(t *testing.T) {
	e := setup(t)
	for _, c := range spaceLanguages {
		t.Run(c.lang, func(t *testing.T) {
			email := "frederic.delete." + c.lang + "@example.com"
			tablet := e.memberTablet(t, c.accept)
			m := e.enrollIn(t, tablet, "Frédéric Joliot", email, c.lang)
			do(t, tablet, "open the dialog", chromedp.ScrollIntoView(chromedp.ID("delete-open")), chromedp.Click(chromedp.ID("delete-open")))
			waitFor(t, tablet, "the dialog", `document.getElementById("delete-dialog").open`)
			screenShot(t, tablet, "me-delete-dialog-tablet-"+c.lang)
			do(t, tablet, "close it with Escape", chromedp.KeyEvent("\x1b"))
			waitFor(t, tablet, "the dialog closed, the focus back on its button", `!document.getElementById("delete-dialog").open && document.activeElement.id === "delete-open"`)

			ctx := e.member390(t, c.accept)
			openSpaceOf(t, ctx, e.base, m)
			do(t, ctx, "open the dialog", chromedp.ScrollIntoView(chromedp.ID("delete-open")), chromedp.Click(chromedp.ID("delete-open")))
			waitFor(t, ctx, "the dialog, the focus on Keep", `document.getElementById("delete-dialog").open && document.activeElement.id === "delete-cancel"`)
			if what := text(t, ctx, "delete-dialog"); !strings.Contains(what, "Apple Wallet") || !strings.Contains(what, "50") {
				t.Errorf("the dialog says %q", what)
			}
			screenShot(t, ctx, "me-delete-dialog-"+c.lang)
			do(t, ctx, "keep my account", chromedp.Click(chromedp.ID("delete-cancel")))
			waitFor(t, ctx, "the dialog closed", `!document.getElementById("delete-dialog").open && !document.getElementById("space").hidden`)
			e.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200)

			do(t, ctx, "delete my account", chromedp.Click(chromedp.ID("delete-open")))
			waitFor(t, ctx, "the dialog", `document.getElementById("delete-dialog").open`)
			do(t, ctx, "confirm", chromedp.Click(chromedp.ID("delete-confirm")))
			waitFor(t, ctx, "the account deleted", `!document.getElementById("deleted").hidden && document.getElementById("space").hidden && !document.getElementById("delete-dialog").open && document.activeElement.id === "deleted-heading"`)
			noSideScroll390(t, ctx, "the deleted page")
			shot(t, ctx, "me-deleted-"+c.lang)
			if _, err := e.api("GET", "/v1/members/"+m.ID, m.Token, nil, 200); err == nil {
				t.Error("the card's token still opens the deleted account")
			}

			do(t, ctx, "reload", chromedp.Reload())
			waitFor(t, ctx, "the sign-in form", `!document.getElementById("signin").hidden && document.getElementById("space").hidden`)
			do(t, ctx, "open the card's link", chromedp.Navigate(linkIn(t, e.outbox(t, "welcome", email))))
			acrossNavigation(t, ctx, "the card's link refused", `location.pathname === "/me" && !document.getElementById("signin").hidden && document.getElementById("signin-status").className.includes("warn") && document.getElementById("space").hidden`)
			shot(t, ctx, "me-deleted-link-"+c.lang)
			do(t, ctx, "ask for a sign-in link", chromedp.SendKeys(chromedp.ID("signin-email"), email), chromedp.Click(chromedp.ID("signin-submit")))
			waitFor(t, ctx, "the same answer as to anyone", `document.getElementById("signin-status").className.includes("ok")`)
			for _, msg := range e.outboxAll(t) {
				if msg.To == email && msg.Kind == "sign-in" {
					t.Errorf("a sign-in link went to the deleted account's address: %v", msg)
				}
			}
			if status := eval[int](t, ctx, `fetch("/v1/session").then(r => r.status)`); status != 401 {
				t.Errorf("GET /v1/session after all that answers %d", status)
			}
		})
	}
}

// registerDevice registers a phone for the updates of m's Apple pass, as
// Wallet does once the pass is added: through the web service, with the
// pass's own token.
func (e *env) registerDevice(t *testing.T, m member, device string) {
	t.Helper()
	links, _ := e.mustAPI(t, "GET", "/v1/members/"+m.ID, m.Token, nil, 200)["links"].(map[string]any)
	resp, err := http.Get(fmt.Sprint(links["applePass"]))
	if err != nil {
		t.Fatal(err)
	}
	pkpass, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %v: %d %v", links["applePass"], resp.StatusCode, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(pkpass), int64(len(pkpass)))
	if err != nil {
		t.Fatal(err)
	}
	var pass struct{ SerialNumber, AuthenticationToken, PassTypeIdentifier string }
	f, err := zr.Open("pass.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := json.NewDecoder(f).Decode(&pass); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/wallet/v1/devices/%s/registrations/%s/%s", device, pass.PassTypeIdentifier, pass.SerialNumber)
	req, _ := http.NewRequest("POST", e.base+path, strings.NewReader(`{"pushToken":"push-`+device+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "ApplePass "+pass.AuthenticationToken)
	reg, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	reg.Body.Close()
	if reg.StatusCode != 201 {
		t.Fatalf("POST %s: %d", path, reg.StatusCode)
	}
}
