package embedded

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// keysOf lists the keys of a bucket, nil when the file has no such bucket.
func keysOf(t *testing.T, s *Store, bucket []byte) []string {
	t.Helper()
	var keys []string
	if err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		keys = []string{}
		return b.ForEach(func(k, _ []byte) error { keys = append(keys, string(k)); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestClaimsPastTheirUseArePurgedFromTheFile fills a file with claims of the
// pass updater, old and recent, and those an older build kept with no day in
// their keys: the claims that follow purge the old ones, a batch at a time,
// and keep those that still matter.
func TestClaimsPastTheirUseArePurgedFromTheFile(t *testing.T) {
	s, ctx := openInternal(t), context.Background()
	today := loyalty.DateOf(time.Now().UTC())
	const serial = "01M83XJ8800000000000000001"
	oldPushes := claimPurgeBatch + 6
	if err := s.db.Update(func(tx *bolt.Tx) error {
		put := func(bucket []byte, key string, value []byte) error {
			b, err := tx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			return b.Put([]byte(key), value)
		}
		for i := range oldPushes {
			if err := put(bucketPushesClaimed, fmt.Sprintf("%s/S%d/1/D", today.AddDays(-pushClaimDays-1-i%30), i), []byte{}); err != nil {
				return err
			}
		}
		ids := []byte(`{"ids":["m1"],"notified":["m1"]}`)
		for _, err := range []error{
			put(bucketPushesClaimed, today.AddDays(-3).String()+"/"+serial+"/4/D", []byte{}),
			put(bucketPushesClaimedOlder, serial+"/2/D", []byte{}),
			put(bucketPushesClaimedOlder, serial+"/3/D", []byte{}),
			put(bucketMessagesClaimed, today.AddDays(-10).String()+"/"+serial, ids),
			put(bucketMessagesClaimed, today.AddDays(-2).String()+"/"+serial, ids),
			put(bucketMessagesClaimed, today.AddDays(-1).String()+"/"+serial, ids),
			put(bucketMessagesClaimedOlder, serial+"/2026-01-05", ids),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	if ok, err := s.ClaimPush(ctx, serial, 4, "D"); ok || err != nil {
		t.Errorf("the push claimed 3 days ago is claimed again: %v, %v", ok, err)
	}
	if left := len(keysOf(t, s, bucketPushesClaimed)); left != oldPushes+1-claimPurgeBatch {
		t.Errorf("one claim left %d push claims, want %d: a batch of %d purged", left, oldPushes+1-claimPurgeBatch, claimPurgeBatch)
	}
	if ok, err := s.ClaimPush(ctx, serial, 5, "D"); !ok || err != nil {
		t.Fatalf("a new push: %v, %v", ok, err)
	}
	want := []string{today.AddDays(-3).String() + "/" + serial + "/4/D", today.String() + "/" + serial + "/5/D"}
	if kept := keysOf(t, s, bucketPushesClaimed); !slices.Equal(kept, want) {
		t.Errorf("the push claims kept are %q, want %q", kept, want)
	}
	if older := keysOf(t, s, bucketPushesClaimedOlder); older != nil {
		t.Errorf("the older build's push claims are still in the file: %q", older)
	}

	if claimed, _, err := s.ClaimCardMessage(ctx, serial, today, "m2", 2); !claimed || err != nil {
		t.Fatalf("today's message: %v, %v", claimed, err)
	}
	want = []string{today.AddDays(-1).String() + "/" + serial, today.String() + "/" + serial}
	if kept := keysOf(t, s, bucketMessagesClaimed); !slices.Equal(kept, want) {
		t.Errorf("the card messages kept are %q, want %q", kept, want)
	}
	if older := keysOf(t, s, bucketMessagesClaimedOlder); older != nil {
		t.Errorf("the older build's card messages are still in the file: %q", older)
	}
}

// Two claims of one change to push, committed in one group, see each other:
// a key put with no value reads nil from Get in the transaction that put it.
func TestClaimsOfOneGroupSeeEachOther(t *testing.T) {
	ctx := context.Background()
	s := openInternal(t)
	release := holdLead(t, s)
	claims := make([]bool, 2)
	writes := make([]func() error, len(claims))
	for i := range writes {
		writes[i] = func() (err error) { claims[i], err = s.ClaimPush(ctx, "S1", 7, "D1"); return err }
	}
	outcomes := queue(s, writes...)
	release()
	for i, o := range outcomes {
		if err := <-o; err != nil {
			t.Fatalf("claim %d: %v", i, err)
		}
	}
	if !claims[0] || claims[1] {
		t.Errorf("claims of one group = %v, want the first only", claims)
	}
}
