package apple

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/wallet/locale"
)

const (
	testPassTypeID = "pass.org.fidelio.test"
	testTeamID     = "ABCDE12345"
)

// devDir and devSigner are one development chain for the whole package:
// generating RSA keys is the slow part of these tests.
var (
	devDir    string
	devSigner Signer
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "apple-devchain-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	devDir = dir
	if devSigner, err = DevChain(dir, testPassTypeID, testTeamID, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func testConfig() Config {
	return Config{
		PassTypeID:       testPassTypeID,
		TeamID:           testTeamID,
		OrganizationName: "Fidelio Coffee",
		Description:      locale.Text{"Fidelio Coffee loyalty card", "Carte de fidélité Fidelio Coffee"},
		LogoText:         "Fidelio Coffee",
		WebServiceURL:    "https://api.fidelio.test/wallet",
		Terms: locale.Text{"Points expire 12 months after they are earned. 100 points buy a coffee.",
			"Les points expirent 12 mois après avoir été gagnés. 100 points offrent un café."},
		Contact: locale.Text{"+33 1 23 45 67 89 · hello@fidelio.test · 12 rue de la Paix, 75002 Paris",
			"+33 1 23 45 67 89 · bonjour@fidelio.test · 12 rue de la Paix, 75002 Paris"},
	}
}

// testCard is the card of the golden file: change it and run the tests with
// -update.
func testCard() Card {
	return Card{
		Serial:              "01J9Z3F4QK8W6T2N5R7Y0X1B3C",
		AuthenticationToken: "tok_0123456789abcdef0123",
		MemberNumber:        "FM-4821-7730",
		Name:                "Ada Lovelace",
		Tier:                "gold",
		Balance:             12500,
		NextTier:            "platinum",
		PointsToNextTier:    1350,
		MemberSince:         "2023-04-12",
		ExpiringPoints:      250,
		ExpiringOn:          "2026-03-31",
		Code:                "F1.K1.01J9Z3F4QK8W6T2N5R7Y0X1B3C.MZXW6YTBOI",
		Locale:              "en",
		MemberPageURL:       "https://fidelio.test/members/me?tab=points&lang=en",
		ReferralURL:         "https://fidelio.test/?ref=4YTA840KYM",
		ReferralCode:        "4YTA840KYM",
		BackgroundColor:     "rgb(191, 149, 63)",
		ForegroundColor:     "rgb(255, 255, 255)",
		LabelColor:          "rgb(60, 40, 10)",
	}
}

// tinyPNG encodes a one-pixel image of colour c.
func tinyPNG(t testing.TB, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, c)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tierImages returns a distinct set of tiny images for each tier.
func tierImages(t testing.TB) func(tier string) (map[string][]byte, error) {
	t.Helper()
	return func(tier string) (map[string][]byte, error) {
		shade := uint8(len(tier) * 20)
		return map[string][]byte{
			"icon.png":    tinyPNG(t, color.RGBA{shade, 0, 0, 255}),
			"icon@2x.png": tinyPNG(t, color.RGBA{shade, 1, 0, 255}),
			"logo.png":    tinyPNG(t, color.RGBA{shade, 2, 0, 255}),
			"strip.png":   tinyPNG(t, color.RGBA{shade, 3, 0, 255}),
		}, nil
	}
}

func newTestBuilder(t testing.TB) *Builder {
	t.Helper()
	b, err := NewBuilder(testConfig(), devSigner, tierImages(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unzipPass returns the files of a .pkpass by name, read from the local
// headers as Android's streaming readers do.
func unzipPass(t testing.TB, pkpass []byte) map[string][]byte {
	t.Helper()
	_, files, err := readLocalHeaders(pkpass)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func devFile(name string) string { return filepath.Join(devDir, name) }
