// Package signing holds the program's signing keys: it mints and verifies the
// member codes that a card's QR code carries and staff scan at the till, and
// the MACs of signed links and pass tokens, each bound to its Purpose.
package signing

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// A code reads "F1.<key id>.<member id>.<mac>": upper-case letters, digits and
// dots only, so that a QR code holds it in the dense alphanumeric mode. It
// names the member by id (never by email) and its 80-bit HMAC cannot be forged
// or guessed without the key. The key id lets keys rotate: old codes verify
// while their key is kept.
const prefix = "F1"

// ErrInvalidCode refuses a code that is malformed, forged or signed with a key
// no longer kept.
var ErrInvalidCode = errors.New("not a valid member code")

var macEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

var (
	keyIDPattern = regexp.MustCompile(`^[A-Z0-9]{1,8}$`)
	idPattern    = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`) // a ULID
)

// Signer mints codes with its current key and verifies them with any key it keeps.
type Signer struct {
	keys    map[string][]byte
	current string
}

// NewSigner parses keys written as "K2:<base64>,K1:<base64>"; the first is
// the one that signs. Each key is at least 32 bytes.
func NewSigner(spec string) (*Signer, error) {
	s := &Signer{keys: map[string][]byte{}}
	for i, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		key, err := base64.StdEncoding.DecodeString(b64)
		if !ok || !keyIDPattern.MatchString(id) || err != nil || len(key) < 32 {
			return nil, fmt.Errorf("member code keys: entry %d must be ID:base64 with an upper-case ID of up to 8 characters and a key of 32 bytes or more", i+1)
		}
		if i == 0 {
			s.current = id
		}
		s.keys[id] = key
	}
	return s, nil
}

// NewKeySpec returns a spec with one new random key, for a new program.
func NewKeySpec(id string) string {
	key := make([]byte, 32)
	rand.Read(key)
	return id + ":" + base64.StdEncoding.EncodeToString(key)
}

// Mint returns the code of a member at a generation of their code. A new
// generation (the member's code re-issued) makes a new MAC: the codes of
// earlier generations no longer verify, while the code stays as short.
func (s *Signer) Mint(memberID string, generation int64) string {
	return strings.Join([]string{prefix, s.current, memberID, s.mac(s.current, memberID, generation)}, ".")
}

// MemberOf returns the member a well-formed code names, signed with a key
// this Signer keeps. The code is not verified yet: Verify checks it against
// the member's current generation.
func (s *Signer) MemberOf(code string) (string, error) {
	_, id, _, err := s.parse(code)
	return id, err
}

// Verify checks that code is the member's code of generation.
func (s *Signer) Verify(code string, generation int64) error {
	keyID, id, mac, err := s.parse(code)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(mac), []byte(s.mac(keyID, id, generation))) {
		return ErrInvalidCode
	}
	return nil
}

func (s *Signer) parse(code string) (keyID, memberID, mac string, err error) {
	parts := strings.Split(strings.TrimSpace(code), ".")
	if len(parts) != 4 || parts[0] != prefix || !idPattern.MatchString(parts[2]) {
		return "", "", "", ErrInvalidCode
	}
	if _, ok := s.keys[parts[1]]; !ok {
		return "", "", "", ErrInvalidCode
	}
	return parts[1], parts[2], parts[3], nil
}

// mac signs a member's code. Generation 0 signs what codes signed before
// generations existed, so the cards already printed keep working.
func (s *Signer) mac(keyID, memberID string, generation int64) string {
	h := hmac.New(sha256.New, s.keys[keyID])
	h.Write([]byte("fidelio/member-code/v1\x00" + keyID + "\x00" + memberID))
	if generation != 0 {
		h.Write([]byte("\x00" + strconv.FormatInt(generation, 10)))
	}
	return macEncoding.EncodeToString(h.Sum(nil)[:10])
}

// A Purpose is what a MAC is made for. Purposes are kept apart: a value made
// for one is never accepted for another.
type Purpose string

// The purposes the program signs for. Each name is part of what is signed,
// so renaming one invalidates every value already given out.
const (
	// PurposeLink signs a GET link to a member's QR code, card image or
	// passes, which works without a member token until it expires.
	PurposeLink Purpose = "link"
	// PurposePassToken signs the authentication token of an Apple Wallet
	// pass, bound to its serial number.
	PurposePassToken Purpose = "pass-token"
	// PurposeCardLink signs the member-space link a member's card carries
	// (CardLink), bound to the member's code generation: it does not expire,
	// as the card holds it for years, and a re-issue of the code ends it.
	PurposeCardLink Purpose = "card-link"
	// PurposeSignIn signs a sign-in link sent by email (SignInLink): bound to
	// the code generation too, and short-lived.
	PurposeSignIn Purpose = "sign-in"
	// PurposeEmailChange signs the link that confirms a new email address
	// (EmailChangeLink), sent to that address: bound to the address it
	// replaces, so that it works once, and short-lived.
	PurposeEmailChange Purpose = "email-change"
)

// MemberSpaceLinkPath is where a card's or an email's link to the member
// space is exchanged for a session.
const MemberSpaceLinkPath = "/me/link"

// CardLink is the query of a card's link to the member space:
// member, generation and signature.
func (s *Signer) CardLink(memberID string, generation int64) string {
	gen := strconv.FormatInt(generation, 10)
	return "member=" + memberID + "&generation=" + gen + "&signature=" + s.MAC(PurposeCardLink, memberID+" "+gen)
}

// SignInLink is the query of an emailed sign-in link that works until
// expires (Unix seconds).
func (s *Signer) SignInLink(memberID string, generation, expires int64) string {
	gen, exp := strconv.FormatInt(generation, 10), strconv.FormatInt(expires, 10)
	return "member=" + memberID + "&generation=" + gen + "&expires=" + exp + "&signature=" + s.MAC(PurposeSignIn, memberID+" "+gen+" "+exp)
}

// EmailChangeLinkPath is where the link confirming a new email address
// is opened.
const EmailChangeLinkPath = "/me/email"

// EmailChangeLink is the query of the link confirming that the member with
// the email from takes the email to, until expires (Unix seconds); from is
// signed but not in the link, which the new address's mailbox keeps.
func (s *Signer) EmailChangeLink(memberID, from, to string, expires int64) string {
	exp := strconv.FormatInt(expires, 10)
	return "member=" + memberID + "&email=" + url.QueryEscape(to) + "&expires=" + exp + "&signature=" + s.MAC(PurposeEmailChange, EmailChangeMessage(memberID, from, to, exp))
}

// EmailChangeMessage is what an email change's link signs.
func EmailChangeMessage(memberID, from, to, expires string) string {
	return memberID + " " + from + " " + to + " " + expires
}

// MAC authenticates msg for purpose with the current key: "<key id>.<mac>".
func (s *Signer) MAC(purpose Purpose, msg string) string {
	return s.current + "." + s.purposeMAC(s.current, purpose, msg)
}

// VerifyMAC reports whether mac was made by MAC for purpose and msg with a
// key this Signer keeps.
func (s *Signer) VerifyMAC(purpose Purpose, msg, mac string) bool {
	keyID, sum, ok := strings.Cut(mac, ".")
	if _, known := s.keys[keyID]; !ok || !known {
		return false
	}
	return hmac.Equal([]byte(sum), []byte(s.purposeMAC(keyID, purpose, msg)))
}

func (s *Signer) purposeMAC(keyID string, purpose Purpose, msg string) string {
	h := hmac.New(sha256.New, s.keys[keyID])
	h.Write([]byte("fidelio/" + string(purpose) + "/v1\x00" + keyID + "\x00" + msg))
	return macEncoding.EncodeToString(h.Sum(nil)[:20])
}
