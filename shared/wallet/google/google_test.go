package google_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

const issuer = "3388000000022222228"

var program = google.Program{
	IssuerName: "Fidelio Café", ProgramName: locale.Text{"Fidelio Rewards", "Fidélio Récompenses"}, LogoURL: "https://api.example/v1/wallet/logo.png",
	WideLogoURL: "https://api.example/v1/wallet/logo-wide.png",
	HeroURL:     func(tier string) string { return "https://api.example/v1/wallet/hero-" + tier + ".png" },
	Color:       func(tier string) string { return map[string]string{"bronze": "#8c5a3c", "silver": "#9aa3ad"}[tier] },
}

func newClient(t *testing.T) (*google.Client, *googletest.Server) {
	t.Helper()
	srv := googletest.New(t, issuer)
	c, err := google.NewClient(context.Background(), issuer, srv.URL, srv.KeyJSON)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func card(tier loyalty.Tier, balance int64) google.Card {
	return google.Card{Serial: "abc123serial", MemberNumber: "0000 1111 2222", Name: "Ada Lovelace", Tier: tier,
		Balance: balance, Code: "F1.K1.01M83XJ880G3SNSD86VQ1KAVWD.AAAA"}
}

// translations reads a LocalizedString as sent: language to text, the
// default value under "".
func translations(t *testing.T, v any) map[string]string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("localized string = %v", v)
	}
	def := m["defaultValue"].(map[string]any)
	out := map[string]string{"": def["value"].(string), def["language"].(string): def["value"].(string)}
	for _, tv := range m["translatedValues"].([]any) {
		tv := tv.(map[string]any)
		out[tv["language"].(string)] = tv["value"].(string)
	}
	return out
}

func TestAFrenchMembersCardIsFrenchAndTranslated(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	c.UpsertClass(ctx, c.Class(program, "gold"))
	fr := card(loyalty.Gold, 12500)
	fr.Language = locale.French
	fr.NextTier = locale.PointsToTier(1350, loyalty.Platinum)
	fr.Expiring, _ = locale.ExpiringOn(250, "2026-03-01")
	fr.MemberPage = "https://api.example/"
	if err := c.Sync(ctx, nil, fr); err != nil {
		t.Fatal(err)
	}
	obj := srv.Objects[issuer+".abc123serial"]
	points := obj["loyaltyPoints"].(map[string]any)
	if got := translations(t, points["localizedLabel"]); got[""] != "Points" || got["en"] != "Points" {
		t.Errorf("points label = %v", got)
	}
	want := map[string][2]map[string]string{
		"tier":      {{"": "Niveau", "fr": "Niveau", "en": "Tier"}, {"": "Or", "fr": "Or", "en": "Gold"}},
		"next-tier": {{"": "Niveau suivant", "en": "Next tier"}, {"": "Platine dans 1\u202f350 pts", "en": "1,350 pts to Platinum"}},
		"expiring":  {{"": "Points qui expirent", "en": "Points expiring"}, {"": "250 points le 1er mars 2026", "en": "250 points on 1 March 2026"}},
	}
	modules := obj["textModulesData"].([]any)
	if len(modules) != len(want) {
		t.Fatalf("text modules = %v", modules)
	}
	for _, m := range modules {
		m := m.(map[string]any)
		w := want[m["id"].(string)]
		if m["header"] != w[0][""] || m["body"] != w[1][""] {
			t.Errorf("module %s reads %q / %q, want %q / %q", m["id"], m["header"], m["body"], w[0][""], w[1][""])
		}
		for i, field := range []string{"localizedHeader", "localizedBody"} {
			got := translations(t, m[field])
			for lang, text := range w[i] {
				if got[lang] != text {
					t.Errorf("module %s %s in %q = %q, want %q", m["id"], field, lang, got[lang], text)
				}
			}
		}
	}
	link := obj["linksModuleData"].(map[string]any)["uris"].([]any)[0].(map[string]any)
	if got := translations(t, link["localizedDescription"]); link["description"] != "Votre espace membre" || got["en"] != "Your member page" {
		t.Errorf("member page link = %v", link)
	}
}

func TestTheCardCarriesTheReferralCodeAndLinkInTheMembersLanguage(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	c.UpsertClass(ctx, c.Class(program, "bronze"))
	fr := card(loyalty.Bronze, 50)
	fr.Language, fr.MemberPage = locale.French, "https://api.example/me/link"
	fr.ReferralCode, fr.ReferralURL = "4YTA840KYM", "https://api.example/?ref=4YTA840KYM"
	if err := c.Sync(ctx, nil, fr); err != nil {
		t.Fatal(err)
	}
	obj := srv.Objects[issuer+".abc123serial"]
	var text map[string]any
	for _, m := range obj["textModulesData"].([]any) {
		if m := m.(map[string]any); m["id"] == "referral" {
			text = m
		}
	}
	if text == nil {
		t.Fatalf("no referral text module in %v", obj["textModulesData"])
	}
	header, body := translations(t, text["localizedHeader"]), translations(t, text["localizedBody"])
	if text["header"] != "Parrainez vos proches" || header["en"] != "Invite your friends" ||
		!strings.Contains(body[""], "votre code 4YTA840KYM") || !strings.Contains(body["en"], "your code 4YTA840KYM") {
		t.Errorf("referral text module: %q / %q, in English %q / %q", text["header"], body[""], header["en"], body["en"])
	}
	uris := obj["linksModuleData"].(map[string]any)["uris"].([]any)
	if len(uris) != 2 {
		t.Fatalf("links = %v, want the member page and the referral link", uris)
	}
	link := uris[1].(map[string]any)
	if got := translations(t, link["localizedDescription"]); link["id"] != "referral" || link["uri"] != fr.ReferralURL ||
		link["description"] != "Partagez votre lien (code 4YTA840KYM)" || got["en"] != "Share your link (code 4YTA840KYM)" {
		t.Errorf("referral link = %v", link)
	}

	off := fr
	off.ReferralCode, off.ReferralURL = "", ""
	if err := c.Sync(ctx, &fr, off); err != nil {
		t.Fatal(err)
	}
	obj, _ = srv.Object(issuer + ".abc123serial")
	if uris := obj["linksModuleData"].(map[string]any)["uris"].([]any); len(uris) != 1 || len(obj["textModulesData"].([]any)) != 1 {
		t.Errorf("with referral off the card keeps links %v and text %v", uris, obj["textModulesData"])
	}
}

func TestTheTierMessageCongratulatesOnTheWayUpAndIsKindOnTheWayDown(t *testing.T) {
	for _, tc := range []struct {
		name         string
		lang         locale.Language
		from, to     loyalty.Tier
		header, body string
	}{
		{"up, in English", locale.English, loyalty.Bronze, loyalty.Silver, "Congratulations!", "Congratulations! You have reached Silver."},
		{"down after a refund, in English", locale.English, loyalty.Platinum, loyalty.Silver,
			"Your tier has changed", "Your card is now Silver. Thank you for being a member."},
		{"up, in French", locale.French, loyalty.Bronze, loyalty.Silver, "Félicitations !", "Félicitations ! Vous avez atteint le niveau Argent."},
		{"down, in French", locale.French, loyalty.Platinum, loyalty.Silver,
			"Votre niveau a changé", "Votre carte est désormais au niveau Argent. Merci de votre fidélité."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, srv := newClient(t)
			ctx := context.Background()
			c.UpsertClass(ctx, c.Class(program, tc.from))
			c.UpsertClass(ctx, c.Class(program, tc.to))
			prev, next := card(tc.from, 900), card(tc.to, 400)
			prev.Language, next.Language = tc.lang, tc.lang
			c.Sync(ctx, nil, prev)
			if err := c.Sync(ctx, &prev, next); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages[issuer+".abc123serial"]
			if len(msgs) != 1 {
				t.Fatalf("messages = %v, want one", msgs)
			}
			m := msgs[0]
			if m["header"] != tc.header || m["body"] != tc.body {
				t.Errorf("message %q / %q, want %q / %q", m["header"], m["body"], tc.header, tc.body)
			}
			other := locale.French
			if tc.lang == locale.French {
				other = locale.English
			}
			if got := translations(t, m["localizedBody"]); got[other.Code()] == "" || got[other.Code()] == tc.body {
				t.Errorf("message body has no translation into %s: %v", other.Code(), got)
			}
		})
	}
}

func TestClassUpsertIsIdempotent(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	for range 2 {
		if err := c.UpsertClass(ctx, c.Class(program, "bronze")); err != nil {
			t.Fatal(err)
		}
	}
	cl := srv.Classes[issuer+".fidelio-bronze"]
	if cl == nil || cl["reviewStatus"] != "UNDER_REVIEW" || cl["hexBackgroundColor"] != "#8c5a3c" || cl["wideProgramLogo"] == nil {
		t.Fatalf("class = %v", cl)
	}
	if name := translations(t, cl["localizedProgramName"]); cl["programName"] != "Fidelio Rewards" || name["en"] != "Fidelio Rewards" || name["fr"] != "Fidélio Récompenses" {
		t.Fatalf("the class names the program %q, localized %v; want the program's name in English and French", cl["programName"], name)
	}
	if got := strings.Join(srv.Calls, ","); got != "POST /walletobjects/v1/loyaltyClass,POST /walletobjects/v1/loyaltyClass,PUT /walletobjects/v1/loyaltyClass/"+issuer+".fidelio-bronze" {
		t.Fatalf("calls = %s; want insert, then insert refused with 409 and update", got)
	}
	noHero := program
	noHero.HeroURL = nil
	if err := c.UpsertClass(ctx, c.Class(noHero, "bronze")); err != nil {
		t.Fatal(err)
	}
	if hero, ok := srv.Classes[issuer+".fidelio-bronze"]["heroImage"]; ok {
		t.Errorf("an update without a hero image kept %v: an update replaces the class", hero)
	}
}

func TestObjectInsertSendsAZeroBalance(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	c.UpsertClass(ctx, c.Class(program, "bronze"))
	if err := c.Sync(ctx, nil, card("bronze", 0)); err != nil {
		t.Fatal(err)
	}
	obj := srv.Objects[issuer+".abc123serial"]
	if obj == nil || obj["loyaltyPoints"].(map[string]any)["balance"].(map[string]any)["int"] == nil {
		t.Fatalf("object = %v; a zero balance must be sent", obj)
	}
	if err := c.Sync(ctx, nil, card("bronze", 0)); err != nil {
		t.Fatalf("a second insert must become an update on 409: %v", err)
	}
}

func TestTierChangePatchesToTheNewClassAndNotifiesOnce(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	c.UpsertClass(ctx, c.Class(program, "bronze"))
	c.UpsertClass(ctx, c.Class(program, "silver"))
	bronze := card("bronze", 480)
	c.Sync(ctx, nil, bronze)
	before := srv.CallCount()
	silver := card("silver", 530)
	if err := c.Sync(ctx, &bronze, silver); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls[before:]
	if len(calls) != 2 || !strings.HasPrefix(calls[0], "PATCH ") || !strings.HasSuffix(calls[1], "/addMessage") {
		t.Fatalf("calls = %v; want one PATCH and one addMessage", calls)
	}
	if srv.Objects[issuer+".abc123serial"]["classId"] != issuer+".fidelio-silver" || len(srv.Messages[issuer+".abc123serial"]) != 1 {
		t.Fatalf("object = %v, messages = %v", srv.Objects[issuer+".abc123serial"], srv.Messages)
	}
	more := card("silver", 545)
	c.Sync(ctx, &silver, more)
	if len(srv.Messages[issuer+".abc123serial"]) != 1 {
		t.Fatal("a balance change sent a message")
	}
	if c.Sync(ctx, &more, more); srv.CallCount() != before+3 {
		t.Fatal("an unchanged card was sent again")
	}
}

func TestQuotaIsNotRetriedAndServerErrorsAre(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	c.UpsertClass(ctx, c.Class(program, "bronze"))
	c.Sync(ctx, nil, card("bronze", 10))
	id := c.ObjectID("abc123serial")
	for range googletest.Quota {
		if err := c.AddMessage(ctx, id, google.Message{ID: "m", Header: "h", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	before := srv.CallCount()
	if err := c.AddMessage(ctx, id, google.Message{ID: "m4", Header: "h", Body: "b"}); !errors.Is(err, google.ErrQuota) {
		t.Fatalf("fourth message today: err = %v, want ErrQuota", err)
	}
	if srv.CallCount() != before+1 {
		t.Fatalf("a quota refusal was retried: %d calls", srv.CallCount()-before)
	}
	srv.FailNext(503, 429)
	if err := c.PatchObject(ctx, c.Object(card("bronze", 20))); err != nil {
		t.Fatalf("503 then 429 then success: %v", err)
	}
}

func TestRefusedWrites(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	if err := c.InsertObject(ctx, c.Object(card("gold", 1))); err == nil || !strings.Contains(err.Error(), "404") && !errors.Is(err, google.ErrNotFound) {
		t.Fatalf("an object of a class that does not exist: %v", err)
	}
	bad := c.Class(program, "bronze")
	bad.ID = "999.other-issuer"
	if err := c.UpsertClass(ctx, bad); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("a class of another issuer: %v", err)
	}
	if err := c.PatchObject(ctx, c.Object(card("bronze", 1))); !errors.Is(err, google.ErrNotFound) {
		t.Fatalf("patching an object that was never inserted: %v", err)
	}
}

func TestSaveLink(t *testing.T) {
	c, srv := newClient(t)
	url, err := c.SaveURL(c.ObjectID("abc123serial"), []string{"https://fidelio.example"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, google.SaveURLPrefix) || len(url) > 1000 {
		t.Fatalf("save link (%d chars) = %s", len(url), url)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(strings.TrimPrefix(url, google.SaveURLPrefix), claims, func(*jwt.Token) (any, error) { return srv.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience("google"))
	if err != nil {
		t.Fatalf("the link's JWT does not verify with the key's public half: %v", err)
	}
	objs := claims["payload"].(map[string]any)["loyaltyObjects"].([]any)
	if claims["typ"] != "savetowallet" || len(objs) != 1 || len(objs[0].(map[string]any)) != 1 {
		t.Fatalf("claims = %v; want a skinny JWT naming one object by id", claims)
	}
}

func TestNewClientRefusesBadSettings(t *testing.T) {
	srv := googletest.New(t, issuer)
	if _, err := google.NewClient(context.Background(), "abc", srv.URL, srv.KeyJSON); err == nil {
		t.Error("a non-numeric issuer id was accepted")
	}
	if _, err := google.NewClient(context.Background(), issuer, srv.URL, []byte(`{}`)); err == nil {
		t.Error("an empty key was accepted")
	}
}

func TestTheStandInRefusesBodiesGoogleWould(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	if err := c.UpsertClass(ctx, c.Class(program, "bronze")); err != nil {
		t.Fatal(err)
	}
	relative := card("bronze", 1)
	relative.MemberPage = "/"
	if err := c.InsertObject(ctx, c.Object(relative)); err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "URIs must have a scheme") {
		t.Errorf("an object linking to %q: %v, want a 400 saying URIs must have a scheme", relative.MemberPage, err)
	}
	huge := card("bronze", 1<<31)
	if err := c.InsertObject(ctx, c.Object(huge)); err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "TYPE_INT32") {
		t.Errorf("a balance beyond an int32: %v, want a 400", err)
	}
	noLogo := program
	noLogo.LogoURL = ""
	if err := c.UpsertClass(ctx, c.Class(noLogo, "silver")); err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "programLogo") {
		t.Errorf("a class without its logo: %v, want a 400 saying programLogo is required", err)
	}
	if obj, _ := srv.Object(c.ObjectID(relative.Serial)); len(obj) != 0 {
		t.Errorf("a refused object was stored: %v", obj)
	}
}
