package api

import (
	"context"
	"net/http"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// CardMaker is what the card routes ask of the card machinery (shared/wallet's
// Cards). Only the functions that serve cards (cards, walletservice) and
// the local stack are given one, so that the others link neither the pass
// signing, nor the drawing and its fonts, nor Google's client.
type CardMaker interface {
	// ApplePass builds the member's .pkpass.
	ApplePass(ctx context.Context, acct loyalty.Account, rules loyalty.Rules, now time.Time) ([]byte, error)
	// QR is the PNG of the member's code.
	QR(m loyalty.Member) ([]byte, error)
	// Preview is a PNG of the card as the member sees it in Wallet.
	Preview(ctx context.Context, acct loyalty.Account, rules loyalty.Rules, now time.Time) ([]byte, error)
	// GoogleSaveURL makes sure the member's object exists in Google Wallet
	// and returns its "Save to Google Wallet" link.
	GoogleSaveURL(ctx context.Context, acct loyalty.Account, rules loyalty.Rules, now time.Time, base string) (string, error)
	// Image is a public image of the program that Google Wallet fetches.
	Image(ctx context.Context, name string) ([]byte, error)
	// CheckLogo refuses a logo the cards cannot be drawn with, saying why.
	CheckLogo(png []byte) error
}

// Wallets are the wallets the program's cards are offered in, known from
// the configuration alone: the members function hands out the links to the
// cards without linking what builds them.
type Wallets struct {
	// ApplePassType is the pass type Apple passes are signed for; "" when
	// Apple Wallet is off.
	ApplePassType string
	// Google is on when Google Wallet is configured.
	Google bool
}

// applePassType is the media type of a .pkpass.
const applePassType = "application/vnd.apple.pkpass"

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
	if a.Wallets.ApplePassType == "" {
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
	return binary(pass, applePassType, http.Header{
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
	if !a.Wallets.Google {
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
