package loyalty

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	// Lambda's runtime has no zoneinfo: members' time zones must resolve anywhere.
	_ "time/tzdata"
)

// Member is one person in the program and the state of their account.
type Member struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Birthday is optional; BirthdayChangedAt guards birthday rewards against a
	// date moved to collect a present.
	Birthday          Date      `json:"birthday,omitzero"`
	BirthdayChangedAt time.Time `json:"birthdayChangedAt,omitzero"`
	// LastBirthdayYear is the year, in the member's time zone, of the last
	// birthday present: a present is given once a year.
	LastBirthdayYear int    `json:"lastBirthdayYear,omitempty"`
	TimeZone         string `json:"timeZone"`
	Locale           string `json:"locale"`

	Tier Tier `json:"tier"`
	// PreviousTier is the tier the member left at the last change of tier
	// (empty before any), so that the card tells a rise from a fall.
	PreviousTier Tier `json:"previousTier,omitempty"`
	// ReviewedTier is the tier the last review (or enrollment) granted: only a
	// review lowers a tier below it, a reversal never does.
	ReviewedTier Tier  `json:"reviewedTier"`
	Balance      int64 `json:"balance"`
	// Qualifying holds the qualifying points earned per UTC day, for the last
	// QualifyingDays days only: the tier window is exact and the map stays small.
	Qualifying   map[string]int64 `json:"qualifying,omitempty"`
	TierReviewOn Date             `json:"tierReviewOn,omitzero"`
	// LastEarnedOn is the UTC day of the member's latest earning: the
	// program's count of active members needs it (see activeCounter).
	LastEarnedOn Date `json:"lastEarnedOn,omitzero"`
	// Activity is what the member's purchases say: recency, frequency and
	// spend, usual store; segments read it.
	Activity Activity `json:"activity,omitzero"`

	// DonationPlan is the member's standing gift to a charity, nil for none.
	DonationPlan *DonationPlan `json:"donationPlan,omitempty"`
	// PledgedMonth is the last month whose monthly gift was made or
	// skipped: a month's is made once, even when the plan is set again.
	PledgedMonth Month `json:"pledgedMonth,omitzero"`
	// Giving is what the member gave this year and month.
	Giving Giving `json:"giving,omitzero"`

	// Referral is what came of joining with another member's referral
	// code, nil for a member who joined without one. ReferralMonth and
	// ReferralsInMonth count the referral bonuses the member got as a
	// referrer in the month, held to the rules' monthly cap.
	Referral         *Referral `json:"referral,omitempty"`
	ReferralMonth    Month     `json:"referralMonth,omitzero"`
	ReferralsInMonth int64     `json:"referralsInMonth,omitempty"`

	// Version increases with every committed change; Book.Commit is
	// conditioned on it (optimistic concurrency).
	Version int64 `json:"version"`
	// LedgerSeq is the sequence number of the member's latest ledger entry.
	// Entries are numbered 1, 2, 3… so the ledger's order is exact.
	LedgerSeq int64 `json:"ledgerSeq"`

	// Serial identifies the member's wallet card: the member's id, so that
	// the Wallet web service finds a pass without an index.
	Serial string `json:"serial"`
	// CardUpdatedAt is when what the card shows last changed, in whole
	// seconds, each change a later second than the one before.
	CardUpdatedAt time.Time `json:"cardUpdatedAt,omitzero"`
	// CardRefresh is the last card refresh that moved the card (CardRefresh.ID).
	CardRefresh string `json:"cardRefresh,omitempty"`
	// ExpiryNoticeOn is the expiry day of the last lot announced on the card.
	ExpiryNoticeOn Date `json:"expiryNoticeOn,omitzero"`
	// NearTierNotice is the last occasion the member was told the next tier
	// is close ("<tier>/<threshold>/<review day>"), so it is told once.
	NearTierNotice string `json:"nearTierNotice,omitempty"`
	// TokenHash is the SHA-256 of the member's bearer token; the token itself is never stored.
	TokenHash string `json:"tokenHash"`
	// CodeGeneration counts the re-issues of the member's code (and token):
	// the code is signed with it, so the codes of earlier ones are refused.
	CodeGeneration int64 `json:"codeGeneration,omitempty"`

	// Marketing is the member's consent to marketing messages (campaigns,
	// close to the next tier), off until the member gives it. News is the
	// message the card shows (a campaign's or an automatic one), nil for none.
	Marketing bool  `json:"marketing,omitempty"`
	News      *News `json:"news,omitempty"`

	// BlockedAt is when an operator blocked the member, zero when not
	// blocked: a blocked member's card is refused at the till, earns and
	// redeems nothing until unblocked. BlockNote says why.
	BlockedAt time.Time `json:"blockedAt,omitzero"`
	BlockNote string    `json:"blockNote,omitempty"`

	// ErasedAt is when the member deleted their account, zero until then:
	// their personal data is gone, and the ledger stays, anonymous, for the
	// program's totals.
	ErasedAt time.Time `json:"erasedAt,omitzero"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// moveTo puts the member in tier t, remembering the tier left.
func (m *Member) moveTo(t Tier) {
	if t != m.Tier {
		m.PreviousTier, m.Tier = m.Tier, t
	}
}

// Account is a member with the lots that make up their balance, soonest expiry first.
type Account struct {
	Member Member
	Lots   []Lot
}

// QualifyingPoints sums the qualifying points of the QualifyingDays days up to today.
func (m Member) QualifyingPoints(today Date) int64 {
	from := today.AddDays(-QualifyingDays + 1).String()
	var sum int64
	for day, pts := range m.Qualifying {
		if day >= from {
			sum += pts
		}
	}
	return sum
}

// addQualifying records qualifying points (negative to take them back) on a
// day and forgets days that have left the window.
func (m *Member) addQualifying(day Date, points int64, today Date) {
	next := make(map[string]int64, len(m.Qualifying)+1)
	from := today.AddDays(-QualifyingDays + 1).String()
	for d, p := range m.Qualifying {
		if d >= from {
			next[d] = p
		}
	}
	if key := day.String(); key >= from {
		next[key] = max(0, next[key]+points)
		if next[key] == 0 {
			delete(next, key)
		}
	}
	m.Qualifying = next
}

// NormalizeEmail is the form in which emails are compared: trimmed and lower case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

var localePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)

// Profile is what a person tells the program about themselves.
type Profile struct {
	Name     string
	Email    string
	Birthday Date
	TimeZone string
	Locale   string
	// Marketing is the consent to marketing messages.
	Marketing bool
}

// validate checks and normalizes a profile; today bounds the birthday.
func (p Profile) validate(today Date) (Profile, error) {
	var err error
	if p.Name, err = cleanText("name", p.Name, 100, false); err != nil {
		return p, err
	}
	if p.Email, err = ValidEmail(p.Email); err != nil {
		return p, err
	}
	if !p.Birthday.IsZero() {
		if p.Birthday.Year < 1900 || !p.Birthday.Before(today) {
			return p, fmt.Errorf("%w: birthday must be a past date after 1900", ErrInvalid)
		}
	}
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
		return p, fmt.Errorf("%w: %q is not an IANA time zone such as Europe/Paris", ErrInvalid, p.TimeZone)
	}
	if p.Locale == "" {
		p.Locale = "en"
	}
	if !localePattern.MatchString(p.Locale) {
		return p, fmt.Errorf("%w: %q is not a locale such as en or fr-FR", ErrInvalid, p.Locale)
	}
	return p, nil
}

// EmailHint is the member's email as the till shows it: enough for the
// customer to recognise it, never the whole address ("j•••t@example.com").
func (m Member) EmailHint() string {
	local, domain, ok := strings.Cut(m.Email, "@")
	if !ok || local == "" {
		return ""
	}
	runes := []rune(local)
	hint := string(runes[0]) + "•••"
	if len(runes) >= 4 {
		hint += string(runes[len(runes)-1])
	}
	return hint + "@" + domain
}

// ExpiringWithin lists the account's lots that expire in the days days from
// today, today included, soonest first.
func (a Account) ExpiringWithin(today Date, days int) []Lot {
	last := today.AddDays(days)
	out := []Lot{}
	for _, l := range a.Lots {
		if !l.ExpiresOn.Before(today) && !last.Before(l.ExpiresOn) {
			out = append(out, l)
		}
	}
	return out
}
