package loyalty

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Rules are the program's terms, set by the operator.
type Rules struct {
	// Currency is the ISO 4217 currency purchases are made in.
	Currency string `json:"currency"`
	// PointsPerUnit is how many points one whole unit of currency earns at a multiplier of 100%.
	PointsPerUnit int64 `json:"pointsPerUnit"`
	// MultiplierPercent per tier: 125 means 1.25 points for every base point.
	MultiplierPercent map[Tier]int64 `json:"multiplierPercent"`
	// Thresholds are the qualifying points, earned in the last QualifyingDays, that reach each tier.
	Thresholds map[Tier]int64 `json:"thresholds"`
	// WelcomeBonus is credited at enrollment.
	WelcomeBonus int64 `json:"welcomeBonus"`
	// BirthdayBonus is credited on the member's birthday.
	BirthdayBonus int64 `json:"birthdayBonus"`
	// ExpiryMonths: points earned in a month can be spent until the end of the
	// month that many months later.
	ExpiryMonths int `json:"expiryMonths"`

	// Name, Terms and Contact are what the join page and the cards say of
	// the program. An empty Name leaves the name the deployment was given.
	Name    Texts `json:"name,omitzero"`
	Terms   Texts `json:"terms,omitzero"`
	Contact Texts `json:"contact,omitzero"`

	// Version counts the saves of the rules: 0 for DefaultRules, one more at
	// each save. The store keeps it beside the rules; it is not part of the
	// API's body. A save is conditioned on the version it was computed from,
	// so two operators changing different rules at once never lose each
	// other's change.
	Version int64 `json:"-"`
	// PointValue values the points members hold, in the program's reports.
	PointValue PointValue `json:"pointValue,omitzero"`

	// MaxPerReceipt is the most one receipt may earn on, and ConfirmAbove
	// the amount above which the till must confirm an earning with a second
	// tap (2390 typed for 23.90 is caught there). Zero is the default,
	// ReceiptLimits.
	MaxPerReceipt Money `json:"maxPerReceipt,omitzero"`
	ConfirmAbove  Money `json:"confirmAbove,omitzero"`
	// CrossStoreRefunds lets a store's staff refund another store's
	// earning; without it only an operator key may.
	CrossStoreRefunds bool `json:"crossStoreRefunds,omitempty"`
	// Referral is the referral (parrainage) terms; off when not Enabled.
	// Always stored: off with every value zero is its zero, which rules
	// stored before referral existed read as the defaults.
	Referral ReferralRules `json:"referral"`
	// AutoMessages switches the automatic messages; always stored, since
	// all off is its zero and rules stored before it read the defaults.
	AutoMessages AutoMessages `json:"autoMessages"`
}

// Default receipt limits, in whole units of the program's currency.
const (
	defaultMaxPerReceipt = 10_000
	defaultConfirmAbove  = 300
)

// ReceiptLimits are the most one receipt may earn on and the amount above
// which an earning needs confirming: the rules' own, or the defaults in the
// program's currency.
func (r Rules) ReceiptLimits() (most, confirmAbove Money) {
	unit, _ := unitSize(r.Currency)
	most, confirmAbove = r.MaxPerReceipt, r.ConfirmAbove
	if most.IsZero() {
		most = Money{Value: defaultMaxPerReceipt * unit, Currency: r.Currency}
	}
	if confirmAbove.IsZero() {
		confirmAbove = Money{Value: defaultConfirmAbove * unit, Currency: r.Currency}
	}
	return most, confirmAbove
}

// WithReceiptLimits is the rules with their receipt limits written out, as
// the operator is shown them.
func (r Rules) WithReceiptLimits() Rules {
	r.MaxPerReceipt, r.ConfirmAbove = r.ReceiptLimits()
	return r
}

// checkReceipt refuses an amount above the most a receipt may earn on, and
// one above the confirmation threshold that was not confirmed.
func (r Rules) checkReceipt(amount Money, confirmed bool) error {
	most, confirmAbove := r.ReceiptLimits()
	if amount.Value > most.Value {
		return fmt.Errorf("%w: %s is more than the %s one receipt may earn on", ErrAmountAboveMaximum, amount, most)
	}
	if amount.Value > confirmAbove.Value && !confirmed {
		return fmt.Errorf("%w: %s is more than %s; send it again with confirmed true once the cashier confirms it", ErrConfirmationRequired, amount, confirmAbove)
	}
	return nil
}

// Texts is a text the operator wrote, in English and in French. English is
// what a language without its own text reads.
type Texts struct {
	EN string `json:"en,omitempty"`
	FR string `json:"fr,omitempty"`
}

// IsZero reports a text written in no language.
func (t Texts) IsZero() bool { return t == Texts{} }

// validate checks each language's text, at most most characters, with line
// breaks when lines; a French text needs its English one.
func (t Texts) validate(field string, most int, lines bool) (Texts, error) {
	if t.IsZero() {
		return t, nil
	}
	if t.EN == "" {
		return t, fmt.Errorf("%w: %s needs its English text (en), which every other language falls back to", ErrInvalid, field)
	}
	var err error
	if t.EN, err = cleanText(field+".en", t.EN, most, lines); err != nil {
		return t, err
	}
	if t.FR != "" {
		if t.FR, err = cleanText(field+".fr", t.FR, most, lines); err != nil {
			return t, err
		}
	}
	return t, nil
}

// QualifyingDays is the rolling window of qualifying points that decides a tier.
const QualifyingDays = 365

// MaxPoints bounds every balance, lot and qualifying total, and so every
// single credit: a trillion points, beyond any real program, and so far
// below int64's 9.2 × 10^18 that no sum of them overflows in real use (a
// charity's totals would need more than nine million gifts of a whole
// full account). A change that would pass it is refused with ErrPointsLimit.
const MaxPoints = 1_000_000_000_000

// DefaultRules are the terms a new program starts with.
func DefaultRules() Rules {
	return Rules{
		Currency:          "EUR",
		PointsPerUnit:     1,
		MultiplierPercent: map[Tier]int64{Bronze: 100, Silver: 125, Gold: 150, Platinum: 200},
		Thresholds:        map[Tier]int64{Bronze: 0, Silver: 500, Gold: 1500, Platinum: 5000},
		WelcomeBonus:      50,
		BirthdayBonus:     100,
		ExpiryMonths:      12,
		PointValue:        PointValue{Minor: 1, Points: 1},
		Referral:          ReferralRules{Enabled: true, ReferrerPoints: 100, NewMemberPoints: 50, MinPurchase: 1000, MonthlyCap: 10},
		AutoMessages:      AutoMessages{Expiring: true, NearTier: true, Birthday: true},
	}
}

// Validate refuses rules that would make the arithmetic overflow or the tiers
// ambiguous, and texts that a card could not show.
func (r Rules) Validate() error {
	if _, err := r.cleanTexts(); err != nil {
		return err
	}
	if _, err := unitSize(r.Currency); err != nil {
		return err
	}
	if r.PointsPerUnit < 0 || r.PointsPerUnit > 1000 {
		return fmt.Errorf("%w: pointsPerUnit must be between 0 and 1000", ErrInvalid)
	}
	if len(r.MultiplierPercent) != len(Tiers) || len(r.Thresholds) != len(Tiers) {
		return fmt.Errorf("%w: multiplierPercent and thresholds take exactly the tiers bronze, silver, gold and platinum", ErrInvalid)
	}
	prev := int64(-1)
	for _, t := range Tiers {
		m, ok := r.MultiplierPercent[t]
		if !ok || m < 0 || m > 1000 {
			return fmt.Errorf("%w: multiplierPercent for %s must be between 0 and 1000", ErrInvalid, t)
		}
		th, ok := r.Thresholds[t]
		if !ok || th < 0 || th > 1_000_000_000 {
			return fmt.Errorf("%w: threshold for %s must be between 0 and 1000000000", ErrInvalid, t)
		}
		if th <= prev {
			return fmt.Errorf("%w: thresholds must rise with each tier (%s is %d)", ErrInvalid, t, th)
		}
		prev = th
	}
	// The largest purchase at the highest multiplier earns at most MaxPoints,
	// and the products on the way (at most 10^17) stay far below int64's limit.
	unit, _ := unitSize(r.Currency)
	top := slices.Max(slices.Collect(maps.Values(r.MultiplierPercent)))
	if most := MaxAmount / unit * r.PointsPerUnit * top / 100; most > MaxPoints {
		return fmt.Errorf("%w: the largest purchase (%d %s) would earn %d points at %d%%, more than the %d an account can hold: lower pointsPerUnit or the multipliers", ErrInvalid, MaxAmount/unit, r.Currency, most, top, int64(MaxPoints))
	}
	if r.Thresholds[Bronze] != 0 {
		return fmt.Errorf("%w: bronze threshold must be 0, every member starts there", ErrInvalid)
	}
	if r.WelcomeBonus < 0 || r.WelcomeBonus > 1_000_000 || r.BirthdayBonus < 0 || r.BirthdayBonus > 1_000_000 {
		return fmt.Errorf("%w: welcomeBonus and birthdayBonus must be between 0 and 1000000", ErrInvalid)
	}
	if r.ExpiryMonths < 1 || r.ExpiryMonths > 120 {
		return fmt.Errorf("%w: expiryMonths must be between 1 and 120", ErrInvalid)
	}
	for name, limit := range map[string]Money{"maxPerReceipt": r.MaxPerReceipt, "confirmAbove": r.ConfirmAbove} {
		if limit.IsZero() {
			continue
		}
		if err := limit.Validate(); err != nil {
			return fmt.Errorf("%w (%s)", err, name)
		}
		if limit.Currency != r.Currency {
			return fmt.Errorf("%w: %s must be in the program's currency, %s", ErrInvalid, name, r.Currency)
		}
	}
	if err := r.Referral.validate(); err != nil {
		return err
	}
	return r.PointValue.validate()
}

// cleanTexts returns the rules with their texts trimmed, or why one is refused.
func (r Rules) cleanTexts() (Rules, error) {
	var err error
	if r.Name, err = r.Name.validate("name", 60, false); err != nil {
		return r, err
	}
	if r.Terms, err = r.Terms.validate("terms", 2000, true); err != nil {
		return r, err
	}
	if r.Contact, err = r.Contact.validate("contact", 500, true); err != nil {
		return r, err
	}
	return r, nil
}

// EarnPoints is what a purchase earns at a tier: one base point per
// PointsPerUnit for every whole unit of currency (12.50 EUR is 12 units),
// times the tier's multiplier, always rounded down. Integers only.
func (r Rules) EarnPoints(amount Money, tier Tier) (int64, error) {
	if err := amount.Validate(); err != nil {
		return 0, err
	}
	if amount.Currency != r.Currency {
		return 0, fmt.Errorf("%w: this program takes purchases in %s, not %s", ErrInvalid, r.Currency, amount.Currency)
	}
	unit, err := unitSize(amount.Currency)
	if err != nil {
		return 0, err
	}
	base := amount.Value / unit * r.PointsPerUnit
	return base * r.MultiplierPercent[tier] / 100, nil
}

// TierFor is the highest tier whose threshold qualifying reaches.
func (r Rules) TierFor(qualifying int64) Tier {
	best := Bronze
	for _, t := range Tiers {
		if qualifying >= r.Thresholds[t] {
			best = t
		}
	}
	return best
}

// NextTier returns the tier above t and the qualifying points still needed to
// reach it; ok is false at the top.
func (r Rules) NextTier(t Tier, qualifying int64) (next Tier, needed int64, ok bool) {
	rank := t.Rank()
	if rank < 0 || rank+1 >= len(Tiers) {
		return "", 0, false
	}
	next = Tiers[rank+1]
	return next, max(0, r.Thresholds[next]-qualifying), true
}

// LotExpiry is the last day points credited at t can be spent.
func (r Rules) LotExpiry(t time.Time) Date {
	return DateOf(t.UTC()).EndOfMonthAfter(r.ExpiryMonths)
}

// NameOr is the program's name, or fallback (the name the deployment was
// given) when the operator set none.
func (r Rules) NameOr(fallback string) Texts {
	if r.Name.IsZero() {
		return Texts{EN: fallback}
	}
	return r.Name
}

// In is the text in a language ("en", "fr"; "fr-FR" reads French), English
// when it has none in that language.
func (t Texts) In(lang string) string {
	if len(lang) >= 2 && lang[:2] == "fr" && t.FR != "" {
		return t.FR
	}
	return t.EN
}
