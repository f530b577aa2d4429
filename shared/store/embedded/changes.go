package embedded

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// The change feed is the embedded store's DynamoDB stream: every committed
// change of a member, with its old and new image, written in the same
// transaction as the change, so none is lost and none is seen before it is
// committed. The local pass updater reads it, and forgets what it handled.

var bucketChanges = []byte("changes")

// Change is one committed change of a member.
type Change struct {
	Seq    uint64
	Before *loyalty.Member // nil for a new member
	After  loyalty.Member
}

// changeRecord is a change as the feed holds it: the member as written,
// and, in BeforeFields, the fields that held something else before (null
// for those that were empty), so that a change writes what it changed of
// the member twice, not the whole member. Before is the whole member as it
// was, in the records written before BeforeFields.
type changeRecord struct {
	Before       json.RawMessage `json:"before,omitempty"`
	BeforeFields json.RawMessage `json:"beforeFields,omitempty"`
	After        json.RawMessage `json:"after"`
}

// recordChange adds a change to the feed, from the member's JSON as it was
// and as it is written, not encoded again.
func recordChange(tx *bolt.Tx, before, after []byte) error {
	b, err := tx.CreateBucketIfNotExists(bucketChanges)
	if err != nil {
		return err
	}
	b.FillPercent = appendOnly
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	rec := make([]byte, 0, len(after)+len(after)/4+32)
	if len(before) > 0 {
		rec = append(append(append(rec, `{"beforeFields":`...), fieldsChanged(before, after)...), ',')
	} else {
		rec = append(rec, '{')
	}
	rec = append(append(append(rec, `"after":`...), after...), '}')
	return b.Put(binary.BigEndian.AppendUint64(nil, seq), rec)
}

// recordOf splits a change record, as recordChange or encoding/json wrote
// it, into its parts, in place: decoding it first, to decode its parts
// again, scanned and copied each change twice.
func recordOf(v []byte) changeRecord {
	var rec changeRecord
	var room [3]field
	for _, f := range fieldsOf(v, room[:0]) {
		switch string(f.name) {
		case `"before"`:
			rec.Before = f.value
		case `"beforeFields"`:
			rec.BeforeFields = f.value
		case `"after"`:
			rec.After = f.value
		}
	}
	return rec
}

// before is the member as it was before the change.
func (rec changeRecord) before() (*loyalty.Member, error) {
	was := rec.Before
	if len(rec.BeforeFields) > 0 {
		was = withFields(rec.After, rec.BeforeFields)
	}
	if len(was) == 0 {
		return nil, nil
	}
	m := new(loyalty.Member)
	return m, json.Unmarshal(was, m)
}

// Changes returns up to limit changes after seq, oldest first.
func (s *Store) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	var out []Change
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChanges)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		after = max(after, s.feed.forgotten.Load())
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, after+1)); k != nil && len(out) < limit; k, v = c.Next() {
			rec := recordOf(v)
			ch := Change{Seq: binary.BigEndian.Uint64(k)}
			if err := json.Unmarshal(rec.After, &ch.After); err != nil {
				return err
			}
			var err error
			if ch.Before, err = rec.before(); err != nil {
				return err
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// Forget drops the changes up to and including seq, once handled. It writes
// nothing itself, so that a lone writer's next change does not wait behind a
// transaction and a sync of its own: the next transaction deletes them
// (dropForgotten). Until then Changes skips them; after a crash before it,
// they are read again, as a stream hands a record over again.
func (s *Store) Forget(ctx context.Context, seq uint64) error {
	for {
		was := s.feed.forgotten.Load()
		if seq <= was || s.feed.forgotten.CompareAndSwap(was, seq) {
			return nil
		}
	}
}

// dropForgotten deletes the changes forgotten since the last transaction
// that did, and returns up to where the feed is then dropped.
func (s *Store) dropForgotten(tx *bolt.Tx) (uint64, error) {
	upTo := s.feed.forgotten.Load()
	b := tx.Bucket(bucketChanges)
	dropped := s.feed.dropped.Load()
	if upTo <= dropped || b == nil {
		return dropped, nil
	}
	c := b.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= upTo; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return dropped, err
		}
	}
	return upTo, nil
}

// Changed signals, without blocking the writer, that changes were committed.
func (s *Store) Changed() <-chan struct{} { return s.feed.ch() }

// feed wakes the one reader of the change feed, and keeps how far it has
// forgotten the feed and how far the file has dropped it.
type feed struct {
	once      sync.Once
	c         chan struct{}
	forgotten atomic.Uint64
	dropped   atomic.Uint64
}

func (f *feed) ch() chan struct{} {
	f.once.Do(func() { f.c = make(chan struct{}, 1) })
	return f.c
}

func (f *feed) notify() {
	select {
	case f.ch() <- struct{}{}:
	default:
	}
}
