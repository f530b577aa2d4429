package loyalty

import (
	"context"
	"errors"
	"fmt"
)

// Credentials are a member's new bearer token, the answer of a re-issue.
type Credentials struct {
	Member Member `json:"member"`
	// Token is the new bearer token, in clear only in this answer.
	Token    string `json:"token"`
	Replayed bool   `json:"-"`
}

// ReissueRequest asks for a member's new token and member code.
type ReissueRequest struct {
	MemberID string
	// Caller is the credential the request was made with, as sent (hashed
	// by the caller): it is part of the request's fingerprint, so only the
	// caller that made a re-issue can replay it.
	Caller string
	Key    IdemKey
}

func (req ReissueRequest) hash() string { return RequestHash("reissue", req.MemberID, req.Caller) }

// Reissue replaces a member's token and member code, for a lost phone or a
// leaked token: the old ones stop working when the change commits, and the
// card shows the new code (its change time moves, so phones are told). The
// key is required: a replay answers the same new token, and without one a
// caller whose answer was lost would have lost its token with it.
func (p *Program) Reissue(ctx context.Context, req ReissueRequest) (Credentials, error) {
	if req.Key.IsZero() {
		return Credentials{}, fmt.Errorf("%w: a re-issue needs an idempotency key", ErrInvalid)
	}
	if req.MemberID == "" {
		return Credentials{}, ErrMemberNotFound
	}
	return untilCommitted(ctx, func() (Credentials, error) {
		now := p.Now()
		var out Credentials
		if replayed, err := p.replay(ctx, req.Key, req.hash(), now, &out); replayed || err != nil {
			out.Replayed = replayed
			return out, err
		}
		acct, err := p.book.LoadAccount(ctx, req.MemberID)
		if err != nil {
			return Credentials{}, err
		}
		d := newDraft(acct, now, p.ids)
		out.Token = "fm_" + req.MemberID + "_" + p.ids.Secret()
		d.m.TokenHash = HashSecret(out.Token)
		d.m.CodeGeneration++
		d.memberOnly = true
		posting, err := d.posting()
		if err != nil {
			return Credentials{}, err
		}
		out.Member = posting.Member
		if err := p.commit(ctx, &posting, req.Key, req.hash(), now, out); err != nil {
			return Credentials{}, err
		}
		return out, nil
	})
}

// ReplayReissue answers a completed re-issue again, and nothing else: the
// caller whose token that re-issue replaced can still read its answer. It
// reports false when the key completed no re-issue of this caller.
func (p *Program) ReplayReissue(ctx context.Context, req ReissueRequest) (Credentials, bool, error) {
	if req.Key.IsZero() {
		return Credentials{}, false, nil
	}
	var out Credentials
	replayed, err := p.replay(ctx, req.Key, req.hash(), p.Now(), &out)
	if errors.Is(err, ErrIdempotencyMismatch) {
		return Credentials{}, false, nil
	}
	out.Replayed = replayed
	return out, replayed, err
}
