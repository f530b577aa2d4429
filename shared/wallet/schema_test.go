package wallet

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// schemaNow is the day of the sample cards: a member's birthday present, an
// expiry within the notice period and this year's gifts are dated from it.
var schemaNow = time.Date(2027, time.March, 15, 12, 0, 0, 0, time.UTC)

// sampleAccounts are the accounts whose cards the schema tests check: each
// tier, a birthday greeting, points about to expire, gifts this year, and
// the longest French name a member may have.
func sampleAccounts() map[string]loyalty.Account {
	today := loyalty.DateOf(schemaNow)
	member := func(id, name, locale string, tier loyalty.Tier, balance int64) loyalty.Member {
		return loyalty.Member{
			ID: id, Serial: id, Name: name, Locale: locale, TimeZone: "Europe/Paris",
			Tier: tier, ReviewedTier: tier, Balance: balance, CreatedAt: schemaNow.AddDate(-1, 0, 0),
			Qualifying: map[string]int64{today.String(): balance},
		}
	}
	accounts := map[string]loyalty.Account{}
	for i, t := range loyalty.Tiers {
		id := "01J9Z3F4QK8W6T2N5R7Y0X1B3" + string(rune('A'+i))
		accounts["tier "+string(t)] = loyalty.Account{Member: member(id, "Ada Lovelace", "en", t, int64(i)*1500)}
	}
	birthday := member("01J9Z3F4QK8W6T2N5R7Y0X1B3E", "Aiko Tanaka", "en", loyalty.Silver, 600)
	birthday.Birthday, birthday.LastBirthdayYear = loyalty.Date{Year: 1990, Month: time.March, Day: 15}, 2027
	present := &loyalty.News{ID: "auto/birthday/2027", Auto: &loyalty.AutoNews{Kind: loyalty.AutoBirthday, Points: 100}, At: schemaNow.Add(-10 * time.Hour)}
	birthday.News = present
	accounts["a birthday greeting"] = loyalty.Account{Member: birthday}
	expiring := member("01J9Z3F4QK8W6T2N5R7Y0X1B3F", "Grace Hopper", "en", loyalty.Gold, 2400)
	expiring.Giving = loyalty.Giving{Year: 2027, Points: 1250}
	accounts["points expiring and gifts this year"] = loyalty.Account{Member: expiring,
		Lots: []loyalty.Lot{{ExpiresOn: today.AddDays(10), Remaining: 250}, {ExpiresOn: today.AddDays(300), Remaining: 2150}}}
	long := "Marie-Éléonore Françoise de La Tour d'Auvergne-Lauraguais de Montmorency-Laval Saint-Cœur"
	long += strings.Repeat("é", 100-len([]rune(long)))
	french := member("01J9Z3F4QK8W6T2N5R7Y0X1B3G", long, "fr-FR", loyalty.Platinum, 123456)
	french.Birthday, french.LastBirthdayYear, french.News = loyalty.Date{Year: 1985, Month: time.March, Day: 12}, 2027, present
	accounts["a French member with the longest name"] = loyalty.Account{Member: french,
		Lots: []loyalty.Lot{{ExpiresOn: today.AddDays(20), Remaining: 1000}}}
	return accounts
}

// sampleShows is some of what each sample card must show, so that the
// schema is checked on the fields the sample is for.
var sampleShows = map[string][]string{
	"a birthday greeting":                   {"Happy birthday, Aiko!"},
	"points expiring and gifts this year":   {`"key": "expiring"`, `"key": "given"`, `"relevantText": "Shop 1 is nearby`, `"maxDistance": 100`},
	"a French member with the longest name": {"Joyeux anniversaire, Marie-Éléonore", "Saint-Cœur", `"key": "expiring"`},
}

// testCards are the cards of a program with a development pass certificate.
// The pass type and team the test cards are signed for.
const passTypeID, teamID = "pass.org.fidelio.test", "ABCDE12345"

func testCards(t *testing.T) *Cards {
	t.Helper()
	codes, err := signing.NewSigner(signing.NewKeySpec("K1"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := apple.DevChain(t.TempDir(), passTypeID, teamID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	assets := &design.Assets{}
	builder, err := apple.NewBuilder(apple.Config{
		PassTypeID: passTypeID, TeamID: teamID, OrganizationName: "Fidelio Coffee",
		Description:   locale.Text{"Fidelio Coffee loyalty card", "Carte de fidélité Fidelio Coffee"},
		LogoText:      "Fidelio Coffee",
		WebServiceURL: "https://api.fidelio.test/wallet",
		Terms:         locale.Text{"Points expire 12 months after they are earned.", "Les points expirent 12 mois après avoir été gagnés."},
		Contact:       locale.Text{"+33 1 23 45 67 89 · hello@fidelio.test", "+33 1 23 45 67 89 · bonjour@fidelio.test"},
	}, signer, AppleImages(assets))
	if err != nil {
		t.Fatal(err)
	}
	return &Cards{Codes: codes, Assets: assets, Apple: builder,
		ProgramName: "Fidelio Coffee", PublicURL: "https://api.fidelio.test"}
}

func TestEveryPassJSONFollowsPasskitGeneratorsSchema(t *testing.T) {
	cards := testCards(t)
	cards.Shops = chain{}
	dir := t.TempDir()
	// The apple package's golden pass.json, which its tests hold the builder
	// to, is checked too.
	files := []string{filepath.Join("apple", "testdata", "pass.json")}
	for name, acct := range sampleAccounts() {
		pkpass, err := cards.ApplePass(t.Context(), acct, loyalty.DefaultRules(), schemaNow)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pass := passJSONOf(t, pkpass)
		for _, want := range sampleShows[name] {
			if !bytes.Contains(pass, []byte(want)) {
				t.Errorf("the pass of %s does not show %q", name, want)
			}
		}
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
		if err := os.WriteFile(file, pass, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	if out, err := validatePassJSON(t, files...); err != nil {
		t.Fatalf("passkit-generator's schema refuses pass.json: %v\n%s", err, out)
	}

	t.Run("and the check fails on a pass.json that breaks it", func(t *testing.T) {
		var pass map[string]any
		if b, err := os.ReadFile(files[0]); err != nil || json.Unmarshal(b, &pass) != nil {
			t.Fatalf("%s: %v", files[0], err)
		}
		pass["formatVersion"], pass["backgroundColour"] = "1", "red"
		broken, err := json.Marshal(pass)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "broken.json")
		if err := os.WriteFile(file, broken, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := validatePassJSON(t, file)
		for _, want := range []string{`"formatVersion" must be a number`, `"backgroundColour" is not allowed`} {
			if err == nil || !strings.Contains(string(out), want) {
				t.Errorf("validate.mjs answered %v, %q; want a failure saying %s", err, out, want)
			}
		}
	})
}

func TestEveryGoogleBodyFollowsTheDiscoverySchema(t *testing.T) {
	// The stand-in refuses, with Google's 400, any class, object or message
	// that Google's walletobjects v1 discovery document does not allow.
	srv := googletest.New(t, "3388000000022222228")
	ctx := context.Background()
	client, err := google.NewClient(ctx, srv.IssuerID, srv.URL, srv.KeyJSON)
	if err != nil {
		t.Fatal(err)
	}
	cards := testCards(t)
	cards.Google = &GoogleWallet{Client: client}
	rules := loyalty.DefaultRules()
	for name, acct := range sampleAccounts() {
		t.Run(name, func(t *testing.T) {
			// The save link inserts every tier's class and the object.
			if _, err := cards.GoogleSaveURL(ctx, acct, rules, schemaNow, cards.PublicURL); err != nil {
				t.Fatalf("insert: %v", err)
			}
			// A tier change patches the object and sends a message.
			before := acct
			before.Member.Tier = loyalty.Bronze
			if acct.Member.Tier == loyalty.Bronze {
				before.Member.Tier = loyalty.Silver
			}
			prev := cards.GoogleCard(before, rules, schemaNow, cards.PublicURL)
			if err := client.Sync(ctx, &prev, cards.GoogleCard(acct, rules, schemaNow, cards.PublicURL)); err != nil {
				t.Fatalf("tier change: %v", err)
			}
			if _, messages := srv.Object(client.ObjectID(acct.Member.Serial)); messages != 1 {
				t.Errorf("the card has %d messages, want the tier change's", messages)
			}
		})
	}
	if len(srv.Classes) != len(loyalty.Tiers) {
		t.Errorf("%d classes were written, want one per tier", len(srv.Classes))
	}
}

// validatePassJSON runs testdata/passkit/validate.mjs on files. Node and the
// locked passkit-generator are needed, never skipped: `make test` installs
// both.
func validatePassJSON(t *testing.T, files ...string) ([]byte, error) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to check pass.json against passkit-generator's schema (make tools): %v", err)
	}
	const pkg = "testdata/passkit"
	if _, err := os.Stat(filepath.Join(pkg, "node_modules", "passkit-generator", "package.json")); err != nil {
		t.Fatalf("passkit-generator is not installed (make test installs it, or npm ci --prefix shared/wallet/%s): %v", pkg, err)
	}
	return exec.Command(node, append([]string{filepath.Join(pkg, "validate.mjs")}, files...)...).CombinedOutput()
}

// passJSONOf returns the pass.json of a .pkpass.
func passJSONOf(t *testing.T, pkpass []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkpass), int64(len(pkpass)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open("pass.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
