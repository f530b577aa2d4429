package embedded

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func openInternal(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// holdLead starts a write that leads a group and stays in its transaction
// until the returned release is called, so that the writes sent meanwhile
// queue for the next group.
func holdLead(t testing.TB, s *Store) (release func()) {
	t.Helper()
	inside, held := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.update(nil, func(*bolt.Tx) error {
			close(inside)
			<-held
			return nil
		})
	}()
	<-inside
	return func() {
		close(held)
		if err := <-done; err != nil {
			t.Errorf("the leading write: %v", err)
		}
	}
}

// waitQueued waits until n writes wait for the next group.
func waitQueued(s *Store, n int) {
	for {
		s.group.mu.Lock()
		queued := len(s.group.queue)
		s.group.mu.Unlock()
		if queued >= n {
			return
		}
		runtime.Gosched()
	}
}

// queue sends each write in turn, once the one before it has queued, and
// returns the channel of each outcome.
func queue(s *Store, writes ...func() error) []chan error {
	outcomes := make([]chan error, len(writes))
	for i, w := range writes {
		outcomes[i] = make(chan error, 1)
		go func() { outcomes[i] <- w() }()
		waitQueued(s, i+1)
	}
	return outcomes
}

func TestWritesThatQueueShareOneTransaction(t *testing.T) {
	s := openInternal(t)
	release := holdLead(t, s)
	const n = 8
	txIDs := make([]int, n)
	writes := make([]func() error, n)
	for i := range writes {
		writes[i] = func() error {
			return s.update(nil, func(tx *bolt.Tx) error { txIDs[i] = tx.ID(); return nil })
		}
	}
	outcomes := queue(s, writes...)
	release()
	for i, o := range outcomes {
		if err := <-o; err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for i, id := range txIDs {
		if id != txIDs[0] {
			t.Fatalf("write %d committed in transaction %d, write 0 in %d: one group should be one transaction", i, id, txIDs[0])
		}
	}
}

func newMember(id, email string) loyalty.Posting {
	return loyalty.Posting{Member: loyalty.Member{ID: id, Email: email, Version: 1}}
}

func changed(m loyalty.Member, prevVersion int64) loyalty.Posting {
	m.Version = prevVersion + 1
	m.Balance = 10 * m.Version
	return loyalty.Posting{Member: m, PrevVersion: prevVersion}
}

func TestEachWriteOfAGroupKeepsItsOwnOutcome(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	ada := newMember("ada", "ada@example.com")
	if err := s.Commit(ctx, ada); err != nil {
		t.Fatal(err)
	}
	release := holdLead(t, s)
	errHalfway := errors.New("refused halfway through its writes")
	outcomes := queue(s,
		func() error { return s.Commit(ctx, newMember("bob", "bob@example.com")) },
		func() error { return s.Commit(ctx, changed(ada.Member, 5)) },
		func() error { return s.Commit(ctx, newMember("cid", "BOB@example.com")) },
		func() error {
			return s.update(nil, func(tx *bolt.Tx) error {
				if err := tx.Bucket(bucketProgram).Put([]byte("halfway"), []byte("x")); err != nil {
					return err
				}
				return errHalfway
			})
		},
		func() error { return s.Commit(ctx, changed(ada.Member, 1)) },
	)
	release()
	for i, want := range []error{nil, loyalty.ErrVersionConflict, loyalty.ErrEmailTaken, errHalfway, nil} {
		if err := <-outcomes[i]; !errors.Is(err, want) {
			t.Errorf("write %d: %v, want %v", i, err, want)
		}
	}
	if m, err := s.Member(ctx, "bob"); err != nil || m.Email != "bob@example.com" {
		t.Errorf("bob = %+v, %v: committed beside the refused writes", m, err)
	}
	if _, err := s.Member(ctx, "cid"); !errors.Is(err, loyalty.ErrMemberNotFound) {
		t.Errorf("cid: %v, want not found: its email was taken in the same group", err)
	}
	if m, err := s.Member(ctx, "ada"); err != nil || m.Version != 2 || m.Balance != 20 {
		t.Errorf("ada = version %d balance %d, %v; want the change from version 1 only", m.Version, m.Balance, err)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketProgram).Get([]byte("halfway")) != nil {
			return errors.New("the write refused halfway left a key behind")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	changes, err := s.Changes(ctx, 0, 10)
	if err != nil || len(changes) != 3 {
		t.Fatalf("change feed: %d changes, %v; want ada's enrollment, bob's, and ada's change", len(changes), err)
	}
	if last := changes[2]; last.Before == nil || last.Before.Version != 1 || last.After.Version != 2 || last.After.Balance != 20 {
		t.Errorf("ada's change in the feed: %+v", last)
	}
}

func TestAnAccountIsReadAfterTheChangesOfItsMemberOnTheirWay(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	ada := newMember("ada", "ada@example.com")
	if err := s.Commit(ctx, ada); err != nil {
		t.Fatal(err)
	}
	release := holdLead(t, s)
	outcomes := queue(s, func() error { return s.Commit(ctx, changed(ada.Member, 1)) })

	// A read while ada's change waits for its group waits too: cancelled,
	// it says so instead of answering the version about to be replaced.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if acct, err := s.LoadAccount(cancelled, "ada"); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadAccount while ada's change is queued: version %d, %v; want it to wait for the change", acct.Member.Version, err)
	}
	if acct, err := s.LoadAccount(cancelled, "bob"); !errors.Is(err, loyalty.ErrMemberNotFound) {
		t.Errorf("LoadAccount of another member: %+v, %v; want not found at once", acct, err)
	}
	read := make(chan loyalty.Account)
	go func() {
		acct, err := s.LoadAccount(ctx, "ada")
		if err != nil {
			t.Error(err)
		}
		read <- acct
	}()
	release()
	if err := <-outcomes[0]; err != nil {
		t.Fatal(err)
	}
	if acct := <-read; acct.Member.Version != 2 {
		t.Errorf("LoadAccount read version %d, want 2: the change that was queued", acct.Member.Version)
	}
}

// BenchmarkGroupOfEarnings commits groups of 16 earnings of distinct
// members (and, in 1, lone earnings), each group one transaction, on a file that holds a few thousand
// earnings already, and reports the pages each earning writes: with the
// syncs, what a commit costs grows with them. The file is not synced here.
func BenchmarkGroupOfEarnings(b *testing.B) {
	ctx := context.Background()
	s, err := Open(filepath.Join(b.TempDir(), "fidelio.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.db.NoSync = true
	program := loyalty.NewProgram(s, nil, nil)
	var ids []string
	for i := range 64 {
		en, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Bench", Email: fmt.Sprintf("bench%d@example.com", i)}})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, en.Member.ID)
	}
	var receipts atomic.Int64
	earn := func(id string) {
		till := loyalty.Actor{Who: loyalty.WhoStaff, KeyID: "fs_bench", KeyName: "Till 1", StoreID: "paris"}
		_, err := program.Earn(ctx, loyalty.EarnRequest{MemberID: id, Amount: loyalty.Money{Value: 1250, Currency: "EUR"}, StoreID: "paris", ReceiptID: fmt.Sprint("r", receipts.Add(1)), Actor: till})
		if err != nil {
			b.Error(err)
		}
	}
	const warmUp = 2000
	for i := range warmUp {
		earn(ids[i%len(ids)])
	}
	changes := uint64(len(ids) + warmUp) // one a change, enrollments included
	pages := func() int64 { stats := s.db.Stats(); return stats.TxStats.GetWrite() }
	for _, group := range []int{1, 16} {
		b.Run(fmt.Sprint(group), func(b *testing.B) {
			var written int64
			for n := 0; b.Loop(); n++ {
				release := holdLead(b, s)
				before := pages()
				var wg sync.WaitGroup
				for i := range group {
					wg.Go(func() { earn(ids[(n*group+i)%len(ids)]) })
				}
				waitQueued(s, group)
				release()
				wg.Wait()
				written += pages() - before
				changes += uint64(group)
				s.Forget(ctx, changes) // as the pass updater does
			}
			b.ReportMetric(float64(written)/float64(b.N*group), "pages/earning")
		})
	}
}
