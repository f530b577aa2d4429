package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/mail"
	"github.com/fidelio/fidelio/shared/signing"
)

// emailChangeTTL is how long the link confirming a new email works, as
// the message says.
const emailChangeTTL = 24 * time.Hour

type profileBody struct {
	Name     *string       `json:"name"`
	Birthday *loyalty.Date `json:"birthday"`
	Locale   *string       `json:"locale"`
}

// changeProfile: PATCH /v1/members/{id} (that member) — changes the name,
// the birthday or the language; what is left out stays.
func (a *App) changeProfile(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if _, err := a.requireSelf(r, id); err != nil {
		return reply{}, err
	}
	var b profileBody
	if err := decodeAs(r, &b, "application/json", "application/merge-patch+json"); err != nil {
		return reply{}, err
	}
	if _, err := a.Program.ChangeProfile(r.Context(), id, loyalty.ProfileChange{Name: b.Name, Birthday: b.Birthday, Locale: b.Locale}); err != nil {
		return reply{}, err
	}
	return a.getMember(r)
}

type emailChangeBody struct {
	Email string `json:"email"`
}

// requestEmailChange: POST /v1/members/{id}/email (that member) — sends a
// link confirming the new address to it; the email stays as it was until
// the link is opened. 409 email_taken when another member has it.
func (a *App) requestEmailChange(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if _, err := a.requireSelf(r, id); err != nil {
		return reply{}, err
	}
	var b emailChangeBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	email, err := loyalty.ValidEmail(b.Email)
	if err != nil {
		return reply{}, badRequest("invalid_email", "email must be an email address")
	}
	if a.Mail == nil {
		return reply{}, errMailOff
	}
	m, err := a.Store.Member(r.Context(), id)
	if err != nil {
		return reply{}, err
	}
	if email == m.Email {
		return reply{}, badRequest("invalid_email", "this is already your email")
	}
	switch holder, err := a.Store.MemberByEmail(r.Context(), email); {
	case err == nil && holder.ID != id:
		return reply{}, loyalty.ErrEmailTaken
	case err != nil && !errors.Is(err, loyalty.ErrMemberNotFound):
		return reply{}, err
	}
	link := a.baseURL(r) + signing.EmailChangeLinkPath + "?" + a.Codes.EmailChangeLink(id, m.Email, email, a.Program.Now().Add(emailChangeTTL).Unix())
	if err := a.Mail.Send(r.Context(), mail.Compose("email-change", m.Locale, email, m.Name, a.nameFor(r, m.Locale), link)); err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusAccepted, body: map[string]string{"email": email}}, nil
}

// confirmEmail: GET /me/email?member=&email=&expires=&signature= — the link
// sent to a new address: the member's email becomes it, and the browser goes
// on to /me?email=<outcome> (changed, taken, expired, invalid, deleted),
// where the page says what happened. The link signs the address it replaces,
// so it works once: opened again it finds the change made and says so.
func (a *App) confirmEmail(r *http.Request) (reply, error) {
	q := r.URL.Query()
	id, email, expires, sig := q.Get("member"), loyalty.NormalizeEmail(q.Get("email")), q.Get("expires"), q.Get("signature")
	outcome := "changed"
	exp, expErr := strconv.ParseInt(expires, 10, 64)
	m, err := a.Store.Member(r.Context(), id)
	switch {
	case !loyalty.IsID(id) || errors.Is(err, loyalty.ErrMemberNotFound):
		outcome = "invalid"
	case err != nil:
		return reply{}, err
	case !m.ErasedAt.IsZero():
		outcome = "deleted"
	case m.Email == email:
		// Opened again: the change is made.
	case !a.Codes.VerifyMAC(signing.PurposeEmailChange, signing.EmailChangeMessage(id, m.Email, email, expires), sig):
		outcome = "invalid"
	case expErr != nil || a.Program.Now().Unix() > exp:
		outcome = "expired"
	default:
		_, err := a.Program.ChangeEmail(r.Context(), id, email)
		switch {
		case errors.Is(err, loyalty.ErrEmailTaken):
			outcome = "taken"
		case err != nil:
			return reply{}, err
		}
	}
	h := http.Header{"Cache-Control": {"no-store"}, "Referrer-Policy": {"no-referrer"}, "Location": {"/me?email=" + outcome}}
	return reply{status: http.StatusSeeOther, raw: []byte{}, header: h}, nil
}

// deleteMember: DELETE /v1/members/{id} (that member, an owner) — deletes
// the account (loyalty.Program.Erase): personal data erased, the ledger
// kept anonymous, the card voided, every token, link and session ended.
// Deleting again answers the same.
func (a *App) deleteMember(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	p, err := a.require(r, roleMember, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	if p.role == roleMember && p.memberID != id {
		return reply{}, errForbidden
	}
	if _, err := a.Program.Erase(r.Context(), id); err != nil {
		return reply{}, err
	}
	if p.role == roleAdmin {
		if err := a.audit(r, p, "member.delete", id, ""); err != nil {
			return reply{}, err
		}
	}
	gone := http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	return reply{status: http.StatusNoContent, raw: []byte{}, header: http.Header{"Set-Cookie": {gone.String()}, "Cache-Control": {"no-store"}}}, nil
}
