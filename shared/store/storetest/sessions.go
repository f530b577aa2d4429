package storetest

import (
	"errors"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// sessionTests check the member space's sessions.
var sessionTests = []struct {
	name string
	fn   func(*env)
}{
	{"a session is read back until it expires, and never after", testSessionExpiry},
	{"a revoked session is gone, and revoking it again is no error", testSessionRevoke},
}

func (e *env) openSession(m loyalty.Member) loyalty.Session {
	e.t.Helper()
	_, s := loyalty.NewSession(loyalty.NewRandomIDs(), m, e.clock.Now())
	if err := e.store.SaveSession(e.ctx, s); err != nil {
		e.t.Fatalf("save session: %v", err)
	}
	return s
}

func testSessionExpiry(e *env) {
	m := e.enroll("session@example.com")
	s := e.openSession(m)
	got, err := e.store.Session(e.ctx, s.ID, s.ExpiresAt.Add(-time.Second))
	if err != nil {
		e.t.Fatalf("a second before it expires: %v", err)
	}
	if got.MemberID != m.ID || !got.ExpiresAt.Equal(s.ExpiresAt) || !got.CreatedAt.Equal(s.CreatedAt) {
		e.t.Errorf("read back %+v, saved %+v", got, s)
	}
	if _, err := e.store.Session(e.ctx, s.ID, s.ExpiresAt); !errors.Is(err, loyalty.ErrSessionNotFound) {
		e.t.Errorf("at its expiry: %v, want ErrSessionNotFound", err)
	}
	if _, err := e.store.Session(e.ctx, loyalty.HashSecret("fz_never-given"), e.clock.Now()); !errors.Is(err, loyalty.ErrSessionNotFound) {
		e.t.Errorf("a session never opened: %v, want ErrSessionNotFound", err)
	}
}

func testSessionRevoke(e *env) {
	m := e.enroll("revoke@example.com")
	s, other := e.openSession(m), e.openSession(m)
	if err := e.store.RevokeSession(e.ctx, s.ID); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.Session(e.ctx, s.ID, e.clock.Now()); !errors.Is(err, loyalty.ErrSessionNotFound) {
		e.t.Errorf("a revoked session reads %v, want ErrSessionNotFound", err)
	}
	if _, err := e.store.Session(e.ctx, other.ID, e.clock.Now()); err != nil {
		e.t.Errorf("the member's other session went with it: %v", err)
	}
	if err := e.store.RevokeSession(e.ctx, s.ID); err != nil {
		e.t.Errorf("revoking again: %v", err)
	}
}
