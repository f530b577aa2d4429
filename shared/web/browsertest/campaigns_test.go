package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fidelio/fidelio/infra/local/stack"
)

// audience is a stack of its own that runs the campaigns' fan-out, with
// three members who bought: Ada at Paris Rivoli and Bob at Lyon Part-Dieu
// agreed to receive offers, Chloé bought at Paris Rivoli and did not.
type audience struct {
	*program
	net *faults
}

var (
	audienceOnce sync.Once
	theAudience  *audience
	audienceErr  error
)

func init() {
	// The campaigns' create is watched: the test reads its Idempotency-Key.
	watched["POST /v1/admin/campaigns"] = true
}

func audienceProgram(t *testing.T) *audience {
	t.Helper()
	audienceOnce.Do(func() { theAudience, audienceErr = startAudience() })
	if audienceErr != nil {
		t.Fatal(audienceErr)
	}
	return theAudience
}

func startAudience() (*audience, error) {
	dir, err := os.MkdirTemp("", "fidelio-audience-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	a := &audience{program: &program{}, net: &faults{}}
	p := a.program
	var stop func()
	p.st, p.base, stop, err = serveStack(stack.Options{DataDir: filepath.Join(dir, "data")}, a.net)
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, stop)
	ctx, cancel := context.WithCancel(context.Background())
	cleanups = append(cleanups, cancel)
	p.st.RunCampaigns(ctx)
	p.ownerKey = p.st.Secrets.AdminKey
	c := &env{base: p.base}
	paris, lyon := p.st.Demo.StaffKeys[0].Key, p.st.Demo.StaffKeys[1].Key
	for i, m := range []struct {
		who       *member
		name      string
		marketing bool
		till      string
	}{{&p.ada, "Ada Lovelace", true, paris}, {&p.bob, "Bob Martin", true, lyon}, {&p.chloe, "Chloé Dubois", false, paris}} {
		email := strings.ToLower(strings.Fields(m.name)[0]) + "@example.com"
		out, err := c.api("POST", "/v1/members", "", map[string]any{"name": m.name, "email": email, "locale": "fr", "marketing": m.marketing}, 201)
		if err != nil {
			return nil, err
		}
		*m.who = member{ID: out["id"].(string), Code: out["code"].(string), Token: out["token"].(string), Name: m.name}
		if _, err := c.api("POST", "/v1/earnings", m.till, map[string]any{"code": m.who.Code, "receiptId": fmt.Sprint("R-", i), "amount": map[string]any{"value": 2000, "currency": "EUR"}}, 201); err != nil {
			return nil, err
		}
	}
	for role, key := range map[string]*string{"manager": &p.managerKey, "analyst": &p.analystKey} {
		out, err := c.api("POST", "/v1/admin/operator-keys", p.ownerKey, map[string]any{"name": "Camille " + role, "role": role}, 201)
		if err != nil {
			return nil, err
		}
		*key = out["key"].(string)
	}
	return a, nil
}

// screens are the sizes each of these screens is looked at: a laptop and a
// phone, in English and French.
var talkSizes = []struct{ name, lang string }{{"laptop-en", "en-GB,en"}, {"laptop-fr", "fr-FR,fr"}, {"phone-en", "en-GB,en"}, {"phone-fr", "fr-FR,fr"}}

func (e *env) sized(t *testing.T, name, lang string) context.Context {
	t.Helper()
	if strings.HasPrefix(name, "phone") {
		return e.phone390(t, lang)
	}
	return e.screen(t, lang, 1280, 800, false)
}

// fits checks a screen does not scroll sideways.
func fits(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	width := eval[int64](t, ctx, `window.innerWidth`)
	if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > width {
		t.Errorf("%s is %d CSS pixels wide on a %d px screen: it scrolls sideways", what, w, width)
	}
}

// rowOf is the text of the cells of the row of table holder whose text
// holds name, joined by "|".
func rowOf(t *testing.T, ctx context.Context, holder, name string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(() => { const tr = [...document.querySelectorAll("#%s tbody tr")].find(tr => tr.textContent.includes(%q)); return tr ? [...tr.cells].map(c => c.textContent).join("|") : "" })()`, holder, name))
}

// TestConsoleSegments: an operator reads the segments and their counts, the
// classes explained; a manager is offered a campaign for each, an analyst
// is not.
func TestConsoleSegments(t *testing.T) {
	e := setup(t)
	a := audienceProgram(t)
	for _, c := range talkSizes {
		t.Run(c.name, func(t *testing.T) {
			ctx := e.sized(t, c.name, c.lang)
			a.signIn(t, ctx, a.managerKey)
			do(t, ctx, "open the segments", chromedp.Navigate(a.base+"/admin#segments"))
			waitFor(t, ctx, "the classes", `document.querySelectorAll("#segments-classes tbody tr").length === 7`)
			fr := strings.HasSuffix(c.name, "fr")
			// Three members bought this month: the quintiles not computed
			// yet, each scores 5 and 5, a champion.
			if row := rowOf(t, ctx, "segments-classes", "Champ"); !strings.HasPrefix(row, "Champions") || !strings.Contains(row, "|3|") {
				t.Errorf("the champions' row reads %q, want 3 members", row)
			}
			if row := rowOf(t, ctx, "segments-others", "Paris Rivoli"); !strings.Contains(row, "Paris Rivoli|2|") {
				t.Errorf("Paris Rivoli's row reads %q, want 2 members", row)
			}
			if row := rowOf(t, ctx, "segments-others", "Bronze"); row != map[bool]string{true: "Niveau Bronze|3|", false: "Tier Bronze|3|"}[fr]+map[bool]string{true: "Campagne", false: "Campaign"}[fr] {
				t.Errorf("the bronze row reads %q, want 3 members", row)
			}
			if meaning := rowOf(t, ctx, "segments-classes", map[bool]string{true: "À risque", false: "At risk"}[fr]); !strings.Contains(meaning, map[bool]string{true: "plus récemment", false: "not lately"}[fr]) {
				t.Errorf("the at-risk row reads %q, without its meaning in plain words", meaning)
			}
			// Champions, bronze, and each store: the segments with members.
			if links := eval[int](t, ctx, `document.querySelectorAll("#view-segments a[href^='#campaigns/new']").length`); links != 4 {
				t.Errorf("%d links to a campaign for a manager, want one per segment with members (4)", links)
			}
			fits(t, ctx, "the segments")
			shot(t, ctx, "console-segments-"+c.name)
		})
	}

	t.Run("an analyst reads them without a campaign to start", func(t *testing.T) {
		ctx := e.screen(t, "en-GB,en", 1280, 800, false)
		a.signIn(t, ctx, a.analystKey)
		do(t, ctx, "open the segments", chromedp.Navigate(a.base+"/admin#segments"))
		waitFor(t, ctx, "the classes", `document.querySelectorAll("#segments-classes tbody tr").length === 7`)
		if links := visible(t, ctx, "#view-segments a.button"); len(links) != 0 {
			t.Errorf("an analyst is offered %q", links)
		}
		for _, view := range []string{"campaigns", "promotions"} {
			do(t, ctx, "open "+view, chromedp.Navigate(a.base+"/admin#"+view))
			waitFor(t, ctx, view, fmt.Sprintf(`!document.getElementById("view-%s").hidden`, view))
			if b := visible(t, ctx, fmt.Sprintf("#view-%s form, #view-%s table button", view, view)); len(b) != 0 {
				t.Errorf("%s: an analyst is offered %q", view, b)
			}
		}
	})
}

// TestConsoleCampaign: a manager starts a campaign from a segment, is told
// by the field what the API refused, sends it (with an Idempotency-Key) and
// sees it delivered to the one consenting member of the segment.
func TestConsoleCampaign(t *testing.T) {
	e := setup(t)
	a := audienceProgram(t)
	api := &env{base: a.base}
	var id string
	t.Run("starts one for a segment", func(t *testing.T) {
		ctx := e.screen(t, "en-GB,en", 1280, 800, false)
		a.signIn(t, ctx, a.managerKey)
		do(t, ctx, "open the segments", chromedp.Navigate(a.base+"/admin#segments"))
		waitFor(t, ctx, "Paris Rivoli's segment", `[...document.querySelectorAll("#segments-others tbody tr")].some(tr => tr.textContent.includes("Paris Rivoli"))`)
		do(t, ctx, "start a campaign for it", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#segments-others tbody tr")].find(tr => tr.textContent.includes("Paris Rivoli")).querySelector("a").click()`))
		waitFor(t, ctx, "the form for Paris Rivoli", `!document.getElementById("view-campaigns").hidden && document.getElementById("campaign-seg-store").value === "paris-rivoli"`)

		do(t, ctx, "send it to those gone for 4,000 days", setValue("campaign-name", "Winter at Rivoli"), setValue("campaign-seg-inactive", "4000"),
			setValue("campaign-en", "Hot chocolate is back at Rivoli: 50 points on us."), setValue("campaign-fr", "Le chocolat chaud est de retour à Rivoli : 50 points offerts."),
			setValue("campaign-bonus", "50"), chromedp.Click(chromedp.ID("campaign-submit")))
		waitFor(t, ctx, "the refusal under the field", `document.getElementById("campaign-seg-inactive-error").textContent !== ""`)
		if got := text(t, ctx, "campaign-seg-inactive-error"); !strings.Contains(got, "3,650") {
			t.Errorf("under the days: %q", got)
		}
		if got := eval[string](t, ctx, `document.activeElement.id + " " + document.getElementById("campaign-seg-inactive").getAttribute("aria-invalid")`); got != "campaign-seg-inactive true" {
			t.Errorf("the focus and the field's state: %q", got)
		}
		shot(t, ctx, "console-campaign-refused-laptop-en")
		refused := a.net.requests("POST /v1/admin/campaigns")
		if len(refused) != 1 || refused[0].status != 422 || refused[0].idempotencyKey == "" {
			t.Fatalf("the refused campaign was sent as %+v, want once with an Idempotency-Key, answered 422", refused)
		}

		do(t, ctx, "send it to all of the segment", setValue("campaign-seg-inactive", ""), chromedp.Click(chromedp.ID("campaign-submit")))
		waitFor(t, ctx, "the campaign's report", `!document.getElementById("campaign").hidden && location.hash.startsWith("#campaigns/") && !location.hash.includes("new")`)
		sent := a.net.requests("POST /v1/admin/campaigns")
		if len(sent) != 1 || sent[0].status != 201 || sent[0].idempotencyKey == "" || sent[0].idempotencyKey == refused[0].idempotencyKey {
			t.Fatalf("the campaign was sent as %+v, want once with a new Idempotency-Key", sent)
		}
		if !strings.Contains(sent[0].body, `"segment":{"store":"paris-rivoli"}`) || !strings.Contains(sent[0].body, `"bonusPoints":50`) {
			t.Errorf("the campaign sent: %s", sent[0].body)
		}
		id = strings.TrimPrefix(eval[string](t, ctx, `location.hash`), "#campaigns/")
		// Once the fan-out's queue is idle, Refresh shows it sent.
		select {
		case <-a.st.Campaigns.Idle():
		case <-time.After(30 * time.Second):
			t.Fatal("the campaign's fan-out is not over after 30 s")
		}
		do(t, ctx, "refresh", chromedp.Click(chromedp.ID("campaign-refresh")))
		waitFor(t, ctx, "the campaign delivered", `document.querySelector("#campaign-figures [data-kpi=delivered] dd").textContent === "1" && document.querySelector("#campaigns-list tbody tr").textContent.includes("Sent") && document.getElementById("status").textContent.includes("Figures as of")`)
		figures := eval[string](t, ctx, `[...document.querySelectorAll("#campaign-figures div")].map(d => d.dataset.kpi + "=" + d.querySelector("dd").textContent).join(" ")`)
		if figures != "targeted=1 delivered=1 pushed=0 failed=0" {
			t.Errorf("the report reads %q, want Ada alone targeted and delivered (no phone to notify)", figures)
		}
		shot(t, ctx, "console-campaign-laptop-en")
	})
	if id == "" {
		t.FailNow()
	}
	report := api.mustAPI(t, "GET", "/v1/admin/campaigns/"+id, a.ownerKey, nil, 200)
	if report["targeted"] != 1.0 || report["delivered"] != 1.0 {
		t.Errorf("the API reports %v", report)
	}
	ada := api.mustAPI(t, "GET", "/v1/admin/members/"+a.ada.ID, a.ownerKey, nil, 200)
	if entry := ada["ledger"].([]any)[0].(map[string]any); entry["kind"] != "campaign" || entry["points"] != 50.0 {
		t.Errorf("Ada's newest entry %v, want the campaign's 50 points", entry)
	}

	for _, c := range talkSizes[1:] {
		t.Run("reads its report on a "+c.name, func(t *testing.T) {
			ctx := e.sized(t, c.name, c.lang)
			a.signIn(t, ctx, a.managerKey)
			do(t, ctx, "open the campaign", chromedp.Navigate(a.base+"/admin#campaigns/"+id))
			waitFor(t, ctx, "its report", `document.getElementById("campaign-heading").textContent === "Winter at Rivoli" && document.querySelector("#campaign-figures [data-kpi=delivered] dd")?.textContent === "1"`)
			facts := text(t, ctx, "campaign-facts")
			for _, want := range []string{"Paris Rivoli", "Hot chocolate", "Le chocolat chaud", "50"} {
				if !strings.Contains(facts, want) {
					t.Errorf("the campaign's facts %q lack %q", facts, want)
				}
			}
			fits(t, ctx, "the campaign's report")
			shot(t, ctx, "console-campaign-"+c.name)
		})
	}

	t.Run("sends it again with the same key after a lost answer", func(t *testing.T) {
		ctx := e.screen(t, "en-GB,en", 1280, 800, false)
		a.signIn(t, ctx, a.managerKey)
		do(t, ctx, "open a new campaign", chromedp.Navigate(a.base+"/admin#campaigns/new"))
		waitFor(t, ctx, "the form", `!document.getElementById("view-campaigns").hidden && document.activeElement.id === "campaign-form-heading"`)
		a.net.loseAnswers("POST /v1/admin/campaigns", 1)
		do(t, ctx, "send a campaign whose answer is lost", setValue("campaign-name", "Lost answer"), setValue("campaign-en", "Open late on Friday."),
			chromedp.Click(chromedp.ID("campaign-submit")))
		waitFor(t, ctx, "the page saying no answer came", `document.getElementById("campaign-error").textContent.includes("No answer")`)
		do(t, ctx, "send it again", chromedp.Click(chromedp.ID("campaign-submit")))
		waitFor(t, ctx, "its report", `document.getElementById("campaign-heading").textContent === "Lost answer" && !document.getElementById("campaign").hidden`)
		sent := a.net.requests("POST /v1/admin/campaigns")
		if len(sent) != 2 || sent[0].idempotencyKey == "" || sent[1].idempotencyKey != sent[0].idempotencyKey || sent[1].body != sent[0].body {
			t.Errorf("sent as %+v, want the same body and Idempotency-Key twice", sent)
		}
	})
}

// localInput sets a datetime-local field to now plus minutes, in the
// browser's time.
func localInput(id string, minutes int) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const d = new Date(Date.now() + %d * 60000); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); document.getElementById(%q).value = d.toISOString().slice(0, 16); })()`, minutes, id))
}

// TestConsolePromotion: a manager creates a promotion (told by the field
// when the multiplier is refused), sees it current beside one to come, and
// ends it with a confirmation.
func TestConsolePromotion(t *testing.T) {
	e := setup(t)
	a := audienceProgram(t)
	api := &env{base: a.base}
	api.mustAPI(t, "POST", "/v1/admin/promotions", a.ownerKey, map[string]any{
		"id": "spring-week", "name": map[string]any{"en": "Spring week", "fr": "Semaine du printemps"}, "multiplierPercent": 150,
		"startsAt": "2099-03-20T00:00:00Z", "endsAt": "2099-03-27T00:00:00Z",
	}, 201)

	t.Run("creates one", func(t *testing.T) {
		ctx := e.screen(t, "fr-FR,fr", 1280, 800, false)
		a.signIn(t, ctx, a.managerKey)
		do(t, ctx, "open the promotions", chromedp.Navigate(a.base+"/admin#promotions"))
		waitFor(t, ctx, "the one to come", `document.querySelector("#promotions-upcoming tbody")?.textContent.includes("Semaine du printemps")`)
		do(t, ctx, "a promotion that multiplies by 100 %",
			setValue("promotion-name", "Double points"), setValue("promotion-name-fr", "Points doublés"), setValue("promotion-percent", "100"),
			localInput("promotion-start", -1), localInput("promotion-end", 2*24*60),
			setValue("promotion-store", "paris-rivoli"), setValue("promotion-seg-tier", "bronze"),
			chromedp.Click(chromedp.ID("promotion-submit")))
		waitFor(t, ctx, "the refusal under the multiplier", `document.getElementById("promotion-percent-error").textContent.includes("101")`)
		if got := eval[string](t, ctx, `document.getElementById("promotion-id").value`); got != "double-points" {
			t.Errorf("the id made from the name is %q", got)
		}
		shot(t, ctx, "console-promotion-refused-laptop-fr")
		do(t, ctx, "double the points", setValue("promotion-percent", "200"), chromedp.Click(chromedp.ID("promotion-submit")))
		waitFor(t, ctx, "the promotion current", `document.getElementById("status").classList.contains("ok") && document.querySelector("#promotions-current tbody")?.textContent.includes("Points doublés")`)
		row := rowOf(t, ctx, "promotions-current", "Points doublés")
		if !strings.Contains(row, "200\u00a0%") || !strings.Contains(row, "Paris Rivoli") || !strings.Contains(row, "Niveau Bronze") {
			t.Errorf("the current promotion reads %q", row)
		}
		if eval[string](t, ctx, `document.getElementById("promotion-name").value`) != "" {
			t.Error("the form was not emptied")
		}
	})
	var found map[string]any
	for _, p := range api.mustAPI(t, "GET", "/v1/admin/promotions", a.ownerKey, nil, 200)["promotions"].([]any) {
		if p := p.(map[string]any); p["id"] == "double-points" {
			found = p
		}
	}
	if found == nil || found["multiplierPercent"] != 200.0 || found["storeId"] != "paris-rivoli" || fmt.Sprint(found["segment"]) != "map[tier:bronze]" || fmt.Sprint(found["name"]) != "map[en:Double points fr:Points doublés]" {
		t.Fatalf("the promotion saved is %v", found)
	}

	for _, c := range talkSizes {
		t.Run("lists them on a "+c.name, func(t *testing.T) {
			ctx := e.sized(t, c.name, c.lang)
			a.signIn(t, ctx, a.analystKey)
			do(t, ctx, "open the promotions", chromedp.Navigate(a.base+"/admin#promotions"))
			waitFor(t, ctx, "current and upcoming", `document.querySelectorAll("#promotions-current tbody tr").length === 1 && document.querySelectorAll("#promotions-upcoming tbody tr").length === 1`)
			fits(t, ctx, "the promotions")
			shot(t, ctx, "console-promotions-"+c.name)
		})
	}

	t.Run("ends one", func(t *testing.T) {
		ctx := e.phone390(t, "en-GB,en")
		a.signIn(t, ctx, a.managerKey)
		do(t, ctx, "open the promotions", chromedp.Navigate(a.base+"/admin#promotions"))
		waitFor(t, ctx, "the current one", `document.querySelectorAll("#promotions-current tbody button").length === 1`)
		do(t, ctx, "end it", chromedp.Click(chromedp.CSS("#promotions-current tbody button")))
		waitFor(t, ctx, "the confirmation", `document.getElementById("confirm").open`)
		if q := text(t, ctx, "confirm-text"); !strings.Contains(q, "Double points") {
			t.Errorf("the confirmation asks %q, without the promotion's name", q)
		}
		shot(t, ctx, "console-promotion-end-phone-en")
		do(t, ctx, "cancel", chromedp.Click(chromedp.ID("confirm-no")))
		waitFor(t, ctx, "the dialog closed", `!document.getElementById("confirm").open`)
		if rows := eval[int](t, ctx, `document.querySelectorAll("#promotions-current tbody tr").length`); rows != 1 {
			t.Fatalf("%d current promotions after cancelling", rows)
		}
		do(t, ctx, "end it", chromedp.Click(chromedp.CSS("#promotions-current tbody button")))
		waitFor(t, ctx, "the confirmation", `document.getElementById("confirm").open`)
		do(t, ctx, "confirm", chromedp.Click(chromedp.ID("confirm-yes")))
		waitFor(t, ctx, "the promotion ended", `document.getElementById("status").classList.contains("ok") && document.querySelector("#promotions-ended tbody")?.textContent.includes("Double points") && !document.querySelector("#promotions-current tbody")`)
		fits(t, ctx, "the promotions")
		shot(t, ctx, "console-promotion-ended-phone-en")
	})
	for _, p := range api.mustAPI(t, "GET", "/v1/admin/promotions", a.ownerKey, nil, 200)["promotions"].([]any) {
		if p := p.(map[string]any); p["id"] == "double-points" && p["endedAt"] == nil {
			t.Errorf("the promotion is not ended: %v", p)
		}
	}
}
