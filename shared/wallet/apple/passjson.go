package apple

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"

	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// pass is the top level of pass.json for a store card.
type pass struct {
	FormatVersion       int       `json:"formatVersion"`
	PassTypeIdentifier  string    `json:"passTypeIdentifier"`
	SerialNumber        string    `json:"serialNumber"`
	TeamIdentifier      string    `json:"teamIdentifier"`
	OrganizationName    string    `json:"organizationName"`
	Description         string    `json:"description"`
	LogoText            string    `json:"logoText,omitempty"`
	BackgroundColor     string    `json:"backgroundColor,omitempty"`
	ForegroundColor     string    `json:"foregroundColor,omitempty"`
	LabelColor          string    `json:"labelColor,omitempty"`
	WebServiceURL       string    `json:"webServiceURL,omitempty"`
	AuthenticationToken string    `json:"authenticationToken,omitempty"`
	SharingProhibited   bool      `json:"sharingProhibited"`
	Voided              bool      `json:"voided,omitempty"`
	Barcodes            []barcode `json:"barcodes"`
	// Locations and MaxDistance (metres) put the pass on the lock screen
	// near the program's stores.
	Locations   []location `json:"locations,omitempty"`
	MaxDistance int        `json:"maxDistance,omitempty"`
	StoreCard   fields     `json:"storeCard"`
}

type location struct {
	Latitude     float64 `json:"latitude"`
	Longitude    float64 `json:"longitude"`
	RelevantText string  `json:"relevantText,omitempty"`
}

// maxDistance is how near a store the pass shows, in metres: a shop's
// doorstep and the street before it. Wallet caps it for store cards anyway.
const maxDistance = 100

type barcode struct {
	Format          string `json:"format"`
	Message         string `json:"message"`
	MessageEncoding string `json:"messageEncoding"`
	AltText         string `json:"altText,omitempty"`
}

type fields struct {
	HeaderFields    []field `json:"headerFields,omitempty"`
	PrimaryFields   []field `json:"primaryFields,omitempty"`
	SecondaryFields []field `json:"secondaryFields,omitempty"`
	AuxiliaryFields []field `json:"auxiliaryFields,omitempty"`
	BackFields      []field `json:"backFields,omitempty"`
}

type field struct {
	Key             string `json:"key"`
	Label           string `json:"label,omitempty"`
	Value           any    `json:"value"`
	AttributedValue string `json:"attributedValue,omitempty"`
	// ChangeMessage makes Wallet tell the member when the value changes;
	// a field without one changes silently.
	ChangeMessage string `json:"changeMessage,omitempty"`
	NumberStyle   string `json:"numberStyle,omitempty"`
	// DataDetectorTypes nil lets Wallet apply every detector; an empty,
	// non-nil slice turns them all off.
	DataDetectorTypes []string `json:"dataDetectorTypes,omitzero"`
}

// logoText is the logo text in the member's language l.
func (c Config) logoText(l locale.Language) string {
	if !c.Name.IsZero() {
		return c.Name.In(l)
	}
	return c.LogoText
}

// passJSON renders pass.json for card, with its labels keyed in the
// member's language l.
func passJSON(cfg Config, card Card, l locale.Language) ([]byte, error) {
	p := pass{
		FormatVersion:      1,
		PassTypeIdentifier: cfg.PassTypeID,
		SerialNumber:       card.Serial,
		TeamIdentifier:     cfg.TeamID,
		OrganizationName:   cfg.OrganizationName,
		Description:        cfg.Description.In(l),
		LogoText:           cfg.logoText(l),
		BackgroundColor:    card.BackgroundColor,
		ForegroundColor:    card.ForegroundColor,
		LabelColor:         card.LabelColor,
		// A loyalty card is personal: the member's code is the member.
		SharingProhibited: true,
		Voided:            card.Voided,
		Barcodes: []barcode{{
			Format:          "PKBarcodeFormatQR",
			Message:         card.Code,
			MessageEncoding: "iso-8859-1",
			AltText:         card.MemberNumber,
		}},
	}
	if cfg.WebServiceURL != "" {
		p.WebServiceURL, p.AuthenticationToken = cfg.WebServiceURL, card.AuthenticationToken
	}
	for _, at := range card.Locations[:min(len(card.Locations), 10)] {
		p.Locations = append(p.Locations, location{Latitude: at.Latitude, Longitude: at.Longitude, RelevantText: at.RelevantText})
	}
	if len(p.Locations) > 0 {
		p.MaxDistance = maxDistance
	}
	var err error
	if p.StoreCard, err = storeCard(cfg, card, l); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// The member page link is HTML; escaping its <a> as \u003c is valid JSON
	// but makes the file needlessly hard to read.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func storeCard(cfg Config, card Card, l locale.Language) (fields, error) {
	f := fields{
		// The balance changes after every purchase: a notification each
		// time would be noise, so it has no change message.
		HeaderFields: []field{{Key: "balance", Label: locale.LabelBalance.In(l), Value: card.Balance, NumberStyle: "PKNumberStyleDecimal"}},
		// A new tier is news worth a notification.
		PrimaryFields: []field{{Key: "tier", Label: locale.LabelTier.In(l), Value: locale.TierName(card.Tier).In(l),
			ChangeMessage: locale.TierChange(card.PreviousTier, card.Tier).In(l)}},
	}
	if card.Name != "" {
		f.SecondaryFields = append(f.SecondaryFields, field{Key: "name", Label: locale.LabelName.In(l), Value: card.Name})
	}
	if card.MemberSince != "" {
		since, err := locale.Date(card.MemberSince)
		if err != nil {
			return fields{}, err
		}
		f.SecondaryFields = append(f.SecondaryFields, field{Key: "since", Label: locale.LabelSince.In(l), Value: since.In(l)})
	}
	next := field{Key: "next", Label: locale.LabelNextTier.In(l), Value: locale.TopTier.In(l)}
	if card.NextTier != "" {
		next.Value = locale.PointsToTier(card.PointsToNextTier, card.NextTier).In(l)
	}
	f.AuxiliaryFields = []field{next}

	if card.Offers != "" {
		f.BackFields = append(f.BackFields, field{Key: "offers", Label: locale.LabelOffers.In(l), Value: card.Offers})
	}
	if card.News != "" {
		// "%@" makes the message itself the notification when it changes.
		f.BackFields = append(f.BackFields, field{Key: "news", Label: locale.LabelNews.In(l), Value: card.News, ChangeMessage: "%@"})
	}
	if card.ExpiringPoints > 0 {
		expiring, err := locale.ExpiringOn(card.ExpiringPoints, card.ExpiringOn)
		if err != nil {
			return fields{}, err
		}
		f.BackFields = append(f.BackFields, field{Key: "expiring", Label: locale.LabelExpiring.In(l), Value: expiring.In(l)})
	}
	if card.GivenThisYear > 0 {
		f.BackFields = append(f.BackFields, field{Key: "given", Label: locale.LabelGiven.In(l), Value: card.GivenThisYear, NumberStyle: "PKNumberStyleDecimal"})
	}
	if !cfg.Terms.IsZero() {
		// Terms quote numbers of points and days that are not phone numbers.
		f.BackFields = append(f.BackFields, field{Key: "terms", Label: locale.LabelTerms.In(l), Value: cfg.Terms.In(l), DataDetectorTypes: []string{}})
	}
	if !cfg.Contact.IsZero() {
		f.BackFields = append(f.BackFields, field{Key: "contact", Label: locale.LabelContact.In(l), Value: cfg.Contact.In(l),
			DataDetectorTypes: []string{"PKDataDetectorTypePhoneNumber", "PKDataDetectorTypeLink", "PKDataDetectorTypeAddress"}})
	}
	if card.MemberPageURL != "" {
		// attributedValue shows a short link on the phone; value keeps the
		// plain URL for where attributed values are not used (Apple Watch).
		link := `<a href="` + html.EscapeString(card.MemberPageURL) + `">` + html.EscapeString(locale.PageLink.In(l)) + `</a>`
		f.BackFields = append(f.BackFields, field{Key: "page", Label: locale.LabelPage.In(l), Value: card.MemberPageURL, AttributedValue: link})
	}
	if card.ReferralURL != "" {
		link := `<a href="` + html.EscapeString(card.ReferralURL) + `">` + html.EscapeString(locale.ReferralLink(card.ReferralCode).In(l)) + `</a>`
		f.BackFields = append(f.BackFields, field{Key: "referral", Label: locale.LabelReferral.In(l), Value: card.ReferralURL, AttributedValue: link})
	}
	return f, nil
}

// FrontField is a field of a pass's front as the member reads it.
type FrontField struct{ Label, Value string }

// Front is the front of a pass as Wallet shows it: the header field at the
// top right, the primary field over the strip, the secondary and auxiliary
// fields in one row under it, and the text under the QR code.
type Front struct {
	Header, Primary FrontField
	Row             []FrontField
	AltText         string
}

// FrontOf is the front of card's pass in the member's language, the same
// fields pass.json has, with numbers written as Wallet writes them there: a
// card preview draws it.
func FrontOf(card Card) (Front, error) {
	l := locale.Of(card.Locale)
	f, err := storeCard(Config{}, card, l)
	if err != nil {
		return Front{}, err
	}
	read := func(fs []field) []FrontField {
		out := make([]FrontField, len(fs))
		for i, fd := range fs {
			out[i] = FrontField{Label: fd.Label, Value: fmt.Sprint(fd.Value)}
			if n, ok := fd.Value.(int64); ok {
				out[i].Value = locale.Number(n, l)
			}
		}
		return out
	}
	return Front{Header: read(f.HeaderFields)[0], Primary: read(f.PrimaryFields)[0],
		Row: append(read(f.SecondaryFields), read(f.AuxiliaryFields)...), AltText: card.MemberNumber}, nil
}
