package embedded

import (
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Promotions by id. The bucket is made by the first write, so a file from
// before them needs nothing.
var bucketPromotions = []byte("promotions")

func (s *Store) CreatePromotion(ctx context.Context, p loyalty.Promotion, audit loyalty.AuditEntry) error {
	free := func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketPromotions); b != nil && b.Get([]byte(p.ID)) != nil {
			return loyalty.ErrPromotionExists
		}
		return nil
	}
	return s.update(free, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketPromotions)
		if err != nil {
			return err
		}
		if err := putJSON(b, []byte(p.ID), p); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketAudit), []byte(audit.ID), audit)
	})
}

func (s *Store) Promotion(ctx context.Context, id string) (loyalty.Promotion, error) {
	var p loyalty.Promotion
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		p, err = promotionIn(tx, id)
		return err
	})
	return p, err
}

func (s *Store) Promotions(ctx context.Context) ([]loyalty.Promotion, error) {
	out := []loyalty.Promotion{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPromotions)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var p loyalty.Promotion
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

func (s *Store) EndPromotion(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.Promotion, error) {
	var out loyalty.Promotion
	exists := func(tx *bolt.Tx) error {
		_, err := promotionIn(tx, id)
		return err
	}
	err := s.update(exists, func(tx *bolt.Tx) error {
		p, err := promotionIn(tx, id)
		if err != nil {
			return err
		}
		ended, changed := p.Ended(audit.At)
		out = ended
		if !changed {
			return nil
		}
		if err := putJSON(tx.Bucket(bucketPromotions), []byte(id), ended); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketAudit), []byte(audit.ID), audit)
	})
	return out, err
}

func promotionIn(tx *bolt.Tx, id string) (loyalty.Promotion, error) {
	var p loyalty.Promotion
	var data []byte
	if b := tx.Bucket(bucketPromotions); b != nil {
		data = b.Get([]byte(id))
	}
	if data == nil {
		return p, loyalty.ErrPromotionNotFound
	}
	return p, json.Unmarshal(data, &p)
}
