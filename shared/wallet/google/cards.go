package google

import (
	"context"
	"fmt"
	"reflect"
)

// Program is what every class of the program shows.
type Program struct {
	IssuerName  string
	ProgramName string
	LogoURL     string
	// HeroURL and Color give each tier's hero image URL and "#rrggbb" colour.
	HeroURL func(tier string) string
	Color   func(tier string) string
}

// Card is what a member's card shows.
type Card struct {
	Serial       string
	MemberNumber string
	Name         string
	Tier         string // "gold"
	TierTitle    string // "Gold"
	Balance      int64
	Code         string
	NextTier     string // "180 points to Platinum"; empty at the top
	Expiring     string // "120 points expire on 2027-11-30"; empty when none soon
	MemberPage   string
}

// ClassID is the tier's class: <issuer>.fidelio-<tier>.
func (c *Client) ClassID(tier string) string { return c.issuerID + ".fidelio-" + tier }

// ObjectID is a card's object: <issuer>.<serial>.
func (c *Client) ObjectID(serial string) string { return c.issuerID + "." + serial }

// Class is the loyalty class of a tier.
func (c *Client) Class(p Program, tier string) LoyaltyClass {
	cl := LoyaltyClass{ID: c.ClassID(tier), IssuerName: p.IssuerName, ProgramName: p.ProgramName, ReviewStatus: "UNDER_REVIEW"}
	if p.LogoURL != "" {
		cl.ProgramLogo = &Image{SourceURI: ImageURI{URI: p.LogoURL}}
	}
	if p.HeroURL != nil {
		cl.HeroImage = &Image{SourceURI: ImageURI{URI: p.HeroURL(tier)}}
	}
	if p.Color != nil {
		cl.HexBackgroundColor = p.Color(tier)
	}
	return cl
}

// Object is the loyalty object of a card.
func (c *Client) Object(card Card) LoyaltyObject {
	o := LoyaltyObject{
		ID: c.ObjectID(card.Serial), ClassID: c.ClassID(card.Tier), State: "ACTIVE",
		AccountID: card.MemberNumber, AccountName: card.Name,
		LoyaltyPoints:   &LoyaltyPoints{Label: "Points", Balance: LoyaltyPointsBalance{Int: card.Balance}},
		Barcode:         &Barcode{Type: "QR_CODE", Value: card.Code, AlternateText: card.MemberNumber},
		TextModulesData: []TextModuleData{{ID: "tier", Header: "Tier", Body: card.TierTitle}},
	}
	if card.NextTier != "" {
		o.TextModulesData = append(o.TextModulesData, TextModuleData{ID: "next-tier", Header: "Next tier", Body: card.NextTier})
	}
	if card.Expiring != "" {
		o.TextModulesData = append(o.TextModulesData, TextModuleData{ID: "expiring", Header: "Points expiring", Body: card.Expiring})
	}
	if card.MemberPage != "" {
		o.LinksModuleData = &LinksModuleData{URIs: []URI{{ID: "member-page", URI: card.MemberPage, Description: "Your member page"}}}
	}
	return o
}

// Sync brings a card in Google Wallet from prev (nil: never sent) to next:
// an insert the first time, a PATCH when what it shows changed (a new tier
// moves it to that tier's class), and on a tier change one notifying message.
// ErrNotFound says the member never saved the card; a quota refusal of the
// message is returned as ErrQuota and never retried.
func (c *Client) Sync(ctx context.Context, prev *Card, next Card) error {
	if prev == nil {
		return c.InsertObject(ctx, c.Object(next))
	}
	if reflect.DeepEqual(c.Object(*prev), c.Object(next)) {
		return nil
	}
	err := c.PatchObject(ctx, c.Object(next))
	if err != nil || prev.Tier == next.Tier {
		return err
	}
	return c.AddMessage(ctx, c.ObjectID(next.Serial), Message{
		ID:     fmt.Sprintf("tier-%s-%d", next.Tier, next.Balance),
		Header: "Welcome to " + next.TierTitle,
		Body:   fmt.Sprintf("Your card is now %s.", next.TierTitle),
	})
}
