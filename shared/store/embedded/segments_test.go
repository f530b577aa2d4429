package embedded

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestTheMigrationMovesTheSegmentCountersOutOfTheAllTimeItem(t *testing.T) {
	storetest.RunSegmentCountersMove(t, func(t *testing.T) store.Store { return openInternal(t) }, func(t *testing.T, s store.Store) {
		err := s.(*Store).update(nil, func(tx *bolt.Tx) error {
			segments, stats := tx.Bucket(bucketSegments), tx.Bucket(bucketStats)
			total := map[string]int64{}
			if err := json.Unmarshal(stats.Get(statsTotalKey(0)), &total); err != nil {
				return err
			}
			var keys [][]byte
			err := segments.ForEach(func(k, v []byte) error {
				_, name, _ := bytes.Cut(k, []byte{0})
				n, err := strconv.ParseInt(string(v), 10, 64)
				total[string(name)] += n
				keys = append(keys, bytes.Clone(k))
				return err
			})
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := segments.Delete(k); err != nil {
					return err
				}
			}
			if err := putJSON(stats, statsTotalKey(0), total); err != nil {
				return err
			}
			return tx.Bucket(bucketProgram).Put(keySchemaVersion, []byte("4"))
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
