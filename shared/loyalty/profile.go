package loyalty

import (
	"context"
	"fmt"
	"net/mail"
	"time"
)

// ProfileChange is what a member changes of their profile in the member
// space; a nil field is left as it is.
type ProfileChange struct {
	Name     *string
	Birthday *Date
	Locale   *string
}

// ChangeProfile changes the member's name, birthday or language: a change of
// the member alone. A birthday set or moved restarts BirthdayCooldown, so
// that a date moved to today earns no present (the rule GET /v1/program
// states); the card follows a new name or language.
func (p *Program) ChangeProfile(ctx context.Context, memberID string, c ProfileChange) (Member, error) {
	today := DateOf(p.Now())
	if c.Name != nil {
		name, err := cleanText("name", *c.Name, 100, false)
		if err != nil {
			return Member{}, err
		}
		c.Name = &name
	}
	if c.Birthday != nil && (c.Birthday.Year < 1900 || !c.Birthday.Before(today)) {
		return Member{}, ErrInvalidBirthday
	}
	if c.Locale != nil && !localePattern.MatchString(*c.Locale) {
		return Member{}, fmt.Errorf("%w: %q is not a locale such as en or fr-FR", ErrInvalid, *c.Locale)
	}
	return p.changeMember(ctx, memberID, func(d *draft) error {
		if !d.m.ErasedAt.IsZero() {
			return ErrMemberDeleted
		}
		if c.Name != nil {
			d.m.Name = *c.Name
		}
		if c.Birthday != nil && *c.Birthday != d.m.Birthday {
			d.m.Birthday, d.m.BirthdayChangedAt = *c.Birthday, d.now
		}
		if c.Locale != nil {
			d.m.Locale = *c.Locale
		}
		return nil
	})
}

// ValidEmail normalizes an email address, or says why it is not one.
func ValidEmail(email string) (string, error) {
	email = NormalizeEmail(email)
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", fmt.Errorf("%w: %q is not an email address", ErrInvalid, email)
	}
	return email, nil
}

// ChangeEmail gives the member the email address they confirmed; the old
// one is released in the same commit. ErrEmailTaken when another member
// holds it. Confirming the same address again changes nothing.
func (p *Program) ChangeEmail(ctx context.Context, memberID, email string) (Member, error) {
	email, err := ValidEmail(email)
	if err != nil {
		return Member{}, err
	}
	return p.changeMember(ctx, memberID, func(d *draft) error {
		if !d.m.ErasedAt.IsZero() {
			return ErrMemberDeleted
		}
		d.m.Email = email
		return nil
	})
}

// Erase deletes a member's account at their request (GDPR article 17):
// their name, email, birthday and time zone are erased, with the lookups
// that found them; the donation plan stops; the token, the member code and
// every link and session end (a new code generation); the card is voided.
// The ledger stays, under the anonymous id, so that the program's totals
// do not change. Erasing again changes nothing.
func (p *Program) Erase(ctx context.Context, memberID string) (Member, error) {
	return p.changeMember(ctx, memberID, func(d *draft) error {
		if !d.m.ErasedAt.IsZero() {
			return nil
		}
		d.m.Name, d.m.Email, d.m.TimeZone = "", "", "UTC"
		d.m.Birthday, d.m.BirthdayChangedAt, d.m.LastBirthdayYear = Date{}, time.Time{}, 0
		d.m.DonationPlan, d.m.TokenHash = nil, ""
		d.m.CodeGeneration++
		d.m.ErasedAt = d.now
		return nil
	})
}

// changeMember commits a change of the member alone, retried on a
// conflict; a change that leaves the member as it was commits nothing.
func (p *Program) changeMember(ctx context.Context, memberID string, change func(*draft) error) (Member, error) {
	if memberID == "" {
		return Member{}, ErrMemberNotFound
	}
	return untilCommitted(ctx, func() (Member, error) {
		acct, err := p.book.LoadAccount(ctx, memberID)
		if err != nil {
			return Member{}, err
		}
		d := newDraft(acct, p.Now(), p.ids)
		d.memberOnly = true
		if err := change(d); err != nil {
			return Member{}, err
		}
		if same(d.m, acct.Member) {
			return acct.Member, nil
		}
		posting, err := d.posting()
		if err != nil {
			return Member{}, err
		}
		if err := p.book.Commit(ctx, posting); err != nil {
			return Member{}, err
		}
		return posting.Member, nil
	})
}

// same tells whether a member-only change changed none of the profile.
func same(a, b Member) bool {
	return a.Name == b.Name && a.Email == b.Email && a.Birthday == b.Birthday && a.Locale == b.Locale &&
		a.ErasedAt.Equal(b.ErasedAt)
}
