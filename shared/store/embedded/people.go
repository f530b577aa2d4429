package embedded

import (
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

func (s *Store) SaveStaffKey(ctx context.Context, k loyalty.StaffKey, audit loyalty.AuditEntry) error {
	return s.saveAudited(bucketStaffKeys, k.ID, k, audit)
}

func (s *Store) StaffKey(ctx context.Context, id string) (loyalty.StaffKey, error) {
	var k loyalty.StaffKey
	return k, s.get(bucketStaffKeys, id, &k, loyalty.ErrStaffKeyNotFound)
}

func (s *Store) StaffKeys(ctx context.Context) ([]loyalty.StaffKey, error) {
	return list[loyalty.StaffKey](s, bucketStaffKeys)
}

func (s *Store) RevokeStaffKey(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.StaffKey, error) {
	var k loyalty.StaffKey
	err := s.revoke(bucketStaffKeys, id, &k, loyalty.ErrStaffKeyNotFound, &k.RevokedAt, audit)
	return k, err
}

func (s *Store) SaveOperatorKey(ctx context.Context, k loyalty.OperatorKey, audit loyalty.AuditEntry) error {
	return s.saveAudited(bucketOperators, k.ID, k, audit)
}

func (s *Store) OperatorKey(ctx context.Context, id string) (loyalty.OperatorKey, error) {
	var k loyalty.OperatorKey
	return k, s.get(bucketOperators, id, &k, loyalty.ErrOperatorKeyNotFound)
}

func (s *Store) OperatorKeys(ctx context.Context) ([]loyalty.OperatorKey, error) {
	return list[loyalty.OperatorKey](s, bucketOperators)
}

func (s *Store) RevokeOperatorKey(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.OperatorKey, error) {
	var k loyalty.OperatorKey
	err := s.revoke(bucketOperators, id, &k, loyalty.ErrOperatorKeyNotFound, &k.RevokedAt, audit)
	return k, err
}

func (s *Store) SaveShop(ctx context.Context, shop loyalty.Shop, audit loyalty.AuditEntry) error {
	return s.saveAudited(bucketShops, shop.ID, shop, audit)
}

func (s *Store) Shop(ctx context.Context, id string) (loyalty.Shop, error) {
	var shop loyalty.Shop
	return shop, s.get(bucketShops, id, &shop, loyalty.ErrShopNotFound)
}

func (s *Store) Shops(ctx context.Context) ([]loyalty.Shop, error) {
	return list[loyalty.Shop](s, bucketShops)
}

func (s *Store) RecordAudit(ctx context.Context, e loyalty.AuditEntry) error {
	return s.update(nil, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketAudit), []byte(e.ID), e) })
}

func (s *Store) Audit(ctx context.Context, cursor string, limit int) ([]loyalty.AuditEntry, string, error) {
	limit = store.PageLimit(limit)
	var out []loyalty.AuditEntry
	next := ""
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		var k, v []byte
		if cursor == "" {
			k, v = c.Last()
		} else {
			c.Seek([]byte(cursor))
			k, v = c.Prev()
		}
		for ; k != nil; k, v = c.Prev() {
			if len(out) == limit {
				next = out[len(out)-1].ID
				return nil
			}
			var e loyalty.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, next, err
}

// saveAudited puts v under id in bucket and its audit entry, in one transaction.
func (s *Store) saveAudited(bucket []byte, id string, v any, audit loyalty.AuditEntry) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bucket), []byte(id), v); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketAudit), []byte(audit.ID), audit)
	})
}

// revoke reads the key under id into v and, unless its revokedAt (a field
// of v) is set already, sets it to audit.At and writes the key back with its
// audit entry, in one transaction.
func (s *Store) revoke(bucket []byte, id string, v any, notFound error, revokedAt **time.Time, audit loyalty.AuditEntry) error {
	exists := func(tx *bolt.Tx) error {
		if tx.Bucket(bucket).Get([]byte(id)) == nil {
			return notFound
		}
		return nil
	}
	return s.update(exists, func(tx *bolt.Tx) error {
		// A group committed again runs this again: start from the stored key.
		*revokedAt = nil
		if err := json.Unmarshal(tx.Bucket(bucket).Get([]byte(id)), v); err != nil {
			return err
		}
		if *revokedAt != nil {
			return nil
		}
		*revokedAt = &audit.At
		if err := putJSON(tx.Bucket(bucket), []byte(id), v); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketAudit), []byte(audit.ID), audit)
	})
}

// list reads every value of a bucket, in key order.
func list[T any](s *Store, bucket []byte) ([]T, error) {
	out := []T{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(_, v []byte) error {
			var t T
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	})
	return out, err
}
