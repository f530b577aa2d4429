package embedded

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func keyed(p loyalty.Posting, keyHash string) loyalty.Posting {
	return keyedAt(p, keyHash, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
}

func keyedAt(p loyalty.Posting, keyHash string, at time.Time) loyalty.Posting {
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

// The records expire from the front of the file: each transaction that
// appends one purges at most idempotencyPurgeBatch of those gone by, from
// the file and the index alike, and one rolled back purges nothing.
func TestExpiredRecordsArePurgedByTheWritesThatFollow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fidelio.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ada := newMember("ada", "ada@example.com")
	if err := s.Commit(ctx, ada); err != nil {
		t.Fatal(err)
	}
	made := time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC)
	old := idempotencyPurgeBatch + 6
	err = s.update(nil, func(tx *bolt.Tx) error {
		for i := range old {
			if err := s.putIdempotency(tx, keyedAt(changed(ada.Member, 1), fmt.Sprint("old-", i), made).Idempotency); err != nil {
				return err
			}
		}
		return s.putIdempotency(tx, keyedAt(changed(ada.Member, 1), "a-day-later", made.Add(24*time.Hour)).Idempotency)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	records := func() (inFile, inIndex []string) {
		t.Helper()
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketIdempotency).ForEach(func(k, _ []byte) error {
				inFile = append(inFile, string(k[8:]))
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		inIndex = slices.Collect(maps.Keys(s.idem.committed))
		slices.Sort(inFile)
		slices.Sort(inIndex)
		return inFile, inIndex
	}

	rollBack := func(at time.Time) {
		t.Helper()
		errRefused := errors.New("refused after its record")
		err := s.update(nil, func(tx *bolt.Tx) error {
			if err := s.putIdempotency(tx, keyedAt(changed(ada.Member, 1), "rolled-back", at).Idempotency); err != nil {
				return err
			}
			return errRefused
		})
		if !errors.Is(err, errRefused) {
			t.Fatal(err)
		}
	}
	expect := func(after string, want int) {
		t.Helper()
		if inFile, inIndex := records(); len(inFile) != want || !slices.Equal(inIndex, inFile) {
			t.Errorf("after %s: the file holds %d records, the index %d; want %d in both", after, len(inFile), len(inIndex), want)
		}
	}
	expired := made.Add(loyalty.IdempotencyTTL + time.Hour)
	rollBack(expired)
	expect("a write rolled back", old+1)
	for i, want := range []int{old + 1 - idempotencyPurgeBatch + 1, 3} {
		if err := s.Commit(ctx, keyedAt(changed(ada.Member, int64(i+1)), fmt.Sprint("new-", i), expired)); err != nil {
			t.Fatal(err)
		}
		expect(fmt.Sprint("write ", i), want)
	}
	for key, want := range map[string]bool{"old-0": false, fmt.Sprint("old-", old-1): false, "a-day-later": true, "new-0": true} {
		if _, found, err := s.Idempotency(ctx, "earn/paris", key); err != nil || found != want {
			t.Errorf("the record of %s: found %t, %v; want %t", key, found, err, want)
		}
	}

	// A write rolled back after purging the record a day later leaves it
	// for the next write to purge.
	twoDaysLater := expired.Add(48 * time.Hour)
	rollBack(twoDaysLater)
	if err := s.Commit(ctx, keyedAt(changed(ada.Member, 3), "new-2", twoDaysLater)); err != nil {
		t.Fatal(err)
	}
	expect("the record a day later expired", 3)
}
