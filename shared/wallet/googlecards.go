package wallet

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// GoogleWallet keeps members' cards in Google Wallet.
type GoogleWallet struct {
	Client *google.Client
	// The classes are upserted before the first object, and again when the
	// logo or the program's name they show changed: classesOf is what they
	// have.
	mu        sync.Mutex
	classesOK bool
	classesOf classLook
}

// classLook is what the classes show that the operator can change.
type classLook struct {
	logoVersion string
	name        loyalty.Texts
}

// GoogleCard is what a member's Google card shows.
func (c *Cards) GoogleCard(acct loyalty.Account, rules loyalty.Rules, now time.Time, base string) google.Card {
	m := acct.Member
	card := google.Card{
		Serial: m.Serial, MemberNumber: m.Number(), Name: m.Name, Tier: m.Tier, Language: locale.Of(m.Locale),
		Balance: m.Balance, Code: c.Codes.Mint(m.ID, m.CodeGeneration), MemberPage: base + signing.MemberSpaceLinkPath + "?" + c.Codes.CardLink(m.ID, m.CodeGeneration),
		Terms: locale.From(rules.Terms), Contact: locale.From(rules.Contact), Inactive: !m.ErasedAt.IsZero(),
	}
	card.ReferralCode, card.ReferralURL = referral(m, rules, base)
	if next, needed, ok := rules.NextTier(m.Tier, m.QualifyingPoints(loyalty.DateOf(now))); ok {
		card.NextTier = locale.PointsToTier(needed, next)
	}
	if m.News != nil {
		card.News, card.NewsID = News(m, now), m.News.ID
	}
	if points, on := acct.Expiring(now); points > 0 {
		// A Date always writes YYYY-MM-DD.
		card.Expiring, _ = locale.ExpiringOn(points, on.String())
	}
	return card
}

// googleProgram is what every class shows; its images are served by the API
// at base, where Google fetches them. The logos' URLs name the logo's
// version, so that Google fetches a new logo rather than keep the one it has.
// The program's name is the operator's; the issuer stays the deployment's.
func (c *Cards) googleProgram(base string, look classLook) google.Program {
	v := ""
	if look.logoVersion != "" {
		v = "?v=" + look.logoVersion
	}
	return google.Program{
		IssuerName: c.ProgramName, ProgramName: locale.From(look.name), LogoURL: base + "/v1/wallet/images/logo.png" + v,
		WideLogoURL: base + "/v1/wallet/images/logo-wide.png" + v,
		HeroURL:     func(tier string) string { return base + "/v1/wallet/images/hero-" + tier + ".png" },
		Color: func(tier string) string {
			t, _ := loyalty.ParseTier(tier)
			return design.Palette(t).Background.Hex()
		},
	}
}

// EnsureClasses upserts the class of every tier, once per process and again
// after the logo or the program's name in rules changed; a failure is tried
// again on the next call.
func (c *Cards) EnsureClasses(ctx context.Context, base string, rules loyalty.Rules) error {
	return c.MoveClasses(ctx, base, rules, c.brand(ctx).version)
}

// MoveClasses upserts the class of every tier to show the program's name in
// rules and the logo of logoVersion, unless this process already did. The
// pass updater, which draws no image, gives the version it read from the
// store: every writer names the logo by its version, so none undoes
// another's ?v= (Google fetches a logo URL once).
func (c *Cards) MoveClasses(ctx context.Context, base string, rules loyalty.Rules, logoVersion string) error {
	look := classLook{logoVersion: logoVersion, name: rules.NameOr(c.ProgramName)}
	g := c.Google
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.classesOK && g.classesOf == look {
		return nil
	}
	p := c.googleProgram(base, look)
	for _, t := range loyalty.Tiers {
		if err := g.Client.UpsertClass(ctx, g.Client.Class(p, t)); err != nil {
			return err
		}
	}
	g.classesOK, g.classesOf = true, look
	return nil
}

// ProgramChanged takes up a logo or a program name the operator just saved
// on this instance: the images show the logo at once rather than at the
// next check, and the Google Wallet classes move to both.
func (c *Cards) ProgramChanged(ctx context.Context, base string, rules loyalty.Rules) error {
	if c.Branding != nil {
		c.Branding.Refresh(ctx)
	}
	if c.Google == nil {
		return nil
	}
	return c.EnsureClasses(ctx, base, rules)
}

// GoogleSaveURL makes sure the member's object exists in Google Wallet and
// returns its "Save to Google Wallet" link.
func (c *Cards) GoogleSaveURL(ctx context.Context, acct loyalty.Account, rules loyalty.Rules, now time.Time, base string) (string, error) {
	if err := c.EnsureClasses(ctx, base, rules); err != nil {
		return "", err
	}
	card := c.GoogleCard(acct, rules, now, base)
	var err error
	if card.Offers, err = c.offers(ctx, acct.Member); err != nil {
		return "", err
	}
	if err := c.Google.Client.InsertObject(ctx, c.Google.Client.Object(card)); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("google save link: base URL %q: %w", base, err)
	}
	// origins lists the sites allowed to show the save button: ours.
	return c.Google.Client.SaveURL(c.Google.Client.ObjectID(card.Serial), []string{u.Scheme + "://" + u.Host}, now)
}

// Image is a public image of the program that Google Wallet fetches:
// "logo.png" (the square programLogo), "logo-wide.png" or "hero-<tier>.png".
func (c *Cards) Image(ctx context.Context, name string) ([]byte, error) {
	assets := c.brand(ctx).assets
	switch name {
	case "logo.png":
		return assets.GoogleLogo()
	case "logo-wide.png":
		return assets.WideLogo()
	}
	tier, ok := strings.CutPrefix(strings.TrimSuffix(name, ".png"), "hero-")
	t, err := loyalty.ParseTier(tier)
	if !ok || err != nil || !strings.HasSuffix(name, ".png") {
		return nil, fmt.Errorf("%w: no image %q", loyalty.ErrInvalid, name)
	}
	return assets.Hero(t, 1)
}
