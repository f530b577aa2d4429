package loyalty

import (
	"context"
	"fmt"
	"time"
)

// Usable says whether the member's card may be used at the till: nil, or
// ErrMemberBlocked, or ErrMemberDeleted.
func (m Member) Usable() error {
	if !m.ErasedAt.IsZero() {
		return ErrMemberDeleted
	}
	if !m.BlockedAt.IsZero() {
		return fmt.Errorf("%w since %s: ask the operator", ErrMemberBlocked, DateOf(m.BlockedAt))
	}
	return nil
}

// BlockRequest blocks a member's card (Blocked) or unblocks it.
type BlockRequest struct {
	MemberID string
	Blocked  bool
	// Note says why, when blocking.
	Note string
}

// Block blocks or unblocks a member: a change of the member alone, which
// leaves the balance, the lots and the ledger as they are, so unblocking
// gives the member back everything they had. Asking for the state the member
// is in changes nothing and answers the member as they are: a retried
// request is harmless.
func (p *Program) Block(ctx context.Context, req BlockRequest) (Member, error) {
	note := ""
	if req.Blocked && req.Note != "" {
		var err error
		if note, err = cleanText("note", req.Note, 500, false); err != nil {
			return Member{}, err
		}
	}
	if req.MemberID == "" {
		return Member{}, ErrMemberNotFound
	}
	return untilCommitted(ctx, func() (Member, error) {
		acct, err := p.book.LoadAccount(ctx, req.MemberID)
		if err != nil {
			return Member{}, err
		}
		if blocked := !acct.Member.BlockedAt.IsZero(); blocked == req.Blocked {
			return acct.Member, nil
		}
		d := newDraft(acct, p.Now(), p.ids)
		d.memberOnly = true
		d.m.BlockedAt, d.m.BlockNote = p.Now(), note
		if !req.Blocked {
			d.m.BlockedAt, d.m.BlockNote = time.Time{}, ""
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
