package apple

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf16"

	"github.com/smallstep/pkcs7"

	"github.com/fidelio/fidelio/shared/loyalty"
)

var update = flag.Bool("update", false, "rewrite testdata/pass.json from the build")

func TestBuiltPassIsOneWalletAccepts(t *testing.T) {
	pkpass, err := newTestBuilder(t).Build(testCard())
	if err != nil {
		t.Fatal(err)
	}
	files := unzipPass(t, pkpass)

	t.Run("every file but the manifest and signature is in the manifest with its SHA-1", func(t *testing.T) {
		var manifest map[string]string
		if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
			t.Fatal(err)
		}
		want := []string{"en.lproj/pass.strings", "fr.lproj/pass.strings", "icon.png", "icon@2x.png", "logo.png", "pass.json", "strip.png"}
		if got := slices.Sorted(maps.Keys(manifest)); !slices.Equal(got, want) {
			t.Fatalf("manifest lists %v, want %v", got, want)
		}
		for name, hash := range manifest {
			sum := sha1.Sum(files[name])
			if hex.EncodeToString(sum[:]) != hash {
				t.Errorf("%s hashes to %x, the manifest says %s", name, sum, hash)
			}
		}
		if len(files) != len(manifest)+2 {
			t.Errorf("the pass holds %d files, want the %d of the manifest plus manifest.json and signature", len(files), len(manifest))
		}
	})

	t.Run("the signature verifies against the development root with the Go verifier", func(t *testing.T) {
		p7 := parseSignature(t, files["signature"], files["manifest.json"])
		if err := p7.VerifyWithChain(devRoots(t)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the signature is SHA-256 with a signing time and carries the pass and WWDR certificates", func(t *testing.T) {
		p7 := parseSignature(t, files["signature"], files["manifest.json"])
		if len(p7.Signers) != 1 || !p7.Signers[0].DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA256) {
			t.Errorf("signers %+v, want one with SHA-256", p7.Signers)
		}
		var signingTime asn1.RawValue
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signingTime); err != nil {
			t.Errorf("no signing time: %v", err)
		}
		var names []string
		for _, c := range p7.Certificates {
			names = append(names, c.Subject.CommonName)
		}
		want := []string{"Pass Type ID: " + testPassTypeID, devSigner.WWDR.Subject.CommonName}
		if !slices.Equal(names, want) {
			t.Errorf("certificates %q, want %q", names, want)
		}
	})

	t.Run("openssl verifies the signature against the development root", func(t *testing.T) {
		if out, err := opensslVerify(t, files["signature"], files["manifest.json"]); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	})

	t.Run("a tampered manifest fails both verifiers", func(t *testing.T) {
		tampered := bytes.Replace(files["manifest.json"], []byte(`"icon.png":"`), []byte(`"icon.png":"0`), 1)
		if bytes.Equal(tampered, files["manifest.json"]) {
			t.Fatal("the manifest was not tampered with")
		}
		p7 := parseSignature(t, files["signature"], tampered)
		if err := p7.VerifyWithChain(devRoots(t)); err == nil {
			t.Error("the Go verifier accepted a tampered manifest")
		}
		if out, err := opensslVerify(t, files["signature"], tampered); err == nil {
			t.Errorf("openssl accepted a tampered manifest:\n%s", out)
		}
	})

	var pass map[string]any
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		t.Fatal(err)
	}
	card := testCard()

	t.Run("pass.json has the keys Wallet requires and a store card", func(t *testing.T) {
		want := map[string]any{
			"formatVersion":       1.0,
			"passTypeIdentifier":  testPassTypeID,
			"serialNumber":        card.Serial,
			"teamIdentifier":      testTeamID,
			"organizationName":    "Fidelio Coffee",
			"description":         "Fidelio Coffee loyalty card",
			"webServiceURL":       "https://api.fidelio.test/wallet",
			"authenticationToken": card.AuthenticationToken,
			"sharingProhibited":   true,
			"backgroundColor":     card.BackgroundColor,
		}
		for k, v := range want {
			if pass[k] != v {
				t.Errorf("%s = %v, want %v", k, pass[k], v)
			}
		}
		sc, ok := pass["storeCard"].(map[string]any)
		if !ok {
			t.Fatalf("storeCard is %T", pass["storeCard"])
		}
		for group, n := range map[string]int{"headerFields": 1, "primaryFields": 1, "secondaryFields": 2, "auxiliaryFields": 1, "backFields": 5} {
			if fields, _ := sc[group].([]any); len(fields) != n {
				t.Errorf("%s has %d fields, want %d", group, len(fields), n)
			}
		}
	})

	t.Run("the QR code carries the member code in ISO-8859-1 over the member number", func(t *testing.T) {
		codes, _ := pass["barcodes"].([]any)
		if len(codes) != 1 {
			t.Fatalf("barcodes = %v, want one", pass["barcodes"])
		}
		want := map[string]any{"format": "PKBarcodeFormatQR", "message": card.Code, "messageEncoding": "iso-8859-1", "altText": card.MemberNumber}
		if got := codes[0].(map[string]any); !maps.Equal(got, want) {
			t.Errorf("barcode %v, want %v", got, want)
		}
	})

	t.Run("a new tier is announced and a new balance is not", func(t *testing.T) {
		tier := findField(t, pass, "tier")
		if tier["changeMessage"] != "Congratulations! You have reached %@." || tier["value"] != "Gold" {
			t.Errorf("tier field %v, want value Gold and a congratulation", tier)
		}
		balance := findField(t, pass, "balance")
		if _, ok := balance["changeMessage"]; ok {
			t.Errorf("the balance has a changeMessage: %v", balance)
		}
		if balance["value"] != 12500.0 {
			t.Errorf("balance value %v, want the number 12500", balance["value"])
		}
	})

	t.Run("the back links the member page and the referral link, and lets Wallet detect the shop's phone and address", func(t *testing.T) {
		page := findField(t, pass, "page")
		if page["value"] != card.MemberPageURL || !strings.Contains(page["attributedValue"].(string), `<a href="https://fidelio.test/members/me?tab=points&amp;lang=en">`) {
			t.Errorf("member page field %v", page)
		}
		referral := findField(t, pass, "referral")
		if referral["value"] != card.ReferralURL || referral["attributedValue"] != `<a href="https://fidelio.test/?ref=4YTA840KYM">Share your link (code 4YTA840KYM)</a>` || referral["label"] != "Invite your friends" {
			t.Errorf("referral field %v", referral)
		}
		if terms := findField(t, pass, "terms"); fmt.Sprint(terms["dataDetectorTypes"]) != "[]" {
			t.Errorf("terms detect %v, want nothing", terms["dataDetectorTypes"])
		}
		if contact := findField(t, pass, "contact"); len(contact["dataDetectorTypes"].([]any)) != 3 {
			t.Errorf("contact detects %v, want phone numbers, links and addresses", contact["dataDetectorTypes"])
		}
	})

	t.Run("pass.strings in en and fr translate every localizable string of pass.json", func(t *testing.T) {
		keys := localizableStrings(pass)
		for lang, want := range map[string]map[string]string{
			"en": {"Tier": "Tier", "Gold": "Gold", "Member since": "Member since"},
			"fr": {"Tier": "Niveau", "Gold": "Or", "Member since": "Membre depuis",
				"Congratulations! You have reached %@.":                                   "Félicitations ! Vous avez atteint le niveau %@.",
				"Points expire 12 months after they are earned. 100 points buy a coffee.": "Les points expirent 12 mois après avoir été gagnés. 100 points offrent un café."},
		} {
			strs := parseStrings(t, files[lang+".lproj/pass.strings"])
			for _, k := range keys {
				if _, ok := strs[k]; !ok {
					t.Errorf("%s.lproj/pass.strings has no %q", lang, k)
				}
			}
			for k, v := range want {
				if strs[k] != v {
					t.Errorf("%s.lproj: %q = %q, want %q", lang, k, strs[k], v)
				}
			}
		}
	})
}

func TestPassJSONMatchesTheGoldenFile(t *testing.T) {
	pkpass, err := newTestBuilder(t).Build(testCard())
	if err != nil {
		t.Fatal(err)
	}
	got := unzipPass(t, pkpass)["pass.json"]
	golden := filepath.Join("testdata", "pass.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("pass.json differs from %s (run go test -update if the change is meant):\n%s", golden, got)
	}
}

func TestAMemberReadsTheCardInTheirLanguage(t *testing.T) {
	b := newTestBuilder(t)
	english := map[string]string{
		"since": "12 April 2023", "next": "1,350 pts to Platinum", "expiring": "250 points on 31 March 2026",
		"tier": "Gold", "tier label": "Tier", "change": "Congratulations! You have reached %@.",
		"terms":       "Points expire 12 months after they are earned. 100 points buy a coffee.",
		"contact":     "+33 1 23 45 67 89 · hello@fidelio.test · 12 rue de la Paix, 75002 Paris",
		"description": "Fidelio Coffee loyalty card",
	}
	french := map[string]string{
		"since": "12 avril 2023", "next": "Platine dans 1\u202f350 pts", "expiring": "250 points le 31 mars 2026",
		"tier": "Or", "tier label": "Niveau", "change": "Félicitations ! Vous avez atteint le niveau %@.",
		"terms":       "Les points expirent 12 mois après avoir été gagnés. 100 points offrent un café.",
		"contact":     "+33 1 23 45 67 89 · bonjour@fidelio.test · 12 rue de la Paix, 75002 Paris",
		"description": "Carte de fidélité Fidelio Coffee",
	}
	for _, tc := range []struct {
		name   string
		locale string
		want   map[string]string
	}{
		{"an English member reads English dates, tiers and thousands with commas", "en", english},
		{"a French member reads French dates, tiers, terms and thousands with narrow spaces", "fr", french},
		{"a member in France gets French too", "fr-FR", french},
		{"a member of a language the pass lacks gets English", "de-DE", english},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card := testCard()
			card.Locale = tc.locale
			pass, files := buildPass(t, b, card)
			tier := findField(t, pass, "tier")
			got := map[string]any{
				"since":    findField(t, pass, "since")["value"],
				"next":     findField(t, pass, "next")["value"],
				"expiring": findField(t, pass, "expiring")["value"],
				"tier":     tier["value"], "tier label": tier["label"], "change": tier["changeMessage"],
				"terms":       findField(t, pass, "terms")["value"],
				"contact":     findField(t, pass, "contact")["value"],
				"description": pass["description"],
			}
			for what, want := range tc.want {
				if got[what] != want {
					t.Errorf("%s = %q, want %q", what, got[what], want)
				}
			}
			// Whatever the keys, each device language reads its own words.
			for lang, want := range map[string]map[string]string{"en": english, "fr": french} {
				strs := parseStrings(t, files[lang+".lproj/pass.strings"])
				for _, what := range []string{"tier", "tier label", "change", "terms", "contact", "description"} {
					if key := tc.want[what]; strs[key] != want[what] {
						t.Errorf("%s.lproj translates %s %q to %q, want %q", lang, what, key, strs[key], want[what])
					}
				}
			}
		})
	}
}

func TestTheTierChangeMessageSaysWhetherTheTierRoseOrFell(t *testing.T) {
	b := newTestBuilder(t)
	for _, tc := range []struct {
		name           string
		locale         string
		previous, tier loyalty.Tier
		want           string
	}{
		{"a member who reaches Gold is congratulated", "en", loyalty.Silver, loyalty.Gold, "Congratulations! You have reached %@."},
		{"a refund that drops Platinum to Silver says so kindly", "en", loyalty.Platinum, loyalty.Silver, "Your card is now %@. Thank you for being a member."},
		{"a French member is congratulated in French", "fr", loyalty.Bronze, loyalty.Silver, "Félicitations ! Vous avez atteint le niveau %@."},
		{"a French member who falls is told in French", "fr", loyalty.Gold, loyalty.Bronze, "Votre carte est désormais au niveau %@. Merci de votre fidélité."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card := testCard()
			card.Locale, card.PreviousTier, card.Tier = tc.locale, tc.previous, tc.tier
			pass, _ := buildPass(t, b, card)
			if got := findField(t, pass, "tier")["changeMessage"]; got != tc.want {
				t.Errorf("changeMessage = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestATopTierMemberSeesTheTopReachedAndNoExpiry(t *testing.T) {
	card := testCard()
	card.Tier, card.NextTier, card.PointsToNextTier = "platinum", "", 0
	card.ExpiringPoints, card.ExpiringOn = 0, ""
	pass, files := buildPass(t, newTestBuilder(t), card)
	next := findField(t, pass, "next")
	if next["value"] != "Top tier" {
		t.Errorf("next tier field %v, want the localized top tier value", next)
	}
	if fr := parseStrings(t, files["fr.lproj/pass.strings"]); fr["Top tier"] != "Niveau maximal" {
		t.Errorf("fr.lproj translates the top tier to %q", fr["Top tier"])
	}
	if f := fieldByKey(pass, "expiring"); f != nil {
		t.Errorf("a member with nothing expiring has an expiry field %v", f)
	}
}

func TestBuildRefusesCardsWalletWouldNot(t *testing.T) {
	b := newTestBuilder(t)
	for _, tc := range []struct {
		name   string
		change func(*Card)
	}{
		{"a card without serial", func(c *Card) { c.Serial = "" }},
		{"an authentication token shorter than 16 characters", func(c *Card) { c.AuthenticationToken = "short" }},
		{"a card without member code", func(c *Card) { c.Code = "" }},
		{"a member code outside ISO-8859-1", func(c *Card) { c.Code = "F1.€" }},
		{"a card without tier", func(c *Card) { c.Tier = "" }},
		{"a malformed member-since date", func(c *Card) { c.MemberSince = "12/04/2023" }},
		{"expiring points without their day", func(c *Card) { c.ExpiringOn = "" }},
		{"a colour out of range", func(c *Card) { c.BackgroundColor = "rgb(300, 0, 0)" }},
		{"a colour in hex", func(c *Card) { c.LabelColor = "#ffffff" }},
		{"a relative member page URL", func(c *Card) { c.MemberPageURL = "/members/me" }},
		{"negative points to the next tier", func(c *Card) { c.PointsToNextTier = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card := testCard()
			tc.change(&card)
			if _, err := b.Build(card); !errors.Is(err, ErrInvalidCard) {
				t.Errorf("Build = %v, want ErrInvalidCard", err)
			}
		})
	}
}

func TestNewBuilderRefusesAProgramWalletWouldNot(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   error
	}{
		{"a pass type id the certificate is not for", func(c *Config) { c.PassTypeID = "pass.org.fidelio.other" }, ErrUnusableCertificate},
		{"a team id the certificate is not for", func(c *Config) { c.TeamID = "ZZZZZ99999" }, ErrUnusableCertificate},
		{"a pass type id without the pass. prefix", func(c *Config) { c.PassTypeID = "org.fidelio.test" }, nil},
		{"no organization name", func(c *Config) { c.OrganizationName = " " }, nil},
		{"a web service URL that is not absolute", func(c *Config) { c.WebServiceURL = "api.fidelio.test" }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			tc.change(&cfg)
			_, err := NewBuilder(cfg, devSigner, tierImages(t))
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("NewBuilder = %v, want an error (%v)", err, tc.want)
			}
		})
	}
}

func TestBuildRefusesImagesWalletWouldNot(t *testing.T) {
	png := tinyPNG(t, color.Black)
	for _, tc := range []struct {
		name   string
		images map[string][]byte
	}{
		{"no icon", map[string][]byte{"logo.png": png}},
		{"an image a store card does not use", map[string][]byte{"icon.png": png, "thumbnail.png": png}},
		{"a path instead of a name", map[string][]byte{"icon.png": png, "../logo.png": png}},
		{"a JPEG named .png", map[string][]byte{"icon.png": []byte("\xff\xd8\xff\xe0 not a png")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewBuilder(testConfig(), devSigner, func(string) (map[string][]byte, error) { return tc.images, nil })
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Build(testCard()); err == nil {
				t.Error("Build accepted the images")
			}
		})
	}
}

func TestEachTiersImagesAreFetchedOnce(t *testing.T) {
	var calls sync.Map
	images := tierImages(t)
	b, err := NewBuilder(testConfig(), devSigner, func(tier string) (map[string][]byte, error) {
		n, _ := calls.LoadOrStore(tier, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		return images(tier)
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			card := testCard()
			card.Tier = []loyalty.Tier{loyalty.Gold, loyalty.Silver}[i%2]
			if _, err := b.Build(card); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, tier := range []string{"gold", "silver"} {
		if n, ok := calls.Load(tier); !ok || n.(*atomic.Int32).Load() != 1 {
			t.Errorf("the images of %s were fetched %v times, want once", tier, n)
		}
	}
}

func TestAFailureToFetchImagesIsTriedAgain(t *testing.T) {
	fail := true
	images := tierImages(t)
	b, err := NewBuilder(testConfig(), devSigner, func(tier string) (map[string][]byte, error) {
		if fail {
			return nil, errors.New("bucket unreachable")
		}
		return images(tier)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(testCard()); err == nil {
		t.Fatal("Build succeeded without images")
	}
	fail = false
	if _, err := b.Build(testCard()); err != nil {
		t.Fatalf("Build after the source recovered: %v", err)
	}
}

// buildPass builds card and returns its pass.json decoded and its files.
func buildPass(t *testing.T, b *Builder, card Card) (map[string]any, map[string][]byte) {
	t.Helper()
	pkpass, err := b.Build(card)
	if err != nil {
		t.Fatal(err)
	}
	files := unzipPass(t, pkpass)
	var pass map[string]any
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		t.Fatal(err)
	}
	return pass, files
}

var fieldGroups = []string{"headerFields", "primaryFields", "secondaryFields", "auxiliaryFields", "backFields"}

func fieldByKey(pass map[string]any, key string) map[string]any {
	sc, _ := pass["storeCard"].(map[string]any)
	for _, group := range fieldGroups {
		fields, _ := sc[group].([]any)
		for _, f := range fields {
			if f := f.(map[string]any); f["key"] == key {
				return f
			}
		}
	}
	return nil
}

func findField(t *testing.T, pass map[string]any, key string) map[string]any {
	t.Helper()
	f := fieldByKey(pass, key)
	if f == nil {
		t.Fatalf("pass.json has no field %q", key)
	}
	return f
}

// localizableStrings returns the labels and change messages of pass.json,
// which are all keys of pass.strings.
func localizableStrings(pass map[string]any) []string {
	var keys []string
	sc, _ := pass["storeCard"].(map[string]any)
	for _, group := range fieldGroups {
		fields, _ := sc[group].([]any)
		for _, f := range fields {
			f := f.(map[string]any)
			for _, k := range []string{"label", "changeMessage"} {
				if s, ok := f[k].(string); ok {
					keys = append(keys, s)
				}
			}
		}
	}
	return keys
}

var stringsLine = regexp.MustCompile(`^("(?:[^"\\]|\\.)*") = ("(?:[^"\\]|\\.)*");$`)

// parseStrings reads a UTF-16 .strings file the way Foundation would.
func parseStrings(t *testing.T, b []byte) map[string]string {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
		t.Fatalf("pass.strings is not UTF-16LE with a byte order mark: % x", b[:min(len(b), 4)])
	}
	units := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		units = append(units, uint16(b[i])|uint16(b[i+1])<<8)
	}
	strs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(utf16.Decode(units))), "\n") {
		m := stringsLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("pass.strings line %q does not parse", line)
		}
		k, err1 := strconv.Unquote(m[1])
		v, err2 := strconv.Unquote(m[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("pass.strings line %q: %v %v", line, err1, err2)
		}
		if _, dup := strs[k]; dup {
			t.Fatalf("pass.strings defines %q twice", k)
		}
		strs[k] = v
	}
	return strs
}

func parseSignature(t *testing.T, signature, manifest []byte) *pkcs7.PKCS7 {
	t.Helper()
	p7, err := pkcs7.Parse(signature)
	if err != nil {
		t.Fatal(err)
	}
	p7.Content = manifest
	return p7
}

func devRoots(t *testing.T) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(devFile(devRootFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("root.pem holds no certificate")
	}
	return pool
}

// opensslVerify checks a signature the way a person would at a terminal. A
// machine without openssl fails the test rather than skip it: CI installs it.
func opensslVerify(t *testing.T, signature, manifest []byte) ([]byte, error) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl is needed to check signatures (apt-get install openssl): %v", err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"signature": signature, "manifest.json": manifest} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// -purpose any: a pass certificate's only extended key usage is Apple's
	// pass signing, which openssl does not know and would refuse for S/MIME.
	cmd := exec.Command(bin, "smime", "-verify", "-binary", "-inform", "DER",
		"-in", filepath.Join(dir, "signature"), "-content", filepath.Join(dir, "manifest.json"),
		"-CAfile", devFile(devRootFile), "-purpose", "any", "-out", os.DevNull)
	return cmd.CombinedOutput()
}

func TestNewsNotifiesAndGivingShowsOnTheBack(t *testing.T) {
	card := testCard()
	card.News, card.GivenThisYear = "Happy birthday, Ada! 100 points are yours.", 1250
	pass, _ := buildPass(t, newTestBuilder(t), card)
	news := findField(t, pass, "news")
	if news["value"] != card.News || news["changeMessage"] != "%@" {
		t.Errorf("news field %v; want the message, shown on the lock screen when it changes", news)
	}
	if given := findField(t, pass, "given"); given["value"] != float64(1250) {
		t.Errorf("given field %v", given)
	}
	plain, _ := buildPass(t, newTestBuilder(t), testCard())
	if fieldByKey(plain, "news") != nil || fieldByKey(plain, "given") != nil {
		t.Error("a card with no news and no gifts shows those fields")
	}
}
