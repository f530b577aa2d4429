package loyalty

import (
	"errors"
	"time"
)

// SessionTTL is how long a member's browser stays signed in to the member
// space: a phone kept in a pocket comes back within it, and a lost one is
// signed out by the card's re-issue or by signing out elsewhere.
const SessionTTL = 30 * 24 * time.Hour

// ErrSessionNotFound: no session has that id, or it was revoked or has
// expired. The three are one answer: a browser learns only that it must sign
// in again.
var ErrSessionNotFound = errors.New("session not found")

// Session is a member's browser signed in to the member space. The browser
// holds a random secret in an HttpOnly cookie; the store keeps only its hash
// (ID), so a read of the table signs no one in.
type Session struct {
	ID       string `json:"id"`
	MemberID string `json:"memberId"`
	// Generation is the member's CodeGeneration when it opened: a re-issue
	// of the card (or the account's deletion) ends the sessions opened before.
	Generation int64     `json:"generation,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// OpenFor tells whether the session still signs m in: m is its member, at
// the card's generation it was opened with, and the account is not deleted.
func (s Session) OpenFor(m Member) bool {
	return m.ID == s.MemberID && m.CodeGeneration == s.Generation && m.ErasedAt.IsZero()
}

// NewSession opens a session for member m at now: the secret the cookie
// holds, and the session whose ID is its hash.
func NewSession(ids IDs, m Member, now time.Time) (secret string, s Session) {
	secret = "fz_" + ids.Secret()
	return secret, Session{ID: HashSecret(secret), MemberID: m.ID, Generation: m.CodeGeneration, CreatedAt: now.UTC(), ExpiresAt: now.UTC().Add(SessionTTL)}
}
