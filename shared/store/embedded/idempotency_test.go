package embedded

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func keyed(p loyalty.Posting, keyHash string) loyalty.Posting {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	p.Idempotency = &loyalty.IdempotencyRecord{Scope: "earn/paris", KeyHash: keyHash, RequestHash: p.Member.ID, MemberID: p.Member.ID, CreatedAt: at, ExpiresAt: at.Add(loyalty.IdempotencyTTL)}
	return p
}

// The index of the records in memory holds what a group's transaction added
// before it is committed: a key taken earlier in the same group is taken,
// and a key of a write rolled back is not.
func TestAKeyIsTakenByTheWriteBeforeItInTheSameGroupOnly(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	ada, bob := newMember("ada", "ada@example.com"), newMember("bob", "bob@example.com")
	for _, p := range []loyalty.Posting{ada, bob} {
		if err := s.Commit(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	errHalfway := errors.New("refused after writing its record")
	release := holdLead(t, s)
	outcomes := queue(s,
		func() error { return s.Commit(ctx, keyed(changed(ada.Member, 1), "receipt-1")) },
		func() error { return s.Commit(ctx, keyed(changed(bob.Member, 1), "receipt-1")) },
		func() error {
			return s.update(nil, func(tx *bolt.Tx) error {
				if err := s.putIdempotency(tx, keyed(changed(ada.Member, 2), "receipt-2").Idempotency); err != nil {
					return err
				}
				return errHalfway
			})
		},
		func() error { return s.Commit(ctx, keyed(changed(bob.Member, 1), "receipt-2")) },
	)
	release()
	for i, want := range []error{nil, loyalty.ErrKeyTaken, errHalfway, nil} {
		if err := <-outcomes[i]; !errors.Is(err, want) {
			t.Errorf("write %d: %v, want %v", i, err, want)
		}
	}
	for key, want := range map[string]string{"receipt-1": "ada", "receipt-2": "bob"} {
		if rec, found, err := s.Idempotency(ctx, "earn/paris", key); err != nil || !found || rec.MemberID != want {
			t.Errorf("the record of %s = %+v, %t, %v; want %s's", key, rec, found, err, want)
		}
	}
}

func TestRecordsAreFoundAfterTheFileIsOpenedAgain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fidelio.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ada := newMember("ada", "ada@example.com")
	if err := s.Commit(ctx, keyed(ada, "enrolled")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rec, found, err := s.Idempotency(ctx, "earn/paris", "enrolled"); err != nil || !found || rec.MemberID != "ada" {
		t.Fatalf("the record written before = %+v, %t, %v", rec, found, err)
	}
	if err := s.Commit(ctx, keyed(changed(ada.Member, 1), "enrolled")); !errors.Is(err, loyalty.ErrKeyTaken) {
		t.Fatalf("the key again: %v, want ErrKeyTaken", err)
	}
	if err := s.Commit(ctx, keyed(changed(ada.Member, 1), "earned")); err != nil {
		t.Fatal(err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketIdempotency).Cursor().Last()
		if want := recordKey(2, idemKey("earn/paris", "earned")); string(k) != string(want) {
			t.Errorf("the last record is %q, want %q: appended after the one made before", k, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
