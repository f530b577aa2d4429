package loyalty

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Program carries out the operations of a loyalty program on its Book.
type Program struct {
	book    Book
	clock   Clock
	ids     IDs
	rules   *RulesCache
	rewards *RewardsCache
	// promotions are read as the rules are, at most once per RulesMaxAge.
	promotions *PromotionsCache
}

// NewProgram returns a Program; a nil clock or ids means the real ones.
func NewProgram(book Book, clock Clock, ids IDs) *Program {
	if clock == nil {
		clock = SystemClock{}
	}
	if ids == nil {
		ids = NewRandomIDs()
	}
	return &Program{book: book, clock: clock, ids: ids, rules: NewRulesCache(book, clock), rewards: NewRewardsCache(book, clock), promotions: NewPromotionsCache(book, clock)}
}

// Rewards lists the rewards this instance offers, cheapest first: at most
// RewardsMaxAge old, with the ones it saved last.
func (p *Program) Rewards(ctx context.Context) ([]Reward, error) { return p.rewards.Rewards(ctx) }

// RewardSaved takes a reward just saved (or retired) into the list this
// instance offers; every other takes it within RewardsMaxAge.
func (p *Program) RewardSaved(r Reward) { p.rewards.Saved(r) }

// Rules returns the rules this instance decides with: at most RulesMaxAge
// old, or the ones it saved last.
func (p *Program) Rules(ctx context.Context) (Rules, error) { return p.rules.Rules(ctx) }

// SaveRules replaces the program's rules whole: this instance decides with
// them from its next change, every other within RulesMaxAge.
func (p *Program) SaveRules(ctx context.Context, rules Rules) (Rules, error) {
	return p.ChangeRules(ctx, func(Rules) (Rules, error) { return rules, nil })
}

// Now is the program's clock reading, in UTC.
func (p *Program) Now() time.Time { return p.clock.Now().UTC() }

// Receipt is the result of a change of balance.
type Receipt struct {
	Entry        LedgerEntry `json:"entry"`
	Balance      int64       `json:"balance"`
	Tier         Tier        `json:"tier"`
	PreviousTier Tier        `json:"previousTier"`
	// Donation is what a gift gave its charity, nil for other changes.
	Donation *Gift `json:"donation,omitempty"`
	// Replayed is true when the answer is the stored one of an earlier identical request.
	Replayed bool `json:"-"`
}

// Enrollment is the result of joining the program.
type Enrollment struct {
	Member Member `json:"member"`
	// Token is the member's bearer token, in clear only in this answer.
	Token    string `json:"token"`
	Replayed bool   `json:"-"`
}

// EnrollRequest asks for a new member.
type EnrollRequest struct {
	Profile Profile
	// ReferralCode, when set, is the code of the member who referred this
	// one: ErrUnknownReferralCode when no member has it, ErrSelfReferral
	// for the new member's own email. The program ignores it when its
	// referral is off.
	ReferralCode string
	Key          IdemKey
}

// Enroll creates a member with the welcome bonus. An email is enrolled once,
// compared case-insensitively.
func (p *Program) Enroll(ctx context.Context, req EnrollRequest) (Enrollment, error) {
	now := p.Now()
	profile, err := req.Profile.validate(DateOf(now))
	if err != nil {
		return Enrollment{}, err
	}
	reqHash := RequestHash("enroll", profile.Name, profile.Email, profile.Birthday, profile.TimeZone, profile.Locale)
	if profile.Marketing {
		// Only a consent or a referral code changes the fingerprint: keys
		// sent before they existed replay as they were.
		reqHash = RequestHash("enroll", profile.Name, profile.Email, profile.Birthday, profile.TimeZone, profile.Locale, true)
	}
	if req.ReferralCode != "" {
		reqHash = RequestHash("enroll", profile.Name, profile.Email, profile.Birthday, profile.TimeZone, profile.Locale, profile.Marketing, req.ReferralCode)
	}
	return untilCommitted(ctx, func() (Enrollment, error) {
		var out Enrollment
		if replayed, err := p.replay(ctx, req.Key, reqHash, now, &out); replayed || err != nil {
			out.Replayed = replayed
			return out, err
		}
		rules, err := p.rules.Rules(ctx)
		if err != nil {
			return Enrollment{}, fmt.Errorf("enroll: %w", err)
		}
		id := p.ids.NewID(now)
		token := "fm_" + id + "_" + p.ids.Secret()
		m := Member{
			ID: id, Name: profile.Name, Email: profile.Email,
			Birthday: profile.Birthday, TimeZone: profile.TimeZone, Locale: profile.Locale, Marketing: profile.Marketing,
			Tier: Bronze, ReviewedTier: Bronze, TierReviewOn: DateOf(now.AddDate(1, 0, 0)),
			Serial: id, TokenHash: HashSecret(token), CreatedAt: now, Activity: Activity{Complete: true},
		}
		if !m.Birthday.IsZero() {
			m.BirthdayChangedAt = now
		}
		if req.ReferralCode != "" && rules.Referral.Enabled {
			referrer, err := p.referrerOf(ctx, req.ReferralCode, profile)
			if err != nil {
				return Enrollment{}, err
			}
			m.Referral = &Referral{ReferrerID: referrer}
		}
		d := newDraft(Account{Member: m}, now, p.ids)
		if rules.WelcomeBonus > 0 {
			if err := d.credit(rules.LotExpiry(now), LedgerEntry{Kind: KindWelcome, Points: rules.WelcomeBonus, Actor: "program"}); err != nil {
				return Enrollment{}, err
			}
		}
		out = Enrollment{Token: token}
		posting, err := d.posting()
		if err != nil {
			return Enrollment{}, err
		}
		out.Member = posting.Member
		if err := p.commit(ctx, &posting, req.Key, reqHash, now, out); err != nil {
			return Enrollment{}, err
		}
		return out, nil
	})
}

// EarnRequest awards points for a purchase. A store's receipt earns once.
type EarnRequest struct {
	MemberID  string
	Amount    Money
	StoreID   string
	ReceiptID string
	Actor     Actor
	// Confirmed says the cashier confirmed an amount above the rules'
	// ConfirmAbove. It is not part of the request: the confirmed resend of
	// a refused earning is the same earning.
	Confirmed bool
	// Check, when set, is run first on the member as the earning reads it:
	// a till's scanned code is checked there against the member's code
	// generation, so that the member is not read a second time for it.
	Check func(Member) error
}

// Earn credits the points a purchase earns at the member's tier, counts them
// towards the tier, and upgrades the member as soon as a threshold is crossed.
func (p *Program) Earn(ctx context.Context, req EarnRequest) (Receipt, error) {
	if err := validRef("storeId", req.StoreID); err != nil {
		return Receipt{}, err
	}
	if err := validRef("receiptId", req.ReceiptID); err != nil {
		return Receipt{}, err
	}
	if err := req.Amount.Validate(); err != nil {
		return Receipt{}, err
	}
	key := IdemKey{Scope: "earn/" + req.StoreID, Key: req.ReceiptID}
	return p.change(ctx, req.MemberID, req.Actor, key, RequestHash("earn", req.MemberID, req.Amount),
		func(d *draft, rules Rules) error {
			if req.Check != nil {
				if err := req.Check(d.m); err != nil {
					return err
				}
			}
			if err := d.m.Usable(); err != nil {
				return err
			}
			points, err := rules.EarnPoints(req.Amount, d.m.Tier)
			if err != nil {
				return err
			}
			if err := rules.checkReceipt(req.Amount, req.Confirmed); err != nil {
				return err
			}
			promo, promoted, err := p.promotionFor(ctx, d.m, req.StoreID, d.now)
			if err != nil {
				return err
			}
			ref := Reference{StoreID: req.StoreID, ReceiptID: req.ReceiptID}
			if promoted {
				points, ref.PromotionID = promo.Multiply(points), promo.ID
			}
			if q := d.m.QualifyingPoints(d.today); points > MaxPoints-q {
				return fmt.Errorf("%w: %d qualifying points cannot take %d more; a member counts at most %d", ErrPointsLimit, q, points, int64(MaxPoints))
			}
			amount := req.Amount
			err = d.credit(rules.LotExpiry(d.now), LedgerEntry{
				Kind: KindEarn, Points: points, Qualifying: points, Amount: &amount, Ref: ref,
			})
			if err != nil {
				return err
			}
			d.m.addQualifying(d.today, points, d.today)
			if t := rules.TierFor(d.m.QualifyingPoints(d.today)); t.Rank() > d.m.Tier.Rank() {
				d.m.moveTo(t)
				d.m.TierReviewOn = DateOf(d.now.AddDate(1, 0, 0))
			}
			d.tellNearTier(rules)
			d.lead = d.m.LedgerSeq
			return p.rewardReferral(ctx, d, rules, d.leadEntry())
		})
}

// RedeemRequest spends points on a reward, at a store.
type RedeemRequest struct {
	MemberID string
	RewardID string
	StoreID  string
	Actor    Actor
	Key      IdemKey
	// Check, when set, is run first on the member as the redemption reads
	// it, as EarnRequest's.
	Check func(Member) error
}

// Redeem spends the reward's points from the lots that expire soonest, at
// the reward's price when the redemption is made. It never makes a balance
// negative. A replay is told apart by what the caller asked for (member,
// reward, store), never by the price: after the operator reprices or removes
// the reward, the till resending the key still gets its first answer.
func (p *Program) Redeem(ctx context.Context, req RedeemRequest) (Receipt, error) {
	if err := ValidSlug("rewardId", req.RewardID); err != nil {
		return Receipt{}, err
	}
	return p.change(ctx, req.MemberID, req.Actor, req.Key, RequestHash("redeem", req.MemberID, req.RewardID, req.StoreID),
		func(d *draft, _ Rules) error {
			if req.Check != nil {
				if err := req.Check(d.m); err != nil {
					return err
				}
			}
			if err := d.m.Usable(); err != nil {
				return err
			}
			reward, err := p.book.Reward(ctx, req.RewardID)
			if err != nil {
				return err
			}
			if err := reward.AvailableTo(d.m.Tier, d.now); err != nil {
				return err
			}
			ref := Reference{RewardID: reward.ID, StoreID: req.StoreID}
			return d.debit(LedgerEntry{Kind: KindRedeem, Points: -reward.Points, Ref: ref})
		})
}

// AdjustRequest is an operator's correction.
type AdjustRequest struct {
	MemberID string
	Points   int64
	Note     string
	Actor    Actor
	Key      IdemKey
}

// Adjust credits or debits points by hand, with a note saying why.
func (p *Program) Adjust(ctx context.Context, req AdjustRequest) (Receipt, error) {
	if err := validPoints(req.Points, true); err != nil {
		return Receipt{}, err
	}
	note, err := cleanText("note", req.Note, 500, false)
	if err != nil {
		return Receipt{}, err
	}
	return p.change(ctx, req.MemberID, req.Actor, req.Key, RequestHash("adjust", req.MemberID, req.Points, note),
		func(d *draft, rules Rules) error {
			e := LedgerEntry{Kind: KindAdjust, Points: req.Points, Ref: Reference{Note: note}}
			if req.Points > 0 {
				return d.credit(rules.LotExpiry(d.now), e)
			}
			return d.debit(e)
		})
}

// change runs the read–decide–commit loop of one balance change: it replays a
// completed request, retries when the account changed under it, and stores
// the answer with the change.
func (p *Program) change(ctx context.Context, memberID string, by Actor, key IdemKey, reqHash string, decide func(*draft, Rules) error) (Receipt, error) {
	if memberID == "" {
		return Receipt{}, ErrMemberNotFound
	}
	return untilCommitted(ctx, func() (Receipt, error) {
		now := p.Now()
		var out Receipt
		if replayed, err := p.replay(ctx, key, reqHash, now, &out); replayed || err != nil {
			out.Replayed = replayed
			return out, err
		}
		acct, err := p.book.LoadAccount(ctx, memberID)
		if err != nil {
			return Receipt{}, err
		}
		rules, err := p.rules.Rules(ctx)
		if err != nil {
			return Receipt{}, fmt.Errorf("read rules: %w", err)
		}
		d := newDraft(acct, now, p.ids)
		d.by = by
		if err := decide(d, rules); err != nil {
			return Receipt{}, p.keyTakenMeanwhile(ctx, key, now, err)
		}
		posting, err := d.posting()
		if err != nil {
			return Receipt{}, err
		}
		out = Receipt{Entry: d.leadEntry(), Balance: posting.Member.Balance, Tier: posting.Member.Tier, PreviousTier: acct.Member.Tier, Donation: d.gift}
		if err := p.commit(ctx, &posting, key, reqHash, now, out); err != nil {
			return Receipt{}, err
		}
		return out, nil
	})
}

// replay answers a request whose key already completed. It reports false when
// the key is new (or its record expired).
func (p *Program) replay(ctx context.Context, key IdemKey, reqHash string, now time.Time, out any) (bool, error) {
	if key.IsZero() {
		return false, nil
	}
	rec, found, err := p.book.Idempotency(ctx, key.Scope, key.Hash())
	if err != nil {
		return false, fmt.Errorf("read idempotency record: %w", err)
	}
	if !found || !rec.ExpiresAt.After(now) {
		return false, nil
	}
	if rec.RequestHash != reqHash {
		return false, ErrIdempotencyMismatch
	}
	if err := key.open(rec.Sealed, out); err != nil {
		return false, err
	}
	return true, nil
}

func (p *Program) commit(ctx context.Context, posting *Posting, key IdemKey, reqHash string, now time.Time, answer any) error {
	if !key.IsZero() {
		rec, err := key.record(reqHash, posting.Member.ID, now, answer)
		if err != nil {
			return err
		}
		posting.Idempotency = &rec
	}
	err := p.book.Commit(ctx, *posting)
	if err == nil || retryable(err) {
		return err
	}
	// A duplicate that lost the race to its key also fails the first
	// request's other claims (an email), and a store may name any failed
	// condition first (DynamoDB names the first item's). Whatever it named,
	// a key committed meanwhile means the first answer is the one to give.
	return p.keyTakenMeanwhile(ctx, key, now, err)
}

// keyTakenMeanwhile is the error of a change refused on err: ErrKeyTaken,
// which has the caller replay the first answer, when its key was committed
// since the replay check, since err may then come from the very change it
// duplicates (a second undo racing the first finds the redemption undone).
func (p *Program) keyTakenMeanwhile(ctx context.Context, key IdemKey, now time.Time, err error) error {
	if key.IsZero() {
		return err
	}
	rec, found, rerr := p.book.Idempotency(ctx, key.Scope, key.Hash())
	if rerr == nil && found && rec.ExpiresAt.After(now) {
		return ErrKeyTaken
	}
	return err
}

// maxAttempts bounds the retries of one change on a hot account; past it the
// caller gets ErrBusy and may retry with the same key.
const maxAttempts = 200

// untilCommitted is the retry half of every read–decide–commit loop: it runs
// attempt (which reads the account, decides and commits) again after a
// backoff whenever it lost a race on the account (retryable), so each try
// decides on fresh state, and gives up with givenUp after maxAttempts.
func untilCommitted[T any](ctx context.Context, attempt func() (T, error)) (T, error) {
	for n := 0; ; n++ {
		out, err := attempt()
		if err == nil || !retryable(err) || n >= maxAttempts {
			return out, givenUp(err)
		}
		backoff(ctx, n)
	}
}

// givenUp is the error of a change abandoned on err: ErrBusy when err only
// said the account kept changing, which the caller may retry, else err.
func givenUp(err error) error {
	if retryable(err) {
		return ErrBusy
	}
	return err
}

func retryable(err error) bool {
	return errors.Is(err, ErrVersionConflict) || errors.Is(err, ErrKeyTaken)
}

// backoff sleeps a jittered, growing time so that writers racing on one
// account spread out instead of colliding again.
func backoff(ctx context.Context, attempt int) {
	ceiling := time.Millisecond << min(attempt, 6)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func validPoints(points int64, signed bool) error {
	const most = 1_000_000_000
	if signed && points != 0 && points >= -most && points <= most {
		return nil
	}
	if !signed && points > 0 && points <= most {
		return nil
	}
	return fmt.Errorf("%w: points must be a whole number from 1 to %d", ErrInvalid, most)
}

func validRef(name, v string) error {
	if v == "" || len(v) > 64 || strings.TrimSpace(v) != v {
		return fmt.Errorf("%w: %s must be 1 to 64 bytes, not starting or ending with a space", ErrInvalid, name)
	}
	return checkText(name, v, false)
}

// Outcome is what a scheduled change (a birthday present, an expiry, a tier
// review, a donation) did to one member.
type Outcome struct {
	MemberID string `json:"memberId"`
	// Skipped says why the change was not made; it is empty when it was. A
	// skipped monthly pledge is still recorded on the member's plan.
	Skipped Skip `json:"skipped,omitempty"`
	// Entry is the ledger entry posted, zero for a change without one.
	Entry        LedgerEntry `json:"entry,omitzero"`
	Balance      int64       `json:"balance"`
	Tier         Tier        `json:"tier"`
	PreviousTier Tier        `json:"previousTier"`
	// Donation is what a scheduled gift gave its charity.
	Donation *Gift `json:"donation,omitempty"`
}

// Changed reports whether the change was made.
func (o Outcome) Changed() bool { return o.Skipped == "" }

// Skip is why a scheduled change left a member as they were.
type Skip string

const (
	SkipNoBirthday      Skip = "no-birthday"
	SkipNotBirthday     Skip = "not-birthday"
	SkipAlreadyDone     Skip = "already-done"
	SkipNewMember       Skip = "new-member"
	SkipBirthdayChanged Skip = "birthday-changed"
	SkipNoBonus         Skip = "no-bonus"
	SkipNotExpired      Skip = "not-expired"
	SkipNothingLeft     Skip = "nothing-left"
	SkipNotDue          Skip = "not-due"
)

// apply runs the read–decide–commit loop of a scheduled change. It needs no
// idempotency record: decide sees the account as committed, and what it
// records on the member (a present's year, a lot gone, the next review day,
// a pledge's month) makes it skip when a rerun or a racing run reads the
// account again; the commit's version condition makes sure it reads again.
// A skip is committed when decide made a change of the member alone (a
// pledge skipped is recorded on the plan).
func (p *Program) apply(ctx context.Context, memberID string, decide func(*draft, Rules) (Skip, error)) (Outcome, error) {
	failed := Outcome{MemberID: memberID}
	if memberID == "" {
		return failed, ErrMemberNotFound
	}
	return untilCommitted(ctx, func() (Outcome, error) {
		acct, err := p.book.LoadAccount(ctx, memberID)
		if err != nil {
			return failed, err
		}
		rules, err := p.rules.Rules(ctx)
		if err != nil {
			return failed, fmt.Errorf("read rules: %w", err)
		}
		d := newDraft(acct, p.Now(), p.ids)
		out := Outcome{MemberID: memberID, Balance: acct.Member.Balance, Tier: acct.Member.Tier, PreviousTier: acct.Member.Tier}
		if out.Skipped, err = decide(d, rules); err != nil {
			return failed, err
		}
		if out.Skipped != "" && !d.memberOnly {
			return out, nil
		}
		posting, err := d.posting()
		if err != nil {
			return failed, err
		}
		if err := p.book.Commit(ctx, posting); err != nil {
			return failed, err
		}
		if n := len(posting.Entries); n > 0 {
			out.Entry = posting.Entries[n-1]
		}
		out.Balance, out.Tier, out.Donation = posting.Member.Balance, posting.Member.Tier, d.gift
		return out, nil
	})
}
