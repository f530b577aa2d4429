package embedded

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// feedSeqs lists the seqs of the change feed as the file holds them, and as
// Changes returns them.
func feedSeqs(t *testing.T, s *Store) (stored, read []uint64) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketChanges).ForEach(func(k, _ []byte) error {
			stored = append(stored, binary.BigEndian.Uint64(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := s.Changes(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		read = append(read, c.Seq)
	}
	return stored, read
}

func lastTxID(t *testing.T, s *Store) int {
	t.Helper()
	var id int
	if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestForgetWritesNothingAndTheNextChangeDropsWhatItForgot(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	ada := newMember("ada", "ada@example.com")
	for _, p := range []loyalty.Posting{ada, changed(ada.Member, 1), changed(ada.Member, 2)} {
		if err := s.Commit(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	tx := lastTxID(t, s)
	if err := s.Forget(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if got := lastTxID(t, s); got != tx {
		t.Fatalf("Forget committed transaction %d: it should wait for the next one", got)
	}
	stored, read := feedSeqs(t, s)
	if !slices.Equal(stored, []uint64{1, 2, 3}) || !slices.Equal(read, []uint64{3}) {
		t.Fatalf("after Forget(2): the file holds %v, Changes reads %v; want 1 2 3 held and 3 read", stored, read)
	}

	// What a kill -9 now would leave: the forgotten changes, read again.
	crashed := filepath.Join(t.TempDir(), "crashed.db")
	if err := s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(crashed, 0o600) }); err != nil {
		t.Fatal(err)
	}
	after, err := Open(crashed)
	if err != nil {
		t.Fatal(err)
	}
	if _, read := feedSeqs(t, after); !slices.Equal(read, []uint64{1, 2, 3}) {
		t.Errorf("after a crash: Changes reads %v, want the forgotten changes again, 1 2 3", read)
	}
	after.Close()

	if err := s.Commit(ctx, changed(ada.Member, 3)); err != nil {
		t.Fatal(err)
	}
	if stored, read := feedSeqs(t, s); !slices.Equal(stored, []uint64{3, 4}) || !slices.Equal(read, []uint64{3, 4}) {
		t.Fatalf("after the next change: the file holds %v, Changes reads %v; want 3 4", stored, read)
	}
}

func TestCloseDropsWhatTheFeedForgot(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fidelio.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ada := newMember("ada", "ada@example.com")
	for _, p := range []loyalty.Posting{ada, changed(ada.Member, 1)} {
		if err := s.Commit(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Forget(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if stored, _ := feedSeqs(t, s); !slices.Equal(stored, []uint64{2}) {
		t.Errorf("after Forget(1) and Close: the file holds %v, want 2", stored)
	}
}
