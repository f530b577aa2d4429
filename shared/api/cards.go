package api

import (
	"net/http"

	"github.com/fidelio/fidelio/shared/wallet/apple"
)

var (
	errAppleOff  = &clientError{http.StatusNotFound, "apple_wallet_off", "Apple Wallet is not configured for this program"}
	errGoogleOff = &clientError{http.StatusNotFound, "google_wallet_off", "Google Wallet is not configured for this program"}
)

// applePass: GET /v1/members/{id}/pass.pkpass (that member, or a signed link).
func (a *App) applePass(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if err := a.requireMemberOrLink(r, id); err != nil {
		return reply{}, err
	}
	if a.Cards.Apple == nil {
		return reply{}, errAppleOff
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	pass, err := a.Cards.ApplePass(r.Context(), acct, rules, a.Program.Now())
	if err != nil {
		return reply{}, err
	}
	return binary(pass, apple.ContentType, http.Header{
		"Content-Disposition": {`attachment; filename="card.pkpass"`},
		"Last-Modified":       {acct.Member.UpdatedAt.UTC().Format(http.TimeFormat)},
	}), nil
}

// qrImage: GET /v1/members/{id}/qr.png (that member, or a signed link).
func (a *App) qrImage(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if err := a.requireMemberOrLink(r, id); err != nil {
		return reply{}, err
	}
	m, err := a.Store.Member(r.Context(), id)
	if err != nil {
		return reply{}, err
	}
	png, err := a.Cards.QR(m)
	if err != nil {
		return reply{}, err
	}
	return binary(png, "image/png", nil), nil
}

// cardImage: GET /v1/members/{id}/card.png (that member, or a signed link) —
// the card as a person sees it.
func (a *App) cardImage(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if err := a.requireMemberOrLink(r, id); err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	png, err := a.Cards.Preview(r.Context(), acct, rules, a.Program.Now())
	if err != nil {
		return reply{}, err
	}
	return binary(png, "image/png", http.Header{"Last-Modified": {acct.Member.UpdatedAt.UTC().Format(http.TimeFormat)}}), nil
}

// binary answers bytes of a media type; they are private to the member.
func binary(b []byte, contentType string, h http.Header) reply {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "private, no-cache")
	return reply{status: http.StatusOK, raw: b, header: h}
}

// googleWallet: GET /v1/members/{id}/google-wallet (that member, or a signed
// link) — makes sure the card exists in Google Wallet, then sends the phone
// to Google's save page.
func (a *App) googleWallet(r *http.Request) (reply, error) {
	id, err := pathMemberID(r, "id")
	if err != nil {
		return reply{}, err
	}
	if err := a.requireMemberOrLink(r, id); err != nil {
		return reply{}, err
	}
	if a.Cards.Google == nil {
		return reply{}, errGoogleOff
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	save, err := a.Cards.GoogleSaveURL(r.Context(), acct, rules, a.Program.Now(), a.baseURL(r))
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusFound, raw: []byte{}, header: http.Header{"Location": {save}, "Cache-Control": {"no-store"}}}, nil
}

// walletImage: GET /v1/wallet/images/{name} (public) — the logo and tier
// hero images Google Wallet fetches for the classes.
func (a *App) walletImage(r *http.Request) (reply, error) {
	img, err := a.Cards.Image(r.Context(), r.PathValue("name"))
	if err != nil {
		return reply{}, errNoRoute
	}
	rep := binary(img, "image/png", nil)
	rep.header.Set("Cache-Control", "public, max-age=86400")
	return rep, nil
}
