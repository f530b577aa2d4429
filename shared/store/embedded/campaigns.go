package embedded

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Campaigns by id; their pushes counted apart, "<id>" -> pushed and failed
// (two big-endian uint64), so that a page recorded never overwrites them;
// and the cards' message budgets, "<day>/<serial>" -> the message ids (an
// older build's "<serial>/<day>" in card-messages). The buckets are made by
// the first write, so a file from before them needs nothing.
var (
	bucketCampaigns            = []byte("campaigns")
	bucketCampaignPushes       = []byte("campaign-pushes")
	bucketMessagesClaimed      = []byte("card-messages-by-day")
	bucketMessagesClaimedOlder = []byte("card-messages")
)

func (s *Store) SaveCampaign(ctx context.Context, c loyalty.Campaign, audit loyalty.AuditEntry) error {
	return s.update(nil, func(tx *bolt.Tx) error { return putCampaign(tx, c, audit) })
}

func (s *Store) SaveCampaignOnce(ctx context.Context, c loyalty.Campaign, rec loyalty.IdempotencyRecord, audit loyalty.AuditEntry) error {
	keyFree := func(tx *bolt.Tx) error {
		v := s.idempotencyRecord(tx, rec.Scope, rec.KeyHash)
		if v == nil {
			return nil
		}
		var old loyalty.IdempotencyRecord
		if err := json.Unmarshal(v, &old); err != nil {
			return err
		}
		if old.ExpiresAt.After(rec.CreatedAt) {
			return loyalty.ErrKeyTaken
		}
		return nil
	}
	return s.update(keyFree, func(tx *bolt.Tx) error {
		if err := s.putIdempotency(tx, &rec); err != nil {
			return err
		}
		return putCampaign(tx, c, audit)
	})
}

func putCampaign(tx *bolt.Tx, c loyalty.Campaign, audit loyalty.AuditEntry) error {
	b, err := tx.CreateBucketIfNotExists(bucketCampaigns)
	if err != nil {
		return err
	}
	if err := putJSON(b, []byte(c.ID), c); err != nil {
		return err
	}
	return putJSON(tx.Bucket(bucketAudit), []byte(audit.ID), audit)
}

func (s *Store) Campaign(ctx context.Context, id string) (loyalty.Campaign, error) {
	var c loyalty.Campaign
	err := s.db.View(func(tx *bolt.Tx) error {
		var data []byte
		if b := tx.Bucket(bucketCampaigns); b != nil {
			data = b.Get([]byte(id))
		}
		if data == nil {
			return loyalty.ErrCampaignNotFound
		}
		if err := json.Unmarshal(data, &c); err != nil {
			return err
		}
		c.Pushed, c.PushFailed = campaignPushes(tx, id)
		return nil
	})
	return c, err
}

func (s *Store) Campaigns(ctx context.Context, limit int) ([]loyalty.Campaign, error) {
	limit = min(store.PageLimit(limit), store.MaxCampaigns)
	out := []loyalty.Campaign{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCampaigns)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var camp loyalty.Campaign
			if err := json.Unmarshal(v, &camp); err != nil {
				return err
			}
			camp.Pushed, camp.PushFailed = campaignPushes(tx, camp.ID)
			out = append(out, camp)
		}
		return nil
	})
	return out, err
}

func campaignPushes(tx *bolt.Tx, id string) (pushed, failed int64) {
	b := tx.Bucket(bucketCampaignPushes)
	if b == nil {
		return 0, 0
	}
	v := b.Get([]byte(id))
	if len(v) != 16 {
		return 0, 0
	}
	return int64(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:]))
}

func (s *Store) AdvanceCampaign(ctx context.Context, c loyalty.Campaign, fromPages int64) error {
	atPages := func(tx *bolt.Tx) error {
		var data []byte
		if b := tx.Bucket(bucketCampaigns); b != nil {
			data = b.Get([]byte(c.ID))
		}
		if data == nil {
			return loyalty.ErrCampaignNotFound
		}
		var stored loyalty.Campaign
		if err := json.Unmarshal(data, &stored); err != nil {
			return err
		}
		if stored.Pages != fromPages {
			return fmt.Errorf("%w: campaign %s is at page %d, not %d", loyalty.ErrVersionConflict, c.ID, stored.Pages, fromPages)
		}
		return nil
	}
	c.Pushed, c.PushFailed = 0, 0 // counted apart
	return s.update(atPages, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketCampaigns), []byte(c.ID), c)
	})
}

func (s *Store) CountCampaignPushes(ctx context.Context, campaignID, memberID string, pushed, failed int64) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCampaignPushes)
		if err != nil {
			return err
		}
		p, f := campaignPushes(tx, campaignID)
		v := binary.BigEndian.AppendUint64(nil, uint64(p+pushed))
		return b.Put([]byte(campaignID), binary.BigEndian.AppendUint64(v, uint64(f+failed)))
	})
}

// cardMessages are the messages of a card's day: all, and those that notified.
type cardMessages struct {
	IDs      []string `json:"ids"`
	Notified []string `json:"notified,omitempty"`
}

func (s *Store) ClaimCardMessage(ctx context.Context, serial string, day loyalty.Date, messageID string, most int) (claimed, notify bool, err error) {
	err = s.update(nil, func(tx *bolt.Tx) error {
		claimed, notify = false, false // a group written again runs this again
		b, err := tx.CreateBucketIfNotExists(bucketMessagesClaimed)
		if err != nil {
			return err
		}
		// A day's budget matters that day, and the next for a message
		// released just after midnight.
		if err := purgeClaims(tx, b, day.AddDays(-1), bucketMessagesClaimedOlder); err != nil {
			return err
		}
		k := dayKey(day, serial)
		var ms cardMessages
		if v := b.Get(k); v != nil {
			if err := json.Unmarshal(v, &ms); err != nil {
				return err
			}
		}
		if slices.Contains(ms.IDs, messageID) {
			return nil
		}
		claimed, notify = true, len(ms.Notified) < most
		ms.IDs = append(ms.IDs, messageID)
		if notify {
			ms.Notified = append(ms.Notified, messageID)
		}
		return putJSON(b, k, ms)
	})
	return claimed, notify, err
}

func (s *Store) ReleaseCardMessage(ctx context.Context, serial string, day loyalty.Date, messageID string) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMessagesClaimed)
		if b == nil {
			return nil
		}
		k := dayKey(day, serial)
		v := b.Get(k)
		if v == nil {
			return nil
		}
		var ms cardMessages
		if err := json.Unmarshal(v, &ms); err != nil {
			return err
		}
		same := func(id string) bool { return id == messageID }
		ms.IDs, ms.Notified = slices.DeleteFunc(ms.IDs, same), slices.DeleteFunc(ms.Notified, same)
		return putJSON(b, k, ms)
	})
}
