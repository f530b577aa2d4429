package wallet

import (
	"bytes"
	"context"
	"errors"
	"image"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// logoStore is the store another instance saves a logo to; it counts what
// this instance reads.
type logoStore struct {
	mu                 sync.Mutex
	png                []byte
	fail               error
	versionReads, logo int
}

func (s *logoStore) save(png []byte) { s.mu.Lock(); s.png = png; s.mu.Unlock() }

func (s *logoStore) Logo(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logo++
	return s.png, s.fail
}

func (s *logoStore) LogoVersion(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versionReads++
	return store.LogoVersion(s.png), s.fail
}

func (s *logoStore) reads() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.versionReads, s.logo
}

// clock is a clock the test moves.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func shopLogo(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 100))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+3] = shade, 40, 0xff
	}
	b, err := design.PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestANewLogoReachesPassesPreviewsAndGoogleWithinTheTTL(t *testing.T) {
	ctx := context.Background()
	shop := &logoStore{}
	clk := &clock{now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	base := testCards(t)
	srv := googletest.New(t, "3388000000022222228")
	client, err := google.NewClient(ctx, "3388000000022222228", srv.URL, srv.KeyJSON)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := apple.DevChain(t.TempDir(), passTypeID, "ABCDE12345", clk.now)
	if err != nil {
		t.Fatal(err)
	}
	branding, err := NewBranding(ctx, &Branding{Store: shop, Now: clk.Now, ProgramName: "Fidelio Café", Logger: slog.New(slog.DiscardHandler),
		NewApple: func(a *design.Assets) (*apple.Builder, error) {
			return apple.NewBuilder(apple.Config{PassTypeID: passTypeID, TeamID: "ABCDE12345", OrganizationName: "Fidelio Café",
				Description: locale.Text{"Fidelio Café loyalty card"}}, signer, AppleImages(a))
		}})
	if err != nil {
		t.Fatal(err)
	}
	cards := &Cards{Codes: base.Codes, Branding: branding, Google: &GoogleWallet{Client: client}, ProgramName: "Fidelio Café"}
	acct := loyalty.Account{Member: testMember(loyalty.Gold, "fr")}

	// What this instance shows: the pass's logo, the preview, Google's
	// programLogo and the logo URL of Google's classes.
	type shown struct {
		passLogo, preview, googleLogo []byte
		classLogo                     string
	}
	look := func() shown {
		t.Helper()
		pkpass, err := cards.ApplePass(ctx, acct, loyalty.DefaultRules(), clk.now)
		if err != nil {
			t.Fatal(err)
		}
		preview, err := cards.Preview(ctx, acct, loyalty.DefaultRules(), clk.now)
		if err != nil {
			t.Fatal(err)
		}
		googleLogo, err := cards.Image(ctx, "logo.png")
		if err != nil {
			t.Fatal(err)
		}
		if err := cards.EnsureClasses(ctx, "https://api.example", loyalty.DefaultRules()); err != nil {
			t.Fatal(err)
		}
		class := srv.Classes["3388000000022222228.fidelio-gold"]
		return shown{unzip(t, pkpass)["logo.png"], preview, googleLogo, class["programLogo"].(map[string]any)["sourceUri"].(map[string]any)["uri"].(string)}
	}
	expect := func(what string, got shown, logo []byte) {
		t.Helper()
		want := &design.Assets{LogoPNG: logo}
		passLogo, _ := want.Logo(1)
		googleLogo, _ := want.GoogleLogo()
		if !bytes.Equal(got.passLogo, passLogo) || !bytes.Equal(got.googleLogo, googleLogo) {
			t.Errorf("%s: the pass or Google's logo is not the one saved", what)
		}
		if v := store.LogoVersion(logo); v != "" && !strings.HasSuffix(got.classLogo, "?v="+v) {
			t.Errorf("%s: Google's classes show %s, not logo version %s", what, got.classLogo, v)
		}
	}

	before := look()
	expect("at start", before, nil)
	first := shopLogo(t, 200)
	shop.save(first) // by an admin, on another instance

	clk.now = clk.now.Add(LogoTTL - time.Second)
	if got := look(); !bytes.Equal(got.preview, before.preview) {
		t.Error("the logo changed before the TTL was up")
	}
	if versions, logos := shop.reads(); versions != 0 || logos != 1 {
		t.Errorf("within the TTL the store was read %d times for the version and %d for the logo; want none after the start", versions, logos)
	}

	clk.now = clk.now.Add(2 * time.Second)
	after := look()
	expect("after the TTL", after, first)
	if bytes.Equal(after.preview, before.preview) {
		t.Error("the preview still shows the previous logo")
	}
	if versions, logos := shop.reads(); versions != 1 || logos != 2 {
		t.Errorf("the check read the version %d times and the logo %d times; want 1 and 2 (one at start)", versions, logos)
	}

	clk.now = clk.now.Add(LogoTTL + time.Second)
	look()
	if versions, logos := shop.reads(); versions != 2 || logos != 2 {
		t.Errorf("an unchanged version read the logo again: %d version reads, %d logo reads", versions, logos)
	}

	// A store that fails leaves the cards as they are.
	second := shopLogo(t, 90)
	shop.save(second)
	shop.fail = errors.New("the table is unreachable")
	clk.now = clk.now.Add(LogoTTL + time.Second)
	expect("while the store fails", look(), first)
	shop.fail = nil
	clk.now = clk.now.Add(LogoTTL + time.Second)
	expect("once the store answers again", look(), second)

	// The instance that saved a logo shows it at once.
	third := shopLogo(t, 10)
	shop.save(third)
	branding.Refresh(ctx)
	expect("after Refresh", look(), third)
}

func TestGooglesClassesTakeTheOperatorsProgramName(t *testing.T) {
	ctx := context.Background()
	srv := googletest.New(t, "3388000000022222228")
	client, err := google.NewClient(ctx, "3388000000022222228", srv.URL, srv.KeyJSON)
	if err != nil {
		t.Fatal(err)
	}
	base := testCards(t)
	cards := &Cards{Codes: base.Codes, Assets: base.Assets, Google: &GoogleWallet{Client: client}, ProgramName: "Deployment name"}
	classNames := func(rules loyalty.Rules) (string, int) {
		t.Helper()
		if err := cards.EnsureClasses(ctx, "https://api.example", rules); err != nil {
			t.Fatal(err)
		}
		return srv.Classes["3388000000022222228.fidelio-silver"]["programName"].(string), len(srv.Calls)
	}

	rules := loyalty.DefaultRules()
	if name, _ := classNames(rules); name != "Deployment name" {
		t.Fatalf("without a name in the rules the classes show %q; want the deployment's", name)
	}
	rules.Name = loyalty.Texts{EN: "Café Rewards", FR: "Fidélité Café"}
	name, calls := classNames(rules)
	if name != "Café Rewards" {
		t.Fatalf("after the operator named the program the classes show %q", name)
	}
	if _, again := classNames(rules); again != calls {
		t.Fatalf("the same name upserted the classes again (%d calls, then %d)", calls, again)
	}
}
