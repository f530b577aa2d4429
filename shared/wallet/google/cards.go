package google

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// Program is what every class of the program shows.
type Program struct {
	IssuerName string
	// ProgramName is shown in English by default, with its French beside.
	ProgramName locale.Text
	// LogoURL is the square programLogo, WideLogoURL the wideProgramLogo.
	LogoURL     string
	WideLogoURL string
	// HeroURL and Color give each tier's hero image URL and "#rrggbb" colour.
	HeroURL func(tier string) string
	Color   func(tier string) string
}

// Card is what a member's card shows.
type Card struct {
	Serial       string
	MemberNumber string
	Name         string
	Tier         loyalty.Tier
	// Language is the member's: the card's texts are in it, with their
	// translations for a phone set to another language.
	Language   locale.Language
	Balance    int64
	Code       string
	NextTier   locale.Text // "180 points to Platinum"; empty at the top
	Expiring   locale.Text // "120 points on 30 November 2027"; empty when none soon
	Offers     locale.Text // the promotions the member has now (locale.Offers); empty when none
	MemberPage string
	// ReferralURL is the join page's link with the member's ReferralCode,
	// for the member to share; empty while referral is off.
	ReferralURL, ReferralCode string
	// Terms and Contact are the operator's, on the back; empty shows none.
	Terms, Contact locale.Text
	// News is the program's message to the member (a campaign's), NewsID
	// what it is ("" for none): a new one is added to the card as a
	// message, notifying the phone when NewsNotify (Google's budget of
	// notifications allows it).
	News       locale.Text
	NewsID     string
	NewsNotify bool
	// Quiet sends no message: the change's was sent already.
	Quiet bool
	// Inactive is the card of a deleted account: its object's state is
	// INACTIVE, which Google Wallet shows as expired.
	Inactive bool
	// Refreshed patches the object even when prev draws the same: what the
	// card draws from outside the member changed (the rules' terms), which
	// prev, drawn from the rules as they are now, already shows.
	Refreshed bool
}

// ClassID is the tier's class: <issuer>.fidelio-<tier>.
func (c *Client) ClassID(tier loyalty.Tier) string { return c.issuerID + ".fidelio-" + string(tier) }

// ObjectID is a card's object: <issuer>.<serial>.
func (c *Client) ObjectID(serial string) string { return c.issuerID + "." + serial }

// Class is the loyalty class of a tier.
func (c *Client) Class(p Program, tier loyalty.Tier) LoyaltyClass {
	cl := LoyaltyClass{ID: c.ClassID(tier), IssuerName: p.IssuerName, ProgramName: p.ProgramName.In(locale.English),
		LocalizedProgramName: localized(p.ProgramName, locale.English), ReviewStatus: "UNDER_REVIEW"}
	if p.LogoURL != "" {
		cl.ProgramLogo = &Image{SourceURI: ImageURI{URI: p.LogoURL}}
	}
	if p.WideLogoURL != "" {
		cl.WideProgramLogo = &Image{SourceURI: ImageURI{URI: p.WideLogoURL}}
	}
	if p.HeroURL != nil {
		cl.HeroImage = &Image{SourceURI: ImageURI{URI: p.HeroURL(string(tier))}}
	}
	if p.Color != nil {
		cl.HexBackgroundColor = p.Color(string(tier))
	}
	return cl
}

// Object is the loyalty object of a card.
func (c *Client) Object(card Card) LoyaltyObject {
	l := card.Language
	o := LoyaltyObject{
		ID: c.ObjectID(card.Serial), ClassID: c.ClassID(card.Tier), State: "ACTIVE",
		AccountID: card.MemberNumber, AccountName: card.Name,
		LoyaltyPoints: &LoyaltyPoints{Label: locale.LabelBalance.In(l), LocalizedLabel: localized(locale.LabelBalance, l),
			Balance: LoyaltyPointsBalance{Int: card.Balance}},
		Barcode:         &Barcode{Type: "QR_CODE", Value: card.Code, AlternateText: card.MemberNumber},
		TextModulesData: []TextModuleData{textModule("tier", locale.LabelTier, locale.TierName(card.Tier), l)},
	}
	if card.Inactive {
		o.State = "INACTIVE"
	}
	if !card.NextTier.IsZero() {
		o.TextModulesData = append(o.TextModulesData, textModule("next-tier", locale.LabelNextTier, card.NextTier, l))
	}
	if !card.Expiring.IsZero() {
		o.TextModulesData = append(o.TextModulesData, textModule("expiring", locale.LabelExpiring, card.Expiring, l))
	}
	if !card.Offers.IsZero() {
		o.TextModulesData = append(o.TextModulesData, textModule("offers", locale.LabelOffers, card.Offers, l))
	}
	if !card.Terms.IsZero() {
		o.TextModulesData = append(o.TextModulesData, textModule("terms", locale.LabelTerms, card.Terms, l))
	}
	if !card.Contact.IsZero() {
		o.TextModulesData = append(o.TextModulesData, textModule("contact", locale.LabelContact, card.Contact, l))
	}
	if card.ReferralURL != "" {
		o.TextModulesData = append(o.TextModulesData, textModule("referral", locale.LabelReferral, locale.ReferralInvite(card.ReferralCode), l))
	}
	var links []URI
	if card.MemberPage != "" {
		links = append(links, link("member-page", card.MemberPage, locale.LabelPage, l))
	}
	if card.ReferralURL != "" {
		links = append(links, link("referral", card.ReferralURL, locale.ReferralLink(card.ReferralCode), l))
	}
	if links != nil {
		o.LinksModuleData = &LinksModuleData{URIs: links}
	}
	return o
}

func link(id, uri string, description locale.Text, l locale.Language) URI {
	return URI{ID: id, URI: uri, Description: description.In(l), LocalizedDescription: localized(description, l)}
}

func textModule(id string, header, body locale.Text, l locale.Language) TextModuleData {
	return TextModuleData{ID: id, Header: header.In(l), Body: body.In(l),
		LocalizedHeader: localized(header, l), LocalizedBody: localized(body, l)}
}

// localized is t in the member's language l, with its translations for a
// phone set to another of the card's languages.
func localized(t locale.Text, l locale.Language) *LocalizedString {
	s := &LocalizedString{DefaultValue: TranslatedString{Language: l.Code(), Value: t.In(l)}}
	for _, other := range locale.Languages {
		if other != l {
			s.TranslatedValues = append(s.TranslatedValues, TranslatedString{Language: other.Code(), Value: t.In(other)})
		}
	}
	return s
}

// Sync brings a card in Google Wallet from prev (nil: never sent) to next:
// an insert the first time, a PATCH when what it shows changed (a new tier
// moves it to that tier's class), and one message: on a tier change a
// notifying one, congratulations on the way up, a plain line on the way
// down; else a new news (NewsNotify says whether it notifies).
// ErrNotFound says the member never saved the card; a quota refusal of the
// message is returned as ErrQuota and never retried.
func (c *Client) Sync(ctx context.Context, prev *Card, next Card) error {
	if prev == nil {
		return c.InsertObject(ctx, c.Object(next))
	}
	if next.Refreshed || !reflect.DeepEqual(c.Object(*prev), c.Object(next)) {
		if err := c.PatchObject(ctx, c.Object(next)); err != nil {
			return err
		}
	}
	l := next.Language
	if next.Quiet {
		return nil
	}
	if prev.Tier == next.Tier {
		if next.NewsID == "" || next.NewsID == prev.NewsID {
			return nil
		}
		m := Message{ID: strings.ReplaceAll(next.NewsID, "/", "-"), Header: locale.LabelNews.In(l), Body: next.News.In(l),
			LocalizedHeader: localized(locale.LabelNews, l), LocalizedBody: localized(next.News, l), MessageType: "TEXT"}
		if next.NewsNotify {
			m.MessageType = "TEXT_AND_NOTIFY"
		}
		return c.AddMessage(ctx, c.ObjectID(next.Serial), m)
	}
	header, body := locale.TierRoseHeader, locale.TierChange(prev.Tier, next.Tier).With(locale.TierName(next.Tier))
	if next.Tier.Rank() < prev.Tier.Rank() {
		header = locale.TierFellHeader
	}
	return c.AddMessage(ctx, c.ObjectID(next.Serial), Message{
		ID:     TierMessageID(next),
		Header: header.In(l), Body: body.In(l), LocalizedHeader: localized(header, l), LocalizedBody: localized(body, l),
	})
}

// TierMessageID is the id of the message of a tier change to next.
func TierMessageID(next Card) string { return fmt.Sprintf("tier-%s-%d", next.Tier, next.Balance) }
