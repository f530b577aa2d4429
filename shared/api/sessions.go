package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/mail"
	"github.com/fidelio/fidelio/shared/signing"
)

// sessionCookie holds a member space session's secret. The __Host- prefix
// makes the browser refuse it unless it is Secure, for this host alone and
// for every path. It is HttpOnly (no script reads it, so the page keeps no
// credential of its own) and SameSite=Strict: no other site's page can send
// a request with it, which is the member space's defence against
// cross-site requests. Strict works here because the pages need no cookie:
// only their own calls to the API, same-site, carry it.
const sessionCookie = "__Host-fidelio-session"

// signInTTL is how long an emailed sign-in link works: long enough to open
// the email on the phone, short enough that an old email in a mailbox
// someone else reads later signs no one in.
const signInTTL = 15 * time.Minute

// signInsPerMinute bounds the sign-in emails one address gets a minute
// (per instance): enough for a member who asks again, not a mail bomb.
const signInsPerMinute = 3

// errMailOff answers a sign-in by email where the deployment sends no
// email: a 404, as for a feature it does not have, not a failure of the
// service (a 5xx would page an operator for a setting).
var (
	errNoSession   = &clientError{http.StatusUnauthorized, "unauthorized", "sign in to the member space: open your card's link, or ask for a link by email"}
	errMailOff     = &clientError{http.StatusNotFound, "mail_unavailable", "this program sends no email; open the member space from your card instead"}
	errSignInFlood = &clientError{http.StatusTooManyRequests, "too_many_requests", "a sign-in link was just sent to this address; wait a minute before asking again"}
)

// sessionOf reads the request's session cookie: the member it signs in,
// or errUnauthorized.
func (a *App) sessionOf(r *http.Request) (principal, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) > maxToken {
		return principal{}, errUnauthorized
	}
	s, err := a.Store.Session(r.Context(), loyalty.HashSecret(c.Value), a.Program.Now())
	if errors.Is(err, loyalty.ErrSessionNotFound) {
		return principal{}, errNoSession
	}
	if err != nil {
		return principal{}, err
	}
	// The member is read too: a re-issue of the card, or the account's
	// deletion, ends every session opened before it.
	m, err := a.Store.Member(r.Context(), s.MemberID)
	if errors.Is(err, loyalty.ErrMemberNotFound) || err == nil && !s.OpenFor(m) {
		return principal{}, errNoSession
	}
	if err != nil {
		return principal{}, err
	}
	return principal{role: roleMember, memberID: s.MemberID}, nil
}

// openSession records a new session for the member and returns the header
// that gives the browser its cookie.
func (a *App) openSession(r *http.Request, m loyalty.Member) (http.Header, error) {
	secret, s := loyalty.NewSession(a.IDs, m, a.Program.Now())
	if err := a.Store.SaveSession(r.Context(), s); err != nil {
		return nil, err
	}
	c := http.Cookie{Name: sessionCookie, Value: secret, Path: "/", Expires: s.ExpiresAt, MaxAge: int(loyalty.SessionTTL.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	return http.Header{"Set-Cookie": {c.String()}, "Cache-Control": {"no-store"}}, nil
}

type sessionView struct {
	MemberID string `json:"memberId"`
}

// createSession: POST /v1/session (a member's token) — trades the token the
// join page just received for a session cookie, so that the page keeps no
// token and the member space opens in any tab of this browser.
func (a *App) createSession(r *http.Request) (reply, error) {
	p, err := a.require(r, roleMember)
	if err != nil {
		return reply{}, err
	}
	m, err := a.Store.Member(r.Context(), p.memberID)
	if err != nil {
		return reply{}, err
	}
	h, err := a.openSession(r, m)
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusCreated, body: sessionView{p.memberID}, header: h}, nil
}

// getSession: GET /v1/session (the cookie) — which member this browser is
// signed in as; 401 when none.
func (a *App) getSession(r *http.Request) (reply, error) {
	p, err := a.sessionOf(r)
	if err != nil {
		return reply{}, err
	}
	return reply{body: sessionView{p.memberID}, header: http.Header{"Cache-Control": {"no-store"}}}, nil
}

// deleteSession: DELETE /v1/session — signs this browser out: the session
// is revoked in the store, not only forgotten by the browser.
func (a *App) deleteSession(r *http.Request) (reply, error) {
	if c, err := r.Cookie(sessionCookie); err == nil && len(c.Value) <= maxToken {
		if err := a.Store.RevokeSession(r.Context(), loyalty.HashSecret(c.Value)); err != nil {
			return reply{}, err
		}
	}
	gone := http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	return reply{status: http.StatusNoContent, raw: []byte{}, header: http.Header{"Set-Cookie": {gone.String()}, "Cache-Control": {"no-store"}}}, nil
}

// linkSession: GET /me/link?member=&generation=[&expires=]&signature= —
// exchanges a card's link (no expiry, PurposeCardLink) or an emailed
// sign-in link (expires, PurposeSignIn) for a session, and sends the
// browser on to /me, so the signed query does not stay in the address bar
// or the history. Both links are bound to the member's code generation: a
// re-issue of the card ends them. They are not one-time: the card's link is
// opened again and again by design, and a mail scanner that follows an
// emailed link on arrival would otherwise spend it before the member does;
// the 15 minutes bound what a leaked sign-in email is worth. A link that
// fails sends the browser to /me?link=<problem>, where the page says what
// to do, rather than a JSON problem in a browser tab.
func (a *App) linkSession(r *http.Request) (reply, error) {
	q := r.URL.Query()
	memberID, gen, expires, sig := q.Get("member"), q.Get("generation"), q.Get("expires"), q.Get("signature")
	purpose, msg := signing.PurposeCardLink, memberID+" "+gen
	if expires != "" {
		purpose, msg = signing.PurposeSignIn, msg+" "+expires
	}
	problem := ""
	switch exp, err := strconv.ParseInt(expires, 10, 64); {
	case !loyalty.IsID(memberID) || !a.Codes.VerifyMAC(purpose, msg, sig):
		problem = "invalid"
	case expires != "" && (err != nil || a.Program.Now().Unix() > exp):
		problem = "expired"
	}
	h := http.Header{"Cache-Control": {"no-store"}, "Referrer-Policy": {"no-referrer"}}
	if problem == "" {
		m, err := a.Store.Member(r.Context(), memberID)
		switch {
		case errors.Is(err, loyalty.ErrMemberNotFound):
			problem = "invalid"
		case err != nil:
			return reply{}, err
		case !m.ErasedAt.IsZero():
			problem = "deleted"
		case strconv.FormatInt(m.CodeGeneration, 10) != gen:
			problem = "replaced"
		default:
			if h, err = a.openSession(r, m); err != nil {
				return reply{}, err
			}
			h.Set("Referrer-Policy", "no-referrer")
		}
	}
	h.Set("Location", "/me")
	if problem != "" {
		h.Set("Location", "/me?link="+problem)
	}
	return reply{status: http.StatusSeeOther, raw: []byte{}, header: h}, nil
}

type signInBody struct {
	Email string `json:"email"`
}

// emailSignIn: POST /v1/session/email (public) — emails a sign-in link to a
// member's address. It answers 202 whether or not a member has that
// address, so that it tells no one who is a member.
func (a *App) emailSignIn(r *http.Request) (reply, error) {
	var b signInBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	email := loyalty.NormalizeEmail(b.Email)
	if !strings.Contains(email, "@") || len(email) > 254 {
		return reply{}, badRequest("invalid_email", "email must be an email address")
	}
	if a.Mail == nil {
		return reply{}, errMailOff
	}
	if a.signIns.add(loyalty.HashSecret(email)) > signInsPerMinute {
		return reply{}, errSignInFlood
	}
	m, err := a.Store.MemberByEmail(r.Context(), email)
	switch {
	case errors.Is(err, loyalty.ErrMemberNotFound):
	case err != nil:
		return reply{}, err
	default:
		link := a.baseURL(r) + signing.MemberSpaceLinkPath + "?" + a.Codes.SignInLink(m.ID, m.CodeGeneration, a.Program.Now().Add(signInTTL).Unix())
		if err := a.Mail.Send(r.Context(), mail.Compose("sign-in", m.Locale, m.Email, m.Name, a.nameFor(r, m.Locale), link)); err != nil {
			return reply{}, err
		}
	}
	return reply{status: http.StatusAccepted, body: map[string]string{"email": email}}, nil
}

// nameFor is the program's name, as the operator set it, in a member's
// language, for an email.
func (a *App) nameFor(r *http.Request, locale string) string {
	rules, err := a.Program.Rules(r.Context())
	if err != nil {
		return a.programName()
	}
	return rules.NameOr(a.programName()).In(locale)
}

// welcome emails a new member their member space's link; a failure is
// logged, not the enrollment's: the member has joined, and their card's
// link opens the same space.
func (a *App) welcome(r *http.Request, m loyalty.Member) {
	if a.Mail == nil {
		return
	}
	link := a.baseURL(r) + signing.MemberSpaceLinkPath + "?" + a.Codes.CardLink(m.ID, m.CodeGeneration)
	if err := a.Mail.Send(r.Context(), mail.Compose("welcome", m.Locale, m.Email, m.Name, a.nameFor(r, m.Locale), link)); err != nil {
		a.Logger.ErrorContext(r.Context(), "welcome email not sent", "memberId", m.ID, "error", err.Error(), "requestId", requestID(r))
	}
}
