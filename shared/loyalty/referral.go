package loyalty

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
)

// Errors of a referral.
var (
	// ErrUnknownReferralCode: a referral code that names no member.
	ErrUnknownReferralCode = errors.New("unknown referral code")
	// ErrSelfReferral: a member cannot refer themselves, nor their own email.
	ErrSelfReferral = errors.New("a member cannot refer themselves")
)

// ReferralRules are the program's referral (parrainage) terms. When a member
// who joined with another's code first earns on a purchase of at least
// MinPurchase (minor units of the program's currency: 1000 is 10.00 EUR),
// the new member gets NewMemberPoints and the referrer ReferrerPoints, the
// referrer at most MonthlyCap times a calendar month (UTC). The zero
// ReferralRules is off.
type ReferralRules struct {
	Enabled         bool  `json:"enabled"`
	ReferrerPoints  int64 `json:"referrerPoints"`
	NewMemberPoints int64 `json:"newMemberPoints"`
	MinPurchase     int64 `json:"minPurchase"`
	MonthlyCap      int64 `json:"monthlyCap"`
}

func (r ReferralRules) validate() error {
	if !r.Enabled {
		return nil
	}
	if r.ReferrerPoints < 0 || r.ReferrerPoints > 1_000_000 || r.NewMemberPoints < 0 || r.NewMemberPoints > 1_000_000 {
		return fmt.Errorf("%w: referral.referrerPoints and referral.newMemberPoints must be between 0 and 1000000", ErrInvalid)
	}
	if r.MonthlyCap < 1 || r.MonthlyCap > 1000 {
		return fmt.Errorf("%w: referral.monthlyCap, the bonuses a referrer gets a month, must be between 1 and 1000", ErrInvalid)
	}
	if r.MinPurchase < 0 || r.MinPurchase > MaxAmount {
		return fmt.Errorf("%w: referral.minPurchase is minor units of the program's currency, from 0 to %d", ErrInvalid, int64(MaxAmount))
	}
	return nil
}

// qualifies reports whether a purchase of amount (in the program's
// currency, which Earn checked) rewards a referral.
func (r ReferralRules) qualifies(amount Money) bool {
	return r.Enabled && amount.Value >= r.MinPurchase
}

// Referral is what came of a member's joining with another's referral code.
type Referral struct {
	ReferrerID string `json:"referrerId"`
	// Earning is the Seq of the earning that rewarded the referral, 0 until
	// one did; the bonuses are given once.
	Earning int64 `json:"earning,omitempty"`
	// MinPurchase is the minimum the earning was rewarded on: a refund that
	// leaves less of it takes both bonuses back.
	MinPurchase int64 `json:"minPurchase,omitempty"`
	// NewMemberPoints and ReferrerPoints are the bonuses given; the
	// referrer's is 0 when their month's cap was reached.
	NewMemberPoints int64 `json:"newMemberPoints,omitempty"`
	ReferrerPoints  int64 `json:"referrerPoints,omitempty"`
	TakenBack       bool  `json:"takenBack,omitempty"`
}

// Rewarded reports whether the referral's bonuses were given.
func (r *Referral) Rewarded() bool { return r != nil && r.Earning != 0 }

// referralCodeLength is the length of a referral code: 50 random-looking
// bits, so that two members of a large program practically never share one.
const referralCodeLength = 10

var referralEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// ReferralCode is the code a member shares to refer others. It is derived
// from the member's id but does not reveal it (nor the card's number, which
// the till accepts): only the store's lookup item leads back to the member.
func (m Member) ReferralCode() string {
	sum := sha256.Sum256([]byte("fidelio/referral\x00" + m.ID))
	return referralEncoding.EncodeToString(sum[:])[:referralCodeLength]
}

// ParseReferralCode reads a referral code as a person types it: any case,
// with or without spaces or dashes. It returns false when s cannot be one.
func ParseReferralCode(s string) (string, bool) {
	code := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(code) != referralCodeLength {
		return "", false
	}
	for _, r := range code {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return "", false
		}
	}
	return code, true
}

// sameMailbox compares emails as one mailbox: normalized, and without a
// "+tag" in the local part, which delivers to the same person.
func sameMailbox(a, b string) bool {
	untagged := func(email string) string {
		local, domain, _ := strings.Cut(NormalizeEmail(email), "@")
		local, _, _ = strings.Cut(local, "+")
		return local + "@" + domain
	}
	return untagged(a) == untagged(b)
}

// referrerOf finds the member whose code a new member joins with, refusing
// an unknown code and the new member's own email.
func (p *Program) referrerOf(ctx context.Context, code string, newMember Profile) (string, error) {
	parsed, ok := ParseReferralCode(code)
	if !ok {
		return "", fmt.Errorf("%w: referralCode %q is not a referral code", ErrUnknownReferralCode, code)
	}
	found, err := p.book.MembersByReferralCode(ctx, parsed)
	if err != nil {
		return "", fmt.Errorf("find referral code: %w", err)
	}
	// A deleted account's code finds no one, even through a lookup item
	// left by a deletion made before erasures removed it.
	if len(found) != 1 || !found[0].ErasedAt.IsZero() {
		return "", fmt.Errorf("%w: no member has the referral code %s", ErrUnknownReferralCode, parsed)
	}
	if sameMailbox(found[0].Email, newMember.Email) {
		return "", fmt.Errorf("%w: %s is the referrer's own email", ErrSelfReferral, newMember.Email)
	}
	return found[0].ID, nil
}

// rewardReferral gives both bonuses of the new member's referral when
// earning (just posted) is their first purchase of at least the minimum: the
// referrer's change joins the new member's in one commit (d.referrer).
func (p *Program) rewardReferral(ctx context.Context, d *draft, rules Rules, earning LedgerEntry) error {
	ref := d.m.Referral
	terms := rules.Referral
	if ref == nil || ref.Rewarded() || ref.TakenBack || !terms.qualifies(*earning.Amount) {
		return nil
	}
	next := *ref
	next.Earning, next.MinPurchase = earning.Seq, terms.MinPurchase
	referrer, err := p.referrerDraft(ctx, d, ref.ReferrerID)
	if err != nil {
		return err
	}
	if referrer != nil && terms.ReferrerPoints > 0 && referrer.m.referralsIn(MonthOf(d.now)) < terms.MonthlyCap {
		if err := referrer.credit(rules.LotExpiry(d.now), LedgerEntry{Kind: KindReferral, Points: terms.ReferrerPoints, Actor: "program", Ref: Reference{Referred: d.m.ID}}); err != nil {
			return err
		}
		referrer.m.countReferral(MonthOf(d.now))
		referrer.m.Activity.Referrals++
		next.ReferrerPoints = terms.ReferrerPoints
		d.referrer = referrer
	}
	if terms.NewMemberPoints > 0 {
		if err := d.credit(rules.LotExpiry(d.now), LedgerEntry{Kind: KindReferral, Points: terms.NewMemberPoints, Actor: "program", Ref: Reference{Referrer: ref.ReferrerID}}); err != nil {
			return err
		}
		next.NewMemberPoints = terms.NewMemberPoints
	}
	d.m.Referral = &next
	return nil
}

// takeBackReferral takes both bonuses back when a refund of the earning
// that rewarded them leaves less than the minimum it was rewarded on. Each
// gives back what is left of its bonus, never more than the balance (the
// rest is the entry's shortfall).
func (p *Program) takeBackReferral(ctx context.Context, d *draft, earning LedgerEntry) error {
	ref := d.m.Referral
	if ref == nil || ref.Earning != earning.Seq || ref.TakenBack || earning.Amount.Value-d.reversed.Amount >= max(ref.MinPurchase, 1) {
		return nil
	}
	next := *ref
	next.TakenBack = true
	d.m.Referral = &next
	if ref.NewMemberPoints > 0 {
		d.takeBack(ref.NewMemberPoints, Reference{Referrer: ref.ReferrerID})
	}
	if ref.ReferrerPoints == 0 {
		return nil
	}
	referrer, err := p.referrerDraft(ctx, d, ref.ReferrerID)
	if referrer == nil || err != nil {
		return err
	}
	referrer.takeBack(ref.ReferrerPoints, Reference{Referred: d.m.ID})
	referrer.m.Activity.Referrals = max(0, referrer.m.Activity.Referrals-1)
	d.referrer = referrer
	return nil
}

// referrerDraft opens a change of the referrer beside d, nil when the
// referrer's account is gone or blocked (their bonus is then not given).
func (p *Program) referrerDraft(ctx context.Context, d *draft, referrerID string) (*draft, error) {
	acct, err := p.book.LoadAccount(ctx, referrerID)
	if errors.Is(err, ErrMemberNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read referrer %s: %w", referrerID, err)
	}
	if acct.Member.Usable() != nil {
		return nil, nil
	}
	return newDraft(acct, d.now, d.ids), nil
}

// takeBack posts a referral bonus's taking back.
func (d *draft) takeBack(points int64, ref Reference) {
	taken, _ := d.lots.debit(min(points, d.m.Balance), nil)
	d.post(LedgerEntry{Kind: KindReferral, Points: -taken, Shortfall: points - taken, Actor: "program", Ref: ref})
}

// referralsIn is how many referral bonuses the member got in month.
func (m Member) referralsIn(month Month) int64 {
	if m.ReferralMonth != month {
		return 0
	}
	return m.ReferralsInMonth
}

func (m *Member) countReferral(month Month) {
	m.ReferralsInMonth = m.referralsIn(month) + 1
	m.ReferralMonth = month
}

// ReferralFigures count referrals by the new members: those who joined with
// a code, those whose first purchase rewarded it, and those whose refund
// took the bonuses back.
type ReferralFigures struct {
	Joined    int64 `json:"joined"`
	Rewarded  int64 `json:"rewarded"`
	TakenBack int64 `json:"takenBack"`
}

// countReferrals adds what the change did to the new member's referral to
// the program's counters (see statsChange).
func (d *draft) countReferrals(add func(string, int64)) {
	was, is := d.orig.Referral, d.m.Referral
	if d.prev == 0 && is != nil {
		add("referrals", 1)
	}
	if !was.Rewarded() && is.Rewarded() {
		add("referralsRewarded", 1)
	}
	if (was == nil || !was.TakenBack) && is != nil && is.TakenBack {
		add("referralsTakenBack", 1)
	}
}
