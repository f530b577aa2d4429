package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/fidelio/fidelio/shared/signing"
)

// linkTTL is how long a signed link works: long enough to open it on a phone,
// short enough that a forwarded link soon stops working.
const linkTTL = 24 * time.Hour

var (
	errLinkInvalid = &clientError{http.StatusForbidden, "link_invalid", "this link has been altered or was not made by this program; ask for a new one"}
	errLinkExpired = &clientError{http.StatusGone, "link_expired", "this link has expired; open the member page again for a fresh one"}
)

// links are the signed URLs a phone's browser can open without a bearer token.
type links struct {
	ApplePass  string `json:"applePass,omitempty"`
	GoogleSave string `json:"googleSave,omitempty"`
	QR         string `json:"qr"`
	Card       string `json:"card"`
}

func (a *App) memberLinks(r *http.Request, memberID string) links {
	base := "/v1/members/" + memberID
	l := links{QR: a.signedURL(r, base+"/qr.png"), Card: a.signedURL(r, base+"/card.png")}
	if a.Wallets.ApplePassType != "" {
		l.ApplePass = a.signedURL(r, base+"/pass.pkpass")
	}
	if a.Wallets.Google {
		l.GoogleSave = a.signedURL(r, base+"/google-wallet")
	}
	return l
}

// signedURL is an absolute GET link to path that works for linkTTL.
func (a *App) signedURL(r *http.Request, path string) string {
	expires := strconv.FormatInt(a.Program.Now().Add(linkTTL).Unix(), 10)
	return a.baseURL(r) + path + "?expires=" + expires + "&signature=" + a.Codes.MAC(signing.PurposeLink, "GET "+path+" "+expires)
}

// baseURL is the configured public URL, or the one the request came to.
func (a *App) baseURL(r *http.Request) string {
	if a.PublicURL != "" {
		return a.PublicURL
	}
	scheme := "https"
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = p
	} else if r.TLS == nil && isLoopback(r.Host) {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

func isLoopback(host string) bool {
	for _, p := range []string{"127.0.0.1", "localhost", "[::1]"} {
		if len(host) >= len(p) && host[:len(p)] == p {
			return true
		}
	}
	return false
}

// requireMemberOrLink admits a signed link to this very path, or the
// member's own token: the card and its codes are the member's alone, not
// staff's or an admin's, who could otherwise present them as the member.
func (a *App) requireMemberOrLink(r *http.Request, memberID string) error {
	q := r.URL.Query()
	sig := q.Get("signature")
	if sig == "" {
		p, err := a.require(r, roleMember)
		if err == nil && p.memberID != memberID {
			return errForbidden
		}
		return err
	}
	expires := q.Get("expires")
	if !a.Codes.VerifyMAC(signing.PurposeLink, "GET "+r.URL.Path+" "+expires, sig) {
		return errLinkInvalid
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return errLinkInvalid
	}
	if a.Program.Now().Unix() > exp {
		return errLinkExpired
	}
	return nil
}
