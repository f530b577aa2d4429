package embedded

import (
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// sessionsKept counts the sessions in the file, expired or not.
func sessionsKept(t *testing.T, s *Store) (sessions, byExpiry int) {
	t.Helper()
	if err := s.db.View(func(tx *bolt.Tx) error {
		sessions, byExpiry = tx.Bucket(bucketSessions).Stats().KeyN, tx.Bucket(bucketSessionExpiry).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return sessions, byExpiry
}

func TestExpiredSessionsArePurgedFromTheFile(t *testing.T) {
	s, ctx := openInternal(t), context.Background()
	ids, start := loyalty.NewRandomIDs(), time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := loyalty.Member{ID: ids.NewID(start)}
	var revoked loyalty.Session
	for i := range 3 {
		_, sess := loyalty.NewSession(ids, m, start.Add(time.Duration(i)*time.Minute))
		if err := s.SaveSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		revoked = sess
	}
	if err := s.RevokeSession(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if n, idx := sessionsKept(t, s); n != 2 || idx != 2 {
		t.Fatalf("after 3 sessions and a revocation the file holds %d sessions and %d expiry keys, want 2 and 2", n, idx)
	}
	_, fresh := loyalty.NewSession(ids, m, start.Add(loyalty.SessionTTL+time.Minute))
	if err := s.SaveSession(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if n, idx := sessionsKept(t, s); n != 1 || idx != 1 {
		t.Errorf("a session opened after the others expired leaves %d sessions and %d expiry keys in the file, want only its own", n, idx)
	}
	if _, err := s.Session(ctx, fresh.ID, fresh.CreatedAt); err != nil {
		t.Errorf("the new session: %v", err)
	}
}
