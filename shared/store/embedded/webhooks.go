package embedded

import (
	"bytes"
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Webhooks by id, and their delivery log, "<webhook id>\x00<delivery key>".
// The buckets are made by the first write, so a file from before them needs
// nothing.
var (
	bucketWebhooks   = []byte("webhooks")
	bucketDeliveries = []byte("webhook-deliveries")
)

func (s *Store) SaveWebhook(ctx context.Context, w loyalty.Webhook, audit loyalty.AuditEntry) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketWebhooks)
		if err != nil {
			return err
		}
		if err := putJSON(b, []byte(w.ID), w); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketAudit), []byte(audit.ID), audit)
	})
}

func (s *Store) Webhook(ctx context.Context, id string) (loyalty.Webhook, error) {
	var w loyalty.Webhook
	err := s.db.View(func(tx *bolt.Tx) error {
		var data []byte
		if b := tx.Bucket(bucketWebhooks); b != nil {
			data = b.Get([]byte(id))
		}
		if data == nil {
			return loyalty.ErrWebhookNotFound
		}
		return json.Unmarshal(data, &w)
	})
	return w, err
}

func (s *Store) Webhooks(ctx context.Context) ([]loyalty.Webhook, error) {
	out := []loyalty.Webhook{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebhooks)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var w loyalty.Webhook
			if err := json.Unmarshal(v, &w); err != nil {
				return err
			}
			out = append(out, w)
			return nil
		})
	})
	return out, err
}

func (s *Store) DeleteWebhook(ctx context.Context, id string, audit loyalty.AuditEntry) error {
	exists := func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketWebhooks); b == nil || b.Get([]byte(id)) == nil {
			return loyalty.ErrWebhookNotFound
		}
		return nil
	}
	return s.update(exists, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketWebhooks).Delete([]byte(id)); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketAudit), []byte(audit.ID), audit)
	})
}

func deliveryKey(webhookID, key string) []byte { return []byte(webhookID + "\x00" + key) }

func (s *Store) SaveDelivery(ctx context.Context, d loyalty.Delivery) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDeliveries)
		if err != nil {
			return err
		}
		return putJSON(b, deliveryKey(d.WebhookID, d.Key()), d)
	})
}

func (s *Store) Delivery(ctx context.Context, webhookID, key string) (d loyalty.Delivery, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return nil
		}
		data := b.Get(deliveryKey(webhookID, key))
		if ok = data != nil; !ok {
			return nil
		}
		return json.Unmarshal(data, &d)
	})
	return d, ok, err
}

func (s *Store) Deliveries(ctx context.Context, webhookID, cursor string, limit int) ([]loyalty.Delivery, string, error) {
	limit = store.PageLimit(limit)
	out := []loyalty.Delivery{}
	next := ""
	prefix := deliveryKey(webhookID, "")
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		// Start below the cursor, or at the webhook's last key (its prefix
		// with the next byte after \x00).
		upper := deliveryKey(webhookID, cursor)
		if cursor == "" {
			upper = append(bytes.Clone(prefix[:len(prefix)-1]), 1)
		}
		k, v := c.Seek(upper)
		if k == nil {
			k, v = c.Last()
		}
		for ; k != nil && bytes.Compare(k, upper) >= 0; k, v = c.Prev() {
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			if len(out) == limit {
				next = out[len(out)-1].Key()
				return nil
			}
			var d loyalty.Delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, next, err
}
