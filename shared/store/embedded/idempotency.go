package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Idempotency records are appended in the order they are made: each is
// keyed by a sequence number, then its key (scope "\x00" key hash), and
// found through an index of the keys kept in memory, read from the keys at
// open. Keyed by their key alone, as they were, the records of a group of
// changes landed on random pages, which the group rewrote one each (and
// split half of): 2.3 pages an earning. An index in the file would be
// random pages too; the process is the file's only writer, so memory holds
// it.
//
// Appended, the records expire from the front: a write that appends one
// first purges those gone by (bbolt has no TTL as DynamoDB has), so that
// neither the file nor the index grows for ever.

// idempotencyPurgeBatch bounds the expired records one transaction purges:
// after a long pause the backlog goes over the next few, never all at once.
const idempotencyPurgeBatch = 64

// idemIndex maps each record's key to its sequence number: committed, what
// the file holds, and, for the transaction being written (only the leader
// of a group writes one), what it added and what it purged.
type idemIndex struct {
	mu        sync.RWMutex
	committed map[string]uint64
	pending   map[string]uint64
	purged    map[string]uint64
	// The oldest record the last purge kept expires at purgeAt: no write
	// looks at the front before then. txPurgeAt is the transaction's.
	purgeAt, txPurgeAt time.Time
}

// recordKey is where the record of key is, under sequence number seq.
func recordKey(seq uint64, key []byte) []byte {
	return append(binary.BigEndian.AppendUint64(nil, seq), key...)
}

// load fills the index from the file's records, at open.
func (x *idemIndex) load(tx *bolt.Tx) {
	x.committed = map[string]uint64{}
	x.begin()
	x.purgeAt = time.Time{}
	c := tx.Bucket(bucketIdempotency).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		x.committed[string(k[8:])] = binary.BigEndian.Uint64(k)
	}
}

// find is the sequence number of key's record as the transaction being
// written sees it, with found false when it has none.
func (x *idemIndex) find(key []byte) (seq uint64, found bool) {
	if seq, found = x.pending[string(key)]; found {
		return seq, true
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	seq, found = x.committed[string(key)]
	return seq, found
}

// begin starts the transaction's additions and purges afresh (the one
// before it committed them, or was rolled back).
func (x *idemIndex) begin() {
	clear(x.pending)
	clear(x.purged)
	x.txPurgeAt = x.purgeAt
}

// commitLocked makes the transaction's additions and purges seen by every
// reader, once the file holds them; mu is held from before the file's
// commit, so no reader sees the changes without their keys.
func (x *idemIndex) commitLocked() {
	for k, seq := range x.pending {
		x.committed[k] = seq
	}
	for k, seq := range x.purged {
		if x.committed[k] == seq { // not a record of the key made since
			delete(x.committed, k)
		}
	}
	x.purgeAt = x.txPurgeAt
	x.begin()
}

func (s *Store) Idempotency(ctx context.Context, scope, keyHash string) (loyalty.IdempotencyRecord, bool, error) {
	var rec loyalty.IdempotencyRecord
	key := idemKey(scope, keyHash)
	s.idem.mu.RLock()
	seq, found := s.idem.committed[string(key)]
	s.idem.mu.RUnlock()
	if !found {
		return rec, false, nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdempotency).Get(recordKey(seq, key))
		if v == nil {
			found = false // replaced meanwhile by a record of the key made after this one expired
			return nil
		}
		return json.Unmarshal(v, &rec)
	})
	return rec, found, err
}

// idempotencyRecord is the JSON of the key's record as the transaction
// being written sees it, nil when there is none.
func (s *Store) idempotencyRecord(tx *bolt.Tx, scope, keyHash string) []byte {
	key := idemKey(scope, keyHash)
	seq, found := s.idem.find(key)
	if !found {
		return nil
	}
	return tx.Bucket(bucketIdempotency).Get(recordKey(seq, key))
}

// putIdempotency appends the record, in place of the key's expired one if
// there is one, after purging records expired by the time it was made.
func (s *Store) putIdempotency(tx *bolt.Tx, rec *loyalty.IdempotencyRecord) error {
	if err := s.purgeIdempotency(tx, rec.CreatedAt); err != nil {
		return err
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.appendIdempotency(tx, idemKey(rec.Scope, rec.KeyHash), v)
}

// purgeIdempotency deletes, oldest first, up to idempotencyPurgeBatch
// records expired at now. It stops at the first one that is not: records
// are appended about in the order they expire, and one made a moment out
// of order goes a moment late.
func (s *Store) purgeIdempotency(tx *bolt.Tx, now time.Time) error {
	x := &s.idem
	if now.Before(x.txPurgeAt) {
		return nil
	}
	c := tx.Bucket(bucketIdempotency).Cursor()
	for k, v := c.First(); k != nil && len(x.purged) < idempotencyPurgeBatch; k, v = c.First() {
		var rec struct {
			ExpiresAt time.Time `json:"expiresAt"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("idempotency record %q: %w", k, err)
		}
		if rec.ExpiresAt.After(now) {
			x.txPurgeAt = rec.ExpiresAt
			return nil
		}
		if x.purged == nil {
			x.purged = map[string]uint64{}
		}
		x.purged[string(k[8:])] = binary.BigEndian.Uint64(k)
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) appendIdempotency(tx *bolt.Tx, key, rec []byte) error {
	b := tx.Bucket(bucketIdempotency)
	b.FillPercent = appendOnly
	if was, found := s.idem.find(key); found {
		if err := b.Delete(recordKey(was, key)); err != nil {
			return err
		}
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	if s.idem.pending == nil {
		s.idem.pending = map[string]uint64{}
	}
	s.idem.pending[string(key)] = seq
	return b.Put(recordKey(seq, key), rec)
}

// appendIdempotencyOf moves the records of a file written when they were
// keyed by their key alone ("idempotency") into the order they were made
// in. A local file is small, so they move in one transaction, at open.
func (s *Store) appendIdempotencyOf(tx *bolt.Tx) error {
	old := tx.Bucket([]byte("idempotency"))
	if old == nil {
		return nil
	}
	type record struct {
		key, rec []byte
		created  string
	}
	var all []record
	err := old.ForEach(func(k, v []byte) error {
		var r struct {
			CreatedAt string `json:"createdAt"`
		}
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("idempotency record %q: %w", k, err)
		}
		all = append(all, record{bytes.Clone(k), bytes.Clone(v), r.CreatedAt})
		return nil
	})
	if err != nil {
		return err
	}
	// Times in UTC, as the records hold them, order as text.
	slices.SortStableFunc(all, func(a, b record) int { return strings.Compare(a.created, b.created) })
	for _, r := range all {
		if err := s.appendIdempotency(tx, r.key, r.rec); err != nil {
			return err
		}
	}
	return tx.DeleteBucket([]byte("idempotency"))
}

func idemKey(scope, keyHash string) []byte {
	return bytes.Join([][]byte{[]byte(scope), []byte(keyHash)}, []byte{0})
}
