// Package google keeps members' cards in Google Wallet: one loyalty class per
// tier, one loyalty object per member, the "Save to Google Wallet" link, and
// the REST calls that keep them current. The few calls are written over
// net/http: the generated walletobjects client costs the function's cold
// start about 7 MB more for its types alone.
package google

// The JSON shapes of the Google Wallet REST API (walletobjects/v1) that
// Fidelio sends. Field names are Google's.

// LoyaltyClass is what every card of a tier shares.
type LoyaltyClass struct {
	ID          string `json:"id"`
	IssuerName  string `json:"issuerName"`
	ProgramName string `json:"programName"`
	// LocalizedProgramName carries the name's translations.
	LocalizedProgramName *LocalizedString `json:"localizedProgramName,omitempty"`
	ProgramLogo          *Image           `json:"programLogo,omitempty"`
	WideProgramLogo      *Image           `json:"wideProgramLogo,omitempty"`
	HexBackgroundColor   string           `json:"hexBackgroundColor,omitempty"`
	HeroImage            *Image           `json:"heroImage,omitempty"`
	// ReviewStatus must be UNDER_REVIEW on every insert and update: Google
	// refuses class updates without it.
	ReviewStatus string `json:"reviewStatus"`
}

// LoyaltyObject is one member's card.
type LoyaltyObject struct {
	ID              string           `json:"id"`
	ClassID         string           `json:"classId"`
	State           string           `json:"state"`
	AccountID       string           `json:"accountId"`
	AccountName     string           `json:"accountName"`
	LoyaltyPoints   *LoyaltyPoints   `json:"loyaltyPoints,omitempty"`
	Barcode         *Barcode         `json:"barcode,omitempty"`
	TextModulesData []TextModuleData `json:"textModulesData,omitempty"`
	LinksModuleData *LinksModuleData `json:"linksModuleData,omitempty"`
}

// Image is an image Google fetches from a public URL.
type Image struct {
	SourceURI ImageURI `json:"sourceUri"`
}

// ImageURI is where an image is.
type ImageURI struct {
	URI string `json:"uri"`
}

// LocalizedString is a text with its translations: Google shows the one of
// the phone's language, else DefaultValue.
type LocalizedString struct {
	DefaultValue     TranslatedString   `json:"defaultValue"`
	TranslatedValues []TranslatedString `json:"translatedValues,omitempty"`
}

// TranslatedString is a text in one language, a BCP 47 tag ("fr").
type TranslatedString struct {
	Language string `json:"language"`
	Value    string `json:"value"`
}

// LoyaltyPoints is the balance shown on the card.
type LoyaltyPoints struct {
	Label          string               `json:"label"`
	LocalizedLabel *LocalizedString     `json:"localizedLabel,omitempty"`
	Balance        LoyaltyPointsBalance `json:"balance"`
}

// LoyaltyPointsBalance carries the points as an integer; a zero is sent too.
type LoyaltyPointsBalance struct {
	Int int64 `json:"int"`
}

// Barcode is the card's QR code.
type Barcode struct {
	Type          string `json:"type"`
	Value         string `json:"value"`
	AlternateText string `json:"alternateText,omitempty"`
}

// TextModuleData is a block of text on the card.
type TextModuleData struct {
	ID              string           `json:"id"`
	Header          string           `json:"header"`
	Body            string           `json:"body"`
	LocalizedHeader *LocalizedString `json:"localizedHeader,omitempty"`
	LocalizedBody   *LocalizedString `json:"localizedBody,omitempty"`
}

// LinksModuleData holds the card's links.
type LinksModuleData struct {
	URIs []URI `json:"uris"`
}

// URI is one link.
type URI struct {
	ID                   string           `json:"id,omitempty"`
	URI                  string           `json:"uri"`
	Description          string           `json:"description"`
	LocalizedDescription *LocalizedString `json:"localizedDescription,omitempty"`
}

// Message is a message on a card; TEXT_AND_NOTIFY also notifies the phone.
type Message struct {
	ID              string           `json:"id"`
	Header          string           `json:"header"`
	Body            string           `json:"body"`
	LocalizedHeader *LocalizedString `json:"localizedHeader,omitempty"`
	LocalizedBody   *LocalizedString `json:"localizedBody,omitempty"`
	MessageType     string           `json:"messageType"`
}

// AddMessageRequest is the body of addMessage.
type AddMessageRequest struct {
	Message Message `json:"message"`
}
