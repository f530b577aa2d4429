package embedded

import (
	"bytes"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// The claims of the pass updater (a card's messages of a day, a change
// pushed to a device) matter only for a few days, which DynamoDB's TTL
// bounds; here their keys begin with their UTC day ("YYYY-MM-DD/…"), so that
// each claim purges those past their use from the front of the bucket.

// claimPurgeBatch bounds the claims one claim purges: a claim after a long
// pause purges the backlog over the next few, never all at once.
const claimPurgeBatch = 64

func dayKey(day loyalty.Date, rest string) []byte { return []byte(day.String() + "/" + rest) }

// purgeClaims deletes up to claimPurgeBatch claims of the days before keep
// (with those of the buckets an older build kept, dropped, whose keys say
// no day: at worst a change of then handed over again notifies once more).
func purgeClaims(tx *bolt.Tx, b *bolt.Bucket, keep loyalty.Date, before []byte) error {
	until := []byte(keep.String())
	var gone [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(gone) < claimPurgeBatch && bytes.Compare(k[:min(len(k), len(until))], until) < 0; k, _ = c.Next() {
		gone = append(gone, bytes.Clone(k))
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return dropOlderClaims(tx, before, claimPurgeBatch-len(gone))
}

// dropOlderClaims deletes up to n keys of an older build's bucket of claims,
// and the bucket once it is empty.
func dropOlderClaims(tx *bolt.Tx, name []byte, n int) error {
	b := tx.Bucket(name)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	k, _ := c.First()
	for ; k != nil && n > 0; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
		n--
	}
	if k == nil {
		return tx.DeleteBucket(name)
	}
	return nil
}
