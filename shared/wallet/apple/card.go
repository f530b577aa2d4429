package apple

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// ErrInvalidCard reports a Card that cannot make a pass Wallet would accept.
var ErrInvalidCard = errors.New("invalid card")

// Config holds what every pass of the program shares.
type Config struct {
	// PassTypeID is the pass type identifier registered in the Apple
	// developer portal ("pass.com.example.loyalty"); it must be the UID of
	// the signing certificate.
	PassTypeID string
	// TeamID is the ten-character Apple developer team identifier; it must
	// be the OU of the signing certificate.
	TeamID string
	// OrganizationName is shown on the lock screen and when adding the pass.
	OrganizationName string
	// Description says what the pass is, for VoiceOver ("Loyalty card of
	// Example Shop").
	Description locale.Text
	// LogoText is written next to the logo; empty writes nothing.
	LogoText string
	// WebServiceURL is the base URL of the pass web service, without the
	// /v1 that Wallet appends. Empty makes passes that never update.
	WebServiceURL string
	// Terms are the program's terms, on the back of the pass, in each
	// language.
	Terms locale.Text
	// Contact says how to reach the shop (phone, email, address, web site),
	// in each language; Wallet turns those into links on the back of the pass.
	Contact locale.Text
	// Name is the program's name in each language, when it has one in
	// French: pass.json's logo text is then in the member's language.
	Name locale.Text
}

// Card is what one member's pass shows.
type Card struct {
	// Serial identifies the pass within the pass type; a pass with the same
	// serial replaces the one on the phone.
	Serial string
	// AuthenticationToken is the secret Wallet sends to the web service for
	// this pass, 16 characters or more.
	AuthenticationToken string
	// MemberNumber is written under the QR code.
	MemberNumber string
	Name         string
	// Tier chooses the images and the name shown; PreviousTier is the tier
	// the member had before it (empty if none), which says whether the
	// change message congratulates or not.
	Tier         loyalty.Tier
	PreviousTier loyalty.Tier
	Balance      int64
	// NextTier is the next tier and PointsToNextTier how many qualifying
	// points it takes; both are zero at the top tier.
	NextTier         loyalty.Tier
	PointsToNextTier int64
	// MemberSince is the day the member joined, YYYY-MM-DD.
	MemberSince string
	// ExpiringPoints expire on ExpiringOn (YYYY-MM-DD); zero shows nothing.
	ExpiringPoints int64
	ExpiringOn     string
	// Code is the signed member code that the QR code carries.
	Code string
	// Locale is the member's locale ("en", "fr", "fr-FR"): pass.json is
	// written in its language, and Wallet translates the fixed texts to the
	// device's.
	Locale string
	// Voided marks the pass of a deleted account: Wallet shows it as no
	// longer valid.
	Voided bool
	// GivenThisYear is what the member gave to charities this year, in points.
	GivenThisYear int64
	// News is a short message from the program ("Happy birthday…"); Wallet
	// shows it on the lock screen when it changes.
	News string
	// Offers are the promotions the member has now, in the member's
	// language, one a line; empty shows none. They change with no
	// notification: a promotion's start is no message of its own.
	Offers string
	// MemberPageURL links the back of the pass to the member's web page.
	MemberPageURL string
	// ReferralURL is the join page's link with the member's referral code,
	// ReferralCode, for the member to share; empty while referral is off.
	ReferralURL  string
	ReferralCode string
	// Locations are the stores near which Wallet shows the pass on the lock
	// screen, with its text: at most 10, the member's usual ones first.
	Locations []Location
	// The tier's colours, written "rgb(r, g, b)".
	BackgroundColor string
	ForegroundColor string
	LabelColor      string
	// Program is what the operator set of the program's name, terms and
	// contact; what it leaves empty keeps Config's.
	Program ProgramTexts
}

// ProgramTexts are the program's texts an operator sets, in each language.
type ProgramTexts struct {
	Name, Terms, Contact locale.Text
}

// IsZero reports texts that change nothing of Config's.
func (t ProgramTexts) IsZero() bool { return t == ProgramTexts{} }

// with is cfg with the program texts a card carries in place of its own.
func (c Config) with(t ProgramTexts) Config {
	if !t.Name.IsZero() {
		c.OrganizationName, c.LogoText = t.Name.In(locale.English), t.Name.In(locale.English)
		c.Description = locale.Description(t.Name)
		c.Name = t.Name
	}
	if !t.Terms.IsZero() {
		c.Terms = t.Terms
	}
	if !t.Contact.IsZero() {
		c.Contact = t.Contact
	}
	return c
}

var (
	passTypeIDPattern = regexp.MustCompile(`^pass\.[A-Za-z0-9.-]+$`)
	teamIDPattern     = regexp.MustCompile(`^[A-Z0-9]{10}$`)
	colorPattern      = regexp.MustCompile(`^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$`)
)

// minTokenLength is Apple's lower bound for authenticationToken.
const minTokenLength = 16

func (c Config) validate() error {
	switch {
	case !passTypeIDPattern.MatchString(c.PassTypeID):
		return fmt.Errorf("pass type id %q must look like pass.com.example.loyalty", c.PassTypeID)
	case !teamIDPattern.MatchString(c.TeamID):
		return fmt.Errorf("team id %q must be the ten upper-case letters and digits Apple gives", c.TeamID)
	case strings.TrimSpace(c.OrganizationName) == "":
		return errors.New("the organization name is required")
	case strings.TrimSpace(c.Description.In(locale.English)) == "":
		return errors.New("the description is required")
	}
	if c.WebServiceURL != "" {
		if err := checkURL(c.WebServiceURL); err != nil {
			return fmt.Errorf("web service URL: %w", err)
		}
	}
	return nil
}

func (c Card) validate(cfg Config) error {
	switch {
	case c.Serial == "":
		return errors.New("the serial number is required")
	case cfg.WebServiceURL != "" && len(c.AuthenticationToken) < minTokenLength:
		return fmt.Errorf("the authentication token must be %d characters or more", minTokenLength)
	case c.Tier.Rank() < 0:
		return fmt.Errorf("the tier %q is not one of the program's", c.Tier)
	case c.NextTier != "" && c.NextTier.Rank() < 0:
		return fmt.Errorf("the next tier %q is not one of the program's", c.NextTier)
	case c.Code == "":
		return errors.New("the member code is required")
	case !isLatin1(c.Code):
		return errors.New("the member code must be ISO-8859-1 text, the encoding the QR code is drawn in")
	case c.PointsToNextTier < 0:
		return errors.New("points to the next tier cannot be negative")
	case c.ExpiringPoints > 0 && c.ExpiringOn == "":
		return errors.New("expiring points need the day they expire")
	}
	for _, color := range []string{c.BackgroundColor, c.ForegroundColor, c.LabelColor} {
		if color != "" && !validColor(color) {
			return fmt.Errorf("colour %q must be written rgb(r, g, b) with values up to 255", color)
		}
	}
	if c.MemberPageURL != "" {
		if err := checkURL(c.MemberPageURL); err != nil {
			return fmt.Errorf("member page URL: %w", err)
		}
	}
	if c.ReferralURL != "" {
		if err := checkURL(c.ReferralURL); err != nil {
			return fmt.Errorf("referral URL: %w", err)
		}
	}
	return nil
}

func isLatin1(s string) bool {
	for _, r := range s {
		if r > 0xFF {
			return false
		}
	}
	return true
}

func validColor(s string) bool {
	m := colorPattern.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	for _, v := range m[1:] {
		if n, _ := strconv.Atoi(v); n > 255 {
			return false
		}
	}
	return true
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

// Location is a place where the pass is relevant.
type Location struct {
	Latitude, Longitude float64
	// RelevantText is what the lock screen says there.
	RelevantText string
}
