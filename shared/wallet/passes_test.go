package wallet

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/design"
)

// testMember is a member who joined on 12 April 2026.
func testMember(tier loyalty.Tier, locale string) loyalty.Member {
	return loyalty.Member{ID: "01J9Z3F4QK8W6T2N5R7Y0X1B3C", Serial: "01J9Z3F4QK8W6T2N5R7Y0X1B3C", Name: "Ada Lovelace",
		Tier: tier, Balance: 12500, Locale: locale, CreatedAt: time.Date(2026, 4, 12, 9, 0, 0, 0, time.UTC)}
}

// unzip returns the files of a pass by name.
func unzip(t *testing.T, pkpass []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkpass), int64(len(pkpass)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	return files
}

// passField returns the field of pass.json with key.
func passField(t *testing.T, pkpass []byte, key string) map[string]any {
	t.Helper()
	data := unzip(t, pkpass)["pass.json"]
	var pass struct {
		StoreCard map[string][]map[string]any `json:"storeCard"`
	}
	if err := json.Unmarshal(data, &pass); err != nil {
		t.Fatal(err)
	}
	for _, fields := range pass.StoreCard {
		for _, field := range fields {
			if field["key"] == key {
				return field
			}
		}
	}
	t.Fatalf("pass.json has no field %q", key)
	return nil
}

func TestAPassAfterAFallSaysSoKindly(t *testing.T) {
	cards := testCards(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name           string
		previous, tier loyalty.Tier
		locale, value  string
		change         string
	}{
		{"a refund drops Platinum to Silver", loyalty.Platinum, loyalty.Silver, "en", "Silver", "Your card is now %@. Thank you for being a member."},
		{"a French member reaches Gold", loyalty.Silver, loyalty.Gold, "fr", "Or", "Félicitations ! Vous avez atteint le niveau %@."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMember(tc.tier, tc.locale)
			m.PreviousTier = tc.previous
			pkpass, err := cards.ApplePass(t.Context(), loyalty.Account{Member: m}, loyalty.DefaultRules(), now)
			if err != nil {
				t.Fatal(err)
			}
			if f := passField(t, pkpass, "tier"); f["value"] != tc.value || f["changeMessage"] != tc.change {
				t.Errorf("tier field %v, want %q with change message %q", f, tc.value, tc.change)
			}
		})
	}
}

func TestThePreviewIsTheFrontOfThePassInTheMembersLanguage(t *testing.T) {
	cards := testCards(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	shots := os.Getenv("FIDELIO_SHOTS")
	for _, tc := range []struct {
		locale  string
		primary design.Field
		row     []string
	}{
		{"en", design.Field{Label: "Tier", Value: "Silver"}, []string{"Member", "Member since", "Next tier"}},
		{"fr", design.Field{Label: "Niveau", Value: "Argent"}, []string{"Membre", "Membre depuis", "Niveau suivant"}},
	} {
		t.Run("in "+tc.locale, func(t *testing.T) {
			card, err := cards.previewCard(cards.Assets, loyalty.Account{Member: testMember(loyalty.Silver, tc.locale)}, loyalty.DefaultRules(), now)
			if err != nil {
				t.Fatal(err)
			}
			var row []string
			for _, f := range card.Row {
				row = append(row, f.Label)
			}
			if card.Primary != tc.primary || !slices.Equal(row, tc.row) || card.AltText != testMember(loyalty.Silver, "en").Number() {
				t.Errorf("preview = %+v, want the pass's front: %v over the strip, %v under it, the member number under the QR code", card, tc.primary, tc.row)
			}
		})
	}
	if shots == "" {
		return
	}
	// A shop's own logo: a wide red and white mark.
	shop := image.NewRGBA(image.Rect(0, 0, 480, 160))
	for y := range 160 {
		for x := range 480 {
			c := color.RGBA{200, 30, 40, 255}
			if (x/40+y/40)%2 == 0 {
				c = color.RGBA{255, 255, 255, 255}
			}
			shop.Set(x, y, c)
		}
	}
	shopPNG, _ := design.PNG(shop)
	branded := testCards(t)
	branded.Assets.LogoPNG = shopPNG
	for name, img := range map[string]func() ([]byte, error){
		"google-logo-shop.png":      branded.Assets.GoogleLogo,
		"google-logo-wide-shop.png": branded.Assets.WideLogo,
		"icon@3x-shop.png":          func() ([]byte, error) { return branded.Assets.Icon(3) },
		"logo@3x-shop.png":          func() ([]byte, error) { return branded.Assets.Logo(3) },
		"card-gold-fr-shop.png": func() ([]byte, error) {
			return branded.Preview(t.Context(), loyalty.Account{Member: testMember(loyalty.Gold, "fr")}, loyalty.DefaultRules(), now)
		},
	} {
		b, err := img()
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, name), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tier := range loyalty.Tiers {
		for _, lang := range []string{"en", "fr"} {
			m := testMember(tier, lang)
			m.Balance = 1234
			png, err := cards.Preview(t.Context(), loyalty.Account{Member: m}, loyalty.DefaultRules(), now)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("card-%s-%s.png", tier, lang)), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestGoogleGetsTheSquareMarkAsProgramLogoAndAWideOne(t *testing.T) {
	cards := testCards(t)
	for name, want := range map[string]image.Point{"logo.png": {660, 660}, "logo-wide.png": {1280, 400}} {
		b, err := cards.Image(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || image.Pt(cfg.Width, cfg.Height) != want {
			t.Errorf("%s is %dx%d, %v; want %v", name, cfg.Width, cfg.Height, err, want)
		}
	}
}

// TestTheOperatorsTextsReachTheCards: the name, terms and contact the
// operator set are on the pass (in the member's language, translated by its
// pass.strings) and on the Google card; before any, the deployment's.
func TestTheOperatorsTextsReachTheCards(t *testing.T) {
	cards := testCards(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	rules := loyalty.DefaultRules()
	rules.Name = loyalty.Texts{EN: "Light Café", FR: "Café Lumière"}
	rules.Terms = loyalty.Texts{EN: "Points have no cash value.", FR: "Les points n'ont pas de valeur monétaire."}
	rules.Contact = loyalty.Texts{EN: "Ask at the till."}
	pkpass, err := cards.ApplePass(t.Context(), loyalty.Account{Member: testMember(loyalty.Gold, "fr")}, rules, now)
	if err != nil {
		t.Fatal(err)
	}
	if f := passField(t, pkpass, "terms"); f["value"] != rules.Terms.FR {
		t.Errorf("terms on a French member's pass: %v", f)
	}
	if f := passField(t, pkpass, "contact"); f["value"] != rules.Contact.EN {
		t.Errorf("contact, written in English only: %v", f)
	}
	files := unzip(t, pkpass)
	var pass struct{ LogoText, Description string }
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		t.Fatal(err)
	}
	if pass.LogoText != "Café Lumière" || pass.Description != "Carte de fidélité Café Lumière" {
		t.Errorf("logo text %q and description %q, want the French name", pass.LogoText, pass.Description)
	}
	if en := utf16Text(files["en.lproj/pass.strings"]); !bytes.Contains([]byte(en), []byte(`"Les points n'ont pas de valeur monétaire." = "Points have no cash value.";`)) {
		t.Errorf("en.lproj/pass.strings does not translate the terms:\n%s", en)
	}

	plain, err := cards.ApplePass(t.Context(), loyalty.Account{Member: testMember(loyalty.Gold, "en")}, loyalty.DefaultRules(), now)
	if err != nil {
		t.Fatal(err)
	}
	if f := passField(t, plain, "terms"); f["value"] == rules.Terms.EN {
		t.Errorf("a program without texts shows the operator's terms of another: %v", f)
	}

	g := cards.GoogleCard(loyalty.Account{Member: testMember(loyalty.Gold, "en")}, rules, now, "https://api.example")
	if g.Terms.In(0) != rules.Terms.EN || g.Contact.In(1) != rules.Contact.EN {
		t.Errorf("Google card terms %v, contact %v", g.Terms, g.Contact)
	}
}

// utf16Text reads a UTF-16LE strings file with its byte order mark.
func utf16Text(b []byte) string {
	var runes []rune
	for i := 2; i+1 < len(b); i += 2 {
		runes = append(runes, rune(uint16(b[i])|uint16(b[i+1])<<8))
	}
	return string(runes)
}
