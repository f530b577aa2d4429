package embedded

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// bucketRefreshes holds the card refreshes by id; made by the first write.
var bucketRefreshes = []byte("card-refreshes")

func (s *Store) SaveCardRefresh(ctx context.Context, r loyalty.CardRefresh) (bool, error) {
	created := false
	err := s.update(nil, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRefreshes)
		if err != nil {
			return err
		}
		if b.Get([]byte(r.ID)) != nil {
			return nil
		}
		created = true
		return putJSON(b, []byte(r.ID), r)
	})
	return created, err
}

func (s *Store) CardRefresh(ctx context.Context, id string) (loyalty.CardRefresh, error) {
	var r loyalty.CardRefresh
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = refreshIn(tx, id)
		return err
	})
	return r, err
}

func refreshIn(tx *bolt.Tx, id string) (loyalty.CardRefresh, error) {
	var r loyalty.CardRefresh
	var data []byte
	if b := tx.Bucket(bucketRefreshes); b != nil {
		data = b.Get([]byte(id))
	}
	if data == nil {
		return r, loyalty.ErrRefreshNotFound
	}
	return r, json.Unmarshal(data, &r)
}

func (s *Store) AdvanceCardRefresh(ctx context.Context, r loyalty.CardRefresh, fromPages int64) error {
	atPages := func(tx *bolt.Tx) error {
		stored, err := refreshIn(tx, r.ID)
		if err != nil {
			return err
		}
		if stored.Pages != fromPages {
			return fmt.Errorf("%w: card refresh %s is at page %d, not %d", loyalty.ErrVersionConflict, r.ID, stored.Pages, fromPages)
		}
		return nil
	}
	return s.update(atPages, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketRefreshes), []byte(r.ID), r)
	})
}

func (s *Store) UnfinishedCardRefreshes(ctx context.Context) ([]loyalty.CardRefresh, error) {
	out := []loyalty.CardRefresh{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRefreshes)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var r loyalty.CardRefresh
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if !r.Finished() {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}
