package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// keyQuintiles holds the program's RFM quintiles in the program bucket.
var keyQuintiles = []byte("quintiles")

func (s *Store) Quintiles(ctx context.Context) (loyalty.Quintiles, error) {
	var q loyalty.Quintiles
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketProgram).Get(keyQuintiles); v != nil {
			return json.Unmarshal(v, &q)
		}
		return nil
	})
	return q, err
}

func (s *Store) SaveQuintiles(ctx context.Context, q loyalty.Quintiles) error {
	return s.update(nil, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketProgram), keyQuintiles, q) })
}

// bucketSegments holds the segment counters (loyalty.SegmentCounters), a
// key a counter, "<month>\x00<name>", its value in decimal: a change adds
// to the few counters it moves in place, never reading or writing the
// month's others, and the counters of a month sit together, a few pages
// for a group of changes. The file has one writer at a time, so one shard
// (0) holds them, as it does the stats' counters; a counter back at zero
// is deleted.
var bucketSegments = []byte("segments")

func segmentKey(month, name string) []byte {
	k := make([]byte, 0, len(month)+1+len(name))
	return append(append(append(k, month...), 0), name...)
}

func addCounter(b *bolt.Bucket, k []byte, n int64) error {
	if v := b.Get(k); v != nil {
		had, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("segment counter %q: %w", k, err)
		}
		n += had
	}
	if n == 0 {
		return b.Delete(k)
	}
	return b.Put(k, strconv.AppendInt(nil, n, 10))
}

func (s *Store) SegmentCounters(ctx context.Context) ([]loyalty.SegmentCounters, error) {
	var out []loyalty.SegmentCounters
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSegments).ForEach(func(k, v []byte) error {
			month, name, ok := bytes.Cut(k, []byte{0})
			n, err := strconv.ParseInt(string(v), 10, 64)
			if !ok || err != nil {
				return fmt.Errorf("segment counter %q: %v", k, err)
			}
			if len(out) == 0 || out[len(out)-1].Month != string(month) {
				out = append(out, loyalty.SegmentCounters{Month: string(month), Counts: map[string]int64{}})
			}
			out[len(out)-1].Counts[string(name)] = n
			return nil
		})
	})
	return out, err
}

// FoldSegmentCounters moves, in one transaction, counters of month's item
// into the base item. The file has one shard.
func (s *Store) FoldSegmentCounters(ctx context.Context, shard int, month string, moves map[string]string) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSegments)
		for from, to := range moves {
			k := segmentKey(month, from)
			v := b.Get(k)
			if v == nil {
				continue
			}
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return fmt.Errorf("segment counter %q: %w", k, err)
			}
			if err := b.Delete(k); err != nil {
				return err
			}
			if err := addCounter(b, segmentKey(loyalty.SegmentBase, to), n); err != nil {
				return err
			}
		}
		return nil
	})
}

// MoveSegmentCounters moves, in one transaction, the segment counters of
// every shard of the all-time stats counters into the base item.
func (s *Store) MoveSegmentCounters(ctx context.Context, dryRun bool) (int, error) {
	type total struct {
		key []byte
		sum map[string]int64
	}
	var totals []total
	read := func(tx *bolt.Tx) error {
		prefix := []byte("T\x00")
		c := tx.Bucket(bucketStats).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			sum := map[string]int64{}
			if err := json.Unmarshal(v, &sum); err != nil {
				return fmt.Errorf("counters %q: %w", k, err)
			}
			if len(loyalty.LegacySegmentCounters(sum)) > 0 {
				totals = append(totals, total{bytes.Clone(k), sum})
			}
		}
		return nil
	}
	if dryRun {
		err := s.db.View(read)
		return len(totals), err
	}
	err := s.update(nil, func(tx *bolt.Tx) error {
		totals = nil
		if err := read(tx); err != nil {
			return err
		}
		for _, t := range totals {
			for name, n := range loyalty.LegacySegmentCounters(t.sum) {
				if err := addCounter(tx.Bucket(bucketSegments), segmentKey(loyalty.SegmentBase, name), n); err != nil {
					return err
				}
				delete(t.sum, name)
			}
			if err := putJSON(tx.Bucket(bucketStats), t.key, t.sum); err != nil {
				return err
			}
		}
		return nil
	})
	return len(totals), err
}

// SplitSegmentCounters has nothing to split: bbolt keeps each segment
// counter under a key of its own (schema version 7 is DynamoDB's).
func (s *Store) SplitSegmentCounters(context.Context, bool) (int, error) { return 0, nil }
