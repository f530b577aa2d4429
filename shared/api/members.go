package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/fidelio/fidelio/shared/loyalty"
)

type enrollBody struct {
	Name     string       `json:"name"`
	Email    string       `json:"email"`
	Birthday loyalty.Date `json:"birthday"`
	TimeZone string       `json:"timeZone"`
	Locale   string       `json:"locale"`
	// ReferralCode is the code of the member who referred this one, which
	// the join page takes from its link (?ref=).
	ReferralCode string `json:"referralCode"`
	// Marketing is the consent to marketing messages, off unless given.
	Marketing bool `json:"marketing"`
}

// enroll: POST /v1/members (public).
func (a *App) enroll(r *http.Request) (reply, error) {
	var b enrollBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	key, err := idempotencyKey(r, "enroll", false)
	if err != nil {
		return reply{}, err
	}
	en, err := a.Program.Enroll(r.Context(), loyalty.EnrollRequest{
		Profile:      loyalty.Profile{Name: b.Name, Email: b.Email, Birthday: b.Birthday, TimeZone: b.TimeZone, Locale: b.Locale, Marketing: b.Marketing},
		ReferralCode: b.ReferralCode,
		Key:          key,
	})
	if err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, en.Member.ID)
	if err != nil {
		return reply{}, err
	}
	v := a.memberView(acct, rules, true)
	v.Token = en.Token
	l := a.memberLinks(r, en.Member.ID)
	v.Links, v.Referral = &l, a.referralView(r, acct.Member, rules)
	rep := reply{status: http.StatusCreated, body: v, header: http.Header{"Location": {"/v1/members/" + en.Member.ID}}}
	if en.Replayed {
		rep.header.Set("Idempotent-Replayed", "true")
	} else {
		a.welcome(r, en.Member)
	}
	return rep, nil
}

// getMember: GET /v1/members/{id} (that member, staff, admin).
func (a *App) getMember(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	p, err := a.requireMemberAccess(r, id)
	if err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	v := a.memberView(acct, rules, p.role != roleStaff)
	if p.role != roleStaff {
		l := a.memberLinks(r, id)
		v.Links, v.Referral = &l, a.referralView(r, acct.Member, rules)
	}
	return reply{body: v}, nil
}

// reissue: POST /v1/members/{id}/credentials (that member, admin) — a new
// token and member code, for a lost phone or a leaked token; the old ones
// stop working at once. Staff may not: a till could take over the account.
// An Idempotency-Key is required, and a replay answers the same new token,
// even to the token the first request replaced.
func (a *App) reissue(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	key, keyErr := idempotencyKey(r, "credentials/"+id, true)
	req := loyalty.ReissueRequest{MemberID: id, Caller: loyalty.HashSecret(r.Header.Get("Authorization")), Key: key}
	var cred loyalty.Credentials
	p, err := a.require(r, roleMember, roleAdmin)
	switch {
	case errors.Is(err, errUnauthorized):
		// Perhaps the token a re-issue replaced, asking for its answer again.
		var found bool
		if cred, found, err = a.Program.ReplayReissue(r.Context(), req); err == nil && !found {
			err = errUnauthorized
		}
	case err == nil && p.role == roleMember && p.memberID != id:
		err = errForbidden
	case err == nil && keyErr != nil:
		err = keyErr
	case err == nil:
		cred, err = a.Program.Reissue(r.Context(), req)
		if err == nil && p.role == roleAdmin && !cred.Replayed {
			// An operator replacing a member's card is support work to answer for.
			err = a.audit(r, p, "member.reissue", id, "")
		}
	}
	if err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	v := a.memberView(acct, rules, true)
	v.Token = cred.Token
	l := a.memberLinks(r, id)
	v.Links, v.Referral = &l, a.referralView(r, acct.Member, rules)
	rep := reply{body: v, header: http.Header{}}
	if cred.Replayed {
		rep.header.Set("Idempotent-Replayed", "true")
	}
	return rep, nil
}

// ledger: GET /v1/members/{id}/ledger?limit=&cursor= (that member, staff, admin).
func (a *App) ledger(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	p, err := a.requireMemberAccess(r, id)
	if err != nil {
		return reply{}, err
	}
	limit, before := 20, int64(0)
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return reply{}, badRequest("invalid_request", "limit must be a whole number from 1 to 100")
		}
		limit = n
	}
	if s := r.URL.Query().Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return reply{}, badRequest("invalid_request", "cursor must be the next value of a previous page")
		}
		before = n
	}
	if _, err := a.Store.Member(r.Context(), id); err != nil {
		return reply{}, err
	}
	entries, err := a.Store.Ledger(r.Context(), id, before, limit)
	if err != nil {
		return reply{}, err
	}
	out := struct {
		Entries []entryView `json:"entries"`
		Next    string      `json:"next,omitempty"`
	}{Entries: make([]entryView, len(entries))}
	for i, e := range entries {
		out.Entries[i] = newEntryView(e)
		if p.role == roleAdmin {
			out.Entries[i].KeyID, out.Entries[i].KeyName = e.KeyID, e.KeyName
		}
	}
	if n := len(entries); n == limit && entries[n-1].Seq > 1 {
		out.Next = strconv.FormatInt(entries[n-1].Seq, 10)
	}
	return reply{body: out}, nil
}

func (a *App) account(r *http.Request, id string) (loyalty.Account, loyalty.Rules, error) {
	acct, err := a.Store.LoadAccount(r.Context(), id)
	if err != nil {
		return acct, loyalty.Rules{}, err
	}
	rules, err := a.Program.Rules(r.Context())
	return acct, rules, err
}
