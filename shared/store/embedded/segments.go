package embedded

import (
	"context"
	"encoding/json"
	"fmt"

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

// FoldStatsCounters moves, in one transaction, each of one shard's
// all-time counters named in moves into the one it names.
func (s *Store) FoldStatsCounters(ctx context.Context, shard int, moves map[string]string) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bucketStats), statsTotalKey(shard)
		v := b.Get(k)
		if v == nil {
			return nil
		}
		sum := map[string]int64{}
		if err := json.Unmarshal(v, &sum); err != nil {
			return fmt.Errorf("counters of shard %d: %w", shard, err)
		}
		for from, to := range moves {
			if n, ok := sum[from]; ok {
				sum[to] += n
				delete(sum, from)
			}
		}
		return putJSON(b, k, sum)
	})
}
