package browsertest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// What the member space tells of the tier and of the points about to
// expire, on a stack whose clock the tests move (ownStack): the stack takes
// the clock as an option of its Go API, which no deployed function has.

// clock is the stack's clock in these tests: it runs, as a real one does,
// from wherever the test set it (the card's signed links name the second
// they were made, as in a deployment).
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func clockAt(t time.Time) *clock { c := &clock{}; c.Set(t); return c }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).UTC()
}

// Set moves the clock to t, from where it runs on.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

// cardLoaded is true once the card's picture is drawn.
const cardLoaded = `(() => { const i = document.getElementById("card-image"); return i.complete && i.naturalWidth > 0; })()`

// spaceState is what the top of the member space shows.
type spaceState struct {
	balance  string
	next     string // the line above the progress bar
	percent  int    // the bar's filled part
	expiring string // "" when no points are about to expire
}

// showsState opens m's space in the tab and checks what its top shows.
func (e *env) showsState(t *testing.T, ctx context.Context, m member, want spaceState) {
	t.Helper()
	openSpaceOf(t, ctx, e.base, m)
	waitFor(t, ctx, "the balance "+want.balance, fmt.Sprintf(`document.getElementById("balance").textContent === %q`, want.balance))
	if got := text(t, ctx, "next-tier"); got != want.next {
		t.Errorf("the line above the bar reads %q, want %q", got, want.next)
	}
	if got := eval[string](t, ctx, `document.getElementById("progress").getAttribute("aria-valuenow")`); got != fmt.Sprint(want.percent) {
		t.Errorf("the bar says it is %s%% full, want %d%%", got, want.percent)
	}
	// The bar as drawn: its filled part's share of its width.
	if got := eval[float64](t, ctx, `document.getElementById("progress-bar").getBoundingClientRect().width / document.getElementById("progress").getBoundingClientRect().width`); got < float64(want.percent)/100-0.02 || got > float64(want.percent)/100+0.02 {
		t.Errorf("the bar is drawn %.0f%% full, want %d%%", 100*got, want.percent)
	}
	shown := eval[string](t, ctx, `(() => { const el = document.getElementById("expiring"); return el.hidden ? "" : el.textContent.trim(); })()`)
	if shown != want.expiring {
		t.Errorf("the expiring points read %q, want %q", shown, want.expiring)
	}
}

// TestMemberSpaceShowsTierProgressAndExpiringPoints earns points, then
// moves the clock: the bar to the next tier follows the qualifying points,
// the points of a lot are told as expiring, with their date in the page's
// language, from the day the lot enters its last 30 days, and no more once
// the expiry job has expired them.
func TestMemberSpaceShowsTierProgressAndExpiringPoints(t *testing.T) {
	clock := clockAt(time.Date(2026, time.March, 10, 10, 0, 0, 0, time.UTC))
	o := setup(t).ownStack(t, clock)
	till := o.st.Demo.StaffKeys[0].Key
	type visitor struct {
		phone, tablet context.Context
		m             member
	}
	visitors := map[string]visitor{}
	for _, c := range spaceLanguages {
		out := o.mustAPI(t, "POST", "/v1/members", "", map[string]any{"name": "Hélène Progress", "email": "helene.progress." + c.lang + "@example.com", "locale": c.lang}, 201)
		m := member{ID: out["id"].(string), Code: out["code"].(string), Token: out["token"].(string), Name: "Hélène Progress"}
		visitors[c.lang] = visitor{o.member390(t, c.accept), o.memberTablet(t, c.accept), m}
	}
	earn := func(t *testing.T, receipt string, euros int64) {
		t.Helper()
		for lang, v := range visitors {
			o.mustAPI(t, "POST", "/v1/earnings", till, map[string]any{"code": v.m.Code, "receiptId": receipt + "-" + lang, "amount": map[string]any{"value": euros * 100, "currency": "EUR"}}, 201)
		}
	}
	// look checks each member's space, in their language, on the phone,
	// and saves the phone's and the tablet's screens when named.
	look := func(t *testing.T, shots string, want map[string]spaceState) {
		t.Helper()
		for _, c := range spaceLanguages {
			v := visitors[c.lang]
			o.showsState(t, v.phone, v.m, want[c.lang])
			noSideScroll390(t, v.phone, "the member space")
			if shots == "" {
				continue
			}
			waitFor(t, v.phone, "the card picture", cardLoaded)
			screenShot(t, v.phone, shots+"-"+c.lang)
			openSpaceOf(t, v.tablet, o.base, v.m)
			waitFor(t, v.tablet, "the balance", fmt.Sprintf(`document.getElementById("balance").textContent === %q`, want[c.lang].balance))
			waitFor(t, v.tablet, "the card picture", cardLoaded)
			screenShot(t, v.tablet, shots+"-tablet-"+c.lang)
		}
	}

	// 10 March 2026: 250 points earned, the welcome's 50 beside them; the
	// lot of March's points lasts until the end of March 2027.
	earn(t, "R-1", 250)
	look(t, "me-progress", map[string]spaceState{
		"en": {balance: "300", next: "250 more points to reach Silver", percent: 50},
		"fr": {balance: "300", next: "Encore 250 points pour le niveau Argent", percent: 50},
	})

	// 27 February 2027: the lot's last day is 32 days away, not yet told.
	clock.Set(time.Date(2027, time.February, 27, 10, 0, 0, 0, time.UTC))
	look(t, "", map[string]spaceState{
		"en": {balance: "300", next: "250 more points to reach Silver", percent: 50},
		"fr": {balance: "300", next: "Encore 250 points pour le niveau Argent", percent: 50},
	})

	// 5 March 2027: within the last 30 days, the lot's points and its day.
	clock.Set(time.Date(2027, time.March, 5, 10, 0, 0, 0, time.UTC))
	look(t, "me-expiring", map[string]spaceState{
		"en": {balance: "300", next: "250 more points to reach Silver", percent: 50, expiring: "300 points expire on March 31, 2027."},
		"fr": {balance: "300", next: "Encore 250 points pour le niveau Argent", percent: 50, expiring: "300 points expirent le 31 mars 2027."},
	})

	// 300 more points that day: Silver, the bar now towards Gold (1,500);
	// the new points last until March 2028, so the same 300 expire.
	earn(t, "R-2", 300)
	look(t, "me-silver", map[string]spaceState{
		"en": {balance: "600", next: "950 more points to reach Gold", percent: 37, expiring: "300 points expire on March 31, 2027."},
		"fr": {balance: "600", next: "Encore 950 points pour le niveau Or", percent: 37, expiring: "300 points expirent le 31 mars 2027."},
	})

	// 1 April 2027, after the expiry job: the lot is gone, and so is its
	// notice; the first 250 points have left the 365 days that count
	// toward a tier, so 300 qualify and Gold is 1,200 away.
	clock.Set(time.Date(2027, time.April, 1, 1, 0, 0, 0, time.UTC))
	o.mustAPI(t, "POST", "/v1/admin/jobs/expiry/runs", o.st.Secrets.AdminKey, map[string]any{"at": "2027-04-01T00:30:00Z"}, 200)
	look(t, "", map[string]spaceState{
		"en": {balance: "300", next: "1,200 more points to reach Gold", percent: 20},
		"fr": {balance: "300", next: "Encore 1\u202f200 points pour le niveau Or", percent: 20},
	})
}
