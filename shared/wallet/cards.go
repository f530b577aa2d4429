// Package wallet maps a member's account to what their cards show — the
// Apple pass, the Google object, the preview image — so that the API and the
// pass updater show the same card.
package wallet

import (
	"context"
	"fmt"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/qrcode"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// Cards draws and builds members' cards.
type Cards struct {
	Codes *signing.Signer
	// Assets and Apple draw the images and build the passes of a program
	// whose logo never changes (tests); Branding, when set, replaces them
	// with those of the logo as it is now. Apple is nil when Apple Wallet is
	// not configured.
	Assets   *design.Assets
	Apple    *apple.Builder
	Branding *Branding
	// Google keeps cards in Google Wallet; nil when it is not configured.
	Google      *GoogleWallet
	ProgramName string
	// PublicURL is the API's base URL, for links printed on cards.
	PublicURL string
	// Shops lists the stores whose places the Apple pass carries; nil
	// carries none.
	Shops ShopLister
	// Promotions lists the promotions a card shows when they apply to its
	// member (a loyalty.PromotionsCache); nil shows none.
	Promotions loyalty.PromotionsReader
}

// offers are the promotions m's card shows, drawn as at its last change
// (loyalty.PromotionsOnCard), in each language.
func (c *Cards) offers(ctx context.Context, m loyalty.Member) (locale.Text, error) {
	if c.Promotions == nil {
		return locale.Text{}, nil
	}
	ps, err := c.Promotions.Promotions(ctx)
	if err != nil {
		return locale.Text{}, err
	}
	on := loyalty.PromotionsOnCard(ps, m)
	if len(on) == 0 {
		return locale.Text{}, nil
	}
	return locale.Offers(on), nil
}

// PassToken is the authenticationToken of a member's pass. It is derived
// from the serial with the program's keys rather than stored: a pass built
// again (an update) carries the same token, and the web service checks one
// by deriving it again, in constant time.
func (c *Cards) PassToken(serial string) string { return c.Codes.MAC(signing.PurposePassToken, serial) }

// brand is the images and pass builder of the logo as it is now.
func (c *Cards) brand(ctx context.Context) *brand {
	if c.Branding == nil {
		return &brand{assets: c.Assets, apple: c.Apple}
	}
	return c.Branding.brand(ctx)
}

// ApplePass builds the member's .pkpass.
func (c *Cards) ApplePass(ctx context.Context, acct loyalty.Account, rules loyalty.Rules, now time.Time) ([]byte, error) {
	builder := c.brand(ctx).apple
	if builder == nil {
		return nil, fmt.Errorf("apple wallet is not configured")
	}
	card := c.appleCard(acct, rules, now)
	var err error
	if card.Locations, err = c.locations(ctx, acct.Member); err != nil {
		return nil, err
	}
	offers, err := c.offers(ctx, acct.Member)
	if err != nil {
		return nil, err
	}
	card.Offers = offers.In(locale.Of(acct.Member.Locale))
	return builder.Build(card)
}

// appleCard is what the member's pass shows; the preview draws its front.
func (c *Cards) appleCard(acct loyalty.Account, rules loyalty.Rules, now time.Time) apple.Card {
	m := acct.Member
	colors := design.Palette(m.Tier)
	card := apple.Card{
		Serial: m.Serial, AuthenticationToken: c.PassToken(m.Serial), MemberNumber: m.Number(),
		Name: m.Name, Tier: m.Tier, PreviousTier: m.PreviousTier, Balance: m.Balance,
		MemberSince: loyalty.DateOf(m.CreatedAt).String(), Code: c.Codes.Mint(m.ID, m.CodeGeneration), Locale: m.Locale,
		BackgroundColor: colors.Background.CSS(), ForegroundColor: colors.Foreground.CSS(), LabelColor: colors.Label.CSS(),
	}
	if next, needed, ok := rules.NextTier(m.Tier, m.QualifyingPoints(loyalty.DateOf(now))); ok {
		card.NextTier, card.PointsToNextTier = next, needed
	}
	if points, on := acct.Expiring(now); points > 0 {
		card.ExpiringPoints, card.ExpiringOn = points, on.String()
	}
	if c.PublicURL != "" {
		card.MemberPageURL = c.PublicURL + signing.MemberSpaceLinkPath + "?" + c.Codes.CardLink(m.ID, m.CodeGeneration)
	}
	card.ReferralCode, card.ReferralURL = referral(m, rules, c.PublicURL)
	card.GivenThisYear = m.GivenThisYear(now)
	card.Voided = !m.ErasedAt.IsZero()
	card.News = News(m, now).In(locale.Of(m.Locale))
	card.Program = apple.ProgramTexts{Name: locale.From(rules.Name), Terms: locale.From(rules.Terms), Contact: locale.From(rules.Contact)}
	return card
}

// referral is the member's referral code and the join page's link with it,
// which both cards carry for the member to share: none while referral is
// off, without a public URL to link to, or on a deleted account's card.
func referral(m loyalty.Member, rules loyalty.Rules, base string) (code, link string) {
	if base == "" || !rules.Referral.Enabled || !m.ErasedAt.IsZero() {
		return "", ""
	}
	code = m.ReferralCode()
	return code, base + "/?ref=" + code
}

// programName is the program's name in the member's language: the
// operator's, else the deployment's.
func (c *Cards) programName(m loyalty.Member, rules loyalty.Rules) string {
	return rules.NameOr(c.ProgramName).In(m.Locale)
}

// CheckLogo refuses a logo the cards cannot be drawn with (design.LogoFrom),
// saying why.
func (c *Cards) CheckLogo(png []byte) error {
	_, err := design.LogoFrom(png, 1)
	return err
}

// QR is the PNG of the member's code, as the card shows it.
func (c *Cards) QR(m loyalty.Member) ([]byte, error) {
	return qrcode.PNG(c.Codes.Mint(m.ID, m.CodeGeneration), 512)
}

// Preview is a PNG of the whole card as the member sees it in Wallet: the
// front of the member's pass, in the member's language.
func (c *Cards) Preview(ctx context.Context, acct loyalty.Account, rules loyalty.Rules, now time.Time) ([]byte, error) {
	card, err := c.previewCard(c.brand(ctx).assets, acct, rules, now)
	if err != nil {
		return nil, err
	}
	img, err := design.CardPreview(card)
	if err != nil {
		return nil, err
	}
	return design.PNG(img)
}

// previewCard is the front of the member's pass, for the preview to draw.
func (c *Cards) previewCard(assets *design.Assets, acct loyalty.Account, rules loyalty.Rules, now time.Time) (design.Card, error) {
	pass := c.appleCard(acct, rules, now)
	front, err := apple.FrontOf(pass)
	if err != nil {
		return design.Card{}, err
	}
	field := func(f apple.FrontField) design.Field { return design.Field{Label: f.Label, Value: f.Value} }
	card := design.Card{
		Tier: pass.Tier, ProgramName: c.programName(acct.Member, rules), Code: pass.Code, AltText: front.AltText,
		Header: field(front.Header), Primary: field(front.Primary),
	}
	for _, f := range front.Row {
		card.Row = append(card.Row, field(f))
	}
	if assets.LogoPNG != nil {
		card.Logo, _ = design.LogoFrom(assets.LogoPNG, 2) // checked when saved; nil draws the mark
	}
	return card, nil
}

// AppleImages gives the Apple builder each tier's images, rendered once per
// process by assets.
func AppleImages(assets *design.Assets) func(tier string) (map[string][]byte, error) {
	return func(tier string) (map[string][]byte, error) {
		t, err := loyalty.ParseTier(tier)
		if err != nil {
			return nil, err
		}
		files := map[string][]byte{}
		for scale := 1; scale <= design.MaxScale; scale++ {
			suffix := ".png"
			if scale > 1 {
				suffix = fmt.Sprintf("@%dx.png", scale)
			}
			for name, render := range map[string]func() ([]byte, error){
				"icon":  func() ([]byte, error) { return assets.Icon(scale) },
				"logo":  func() ([]byte, error) { return assets.Logo(scale) },
				"strip": func() ([]byte, error) { return assets.Strip(t, scale) },
			} {
				b, err := render()
				if err != nil {
					return nil, fmt.Errorf("render %s%s: %w", name, suffix, err)
				}
				files[name+suffix] = b
			}
		}
		return files, nil
	}
}

// News is what the card's news says, in each language: the member's last
// message while its occasion lasts (the points not yet expired, the tier
// not yet reached, the week after the birthday), a campaign's for good;
// empty for none.
func News(m loyalty.Member, now time.Time) locale.Text {
	if m.News == nil {
		return locale.Text{}
	}
	if a := m.News.Auto; a != nil {
		switch {
		case a.Kind == loyalty.AutoExpiring && a.On.Before(loyalty.DateOf(now)),
			a.Kind == loyalty.AutoNearTier && m.Tier.Rank() >= a.Tier.Rank(),
			a.Kind == loyalty.AutoBirthday && now.Sub(m.News.At) >= greetingDays*24*time.Hour:
			return locale.Text{}
		}
	}
	return locale.News(*m.News, m.Name)
}

// greetingDays is how long after a birthday the card wishes it.
const greetingDays = 7
