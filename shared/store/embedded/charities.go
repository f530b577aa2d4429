package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// periodAll is the period of a charity's all-time shards.
const periodAll = "all"

func shardKey(charityID, period string, shard int) []byte {
	return fmt.Appendf(nil, "%s\x00%s\x00%02d", charityID, period, shard)
}

// matchedKey is the key of a charity's matched points of a month, counted
// once against the cap.
func matchedKey(charityID string, month loyalty.Month) []byte {
	return []byte(charityID + "\x00" + month.String() + "\x00matched")
}

func donorPrefix(charityID string, month loyalty.Month) []byte {
	return []byte(charityID + "\x00" + month.String() + "\x00")
}

func (s *Store) SaveCharity(ctx context.Context, c loyalty.Charity) error {
	return s.update(nil, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketCharities), []byte(c.ID), c) })
}

func (s *Store) Charity(ctx context.Context, id string) (loyalty.Charity, error) {
	var c loyalty.Charity
	return c, s.get(bucketCharities, id, &c, loyalty.ErrCharityNotFound)
}

func (s *Store) Charities(ctx context.Context, activeOnly bool) ([]loyalty.Charity, error) {
	out := []loyalty.Charity{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCharities).ForEach(func(_, v []byte) error {
			var c loyalty.Charity
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if !activeOnly || !c.Archived {
				out = append(out, c)
			}
			return nil
		})
	})
	store.SortCharities(out)
	return out, err
}

func (s *Store) CharityMonthMatched(ctx context.Context, charityID string, month loyalty.Month) (int64, error) {
	var matched int64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketCharityShards).Get(matchedKey(charityID, month)); v != nil {
			return json.Unmarshal(v, &matched)
		}
		return nil
	})
	return matched, err
}

func (s *Store) CharityTotal(ctx context.Context, charityID string) (loyalty.CharityTotals, error) {
	shards, err := s.shards(charityID, periodAll)
	return store.SumShards(shards), err
}

func (s *Store) CharityMonth(ctx context.Context, charityID string, month loyalty.Month) (loyalty.CharityTotals, error) {
	shards, err := s.shards(charityID, month.String())
	return store.SumShards(shards), err
}

// shards reads the CharityShards totals of a charity's period.
func (s *Store) shards(charityID, period string) ([]loyalty.CharityTotals, error) {
	out := make([]loyalty.CharityTotals, loyalty.CharityShards)
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCharityShards)
		for n := range out {
			if v := b.Get(shardKey(charityID, period, n)); v != nil {
				if err := json.Unmarshal(v, &out[n]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) CharityDonors(ctx context.Context, charityID string, month loyalty.Month, cursor string, limit int) ([]loyalty.Donor, string, error) {
	limit = store.PageLimit(limit)
	var out []loyalty.Donor
	next := ""
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := donorPrefix(charityID, month)
		c := tx.Bucket(bucketCharityDonors).Cursor()
		from := append(bytes.Clone(prefix), cursor...)
		k, v := c.Seek(from)
		if cursor != "" && bytes.Equal(k, from) {
			k, v = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(out) == limit {
				next = out[len(out)-1].MemberID
				return nil
			}
			var d loyalty.Donor
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, next, err
}

// checkGift refuses with ErrVersionConflict a matched gift whose match would
// take the month's matched counter past the cap.
func checkGift(tx *bolt.Tx, g loyalty.DonationPosting) error {
	if g.Matched == 0 {
		return nil
	}
	var matched int64
	if v := tx.Bucket(bucketCharityShards).Get(matchedKey(g.CharityID, g.Month)); v != nil {
		if err := json.Unmarshal(v, &matched); err != nil {
			return err
		}
	}
	if matched > g.MatchedAtMost {
		return loyalty.ErrVersionConflict
	}
	return nil
}

// addGift adds a gift that checkGift let through to its charity's totals,
// in the commit of the donate entry: the month's matched counter when the
// gift is matched, the all-time shard, the month's shard and the member's
// line of the month.
func addGift(tx *bolt.Tx, memberID string, g loyalty.DonationPosting) error {
	shards, donors := tx.Bucket(bucketCharityShards), tx.Bucket(bucketCharityDonors)
	if g.Matched > 0 {
		var matched int64
		err := update(shards, matchedKey(g.CharityID, g.Month), &matched, func() error {
			matched += g.Matched
			return nil
		})
		if err != nil {
			return err
		}
	}
	var month, all loyalty.CharityTotals
	d := loyalty.Donor{MemberID: memberID}
	return errors.Join(
		update(shards, shardKey(g.CharityID, g.Month.String(), g.Shard), &month, func() error {
			month.Points, month.Matched, month.Gifts = month.Points+g.Points, month.Matched+g.Matched, month.Gifts+1
			if g.NewDonor {
				month.Donors++
			}
			return nil
		}),
		update(shards, shardKey(g.CharityID, periodAll, g.Shard), &all, func() error {
			all.Points, all.Matched, all.Gifts = all.Points+g.Points, all.Matched+g.Matched, all.Gifts+1
			return nil
		}),
		update(donors, append(donorPrefix(g.CharityID, g.Month), memberID...), &d, func() error {
			d.Points, d.Matched, d.Gifts = d.Points+g.Points, d.Matched+g.Matched, d.Gifts+1
			return nil
		}),
	)
}

// update reads the JSON value at k into v (leaving v as it is when there is
// none), changes it, and writes it back.
func update(b *bolt.Bucket, k []byte, v any, change func() error) error {
	if data := b.Get(k); data != nil {
		if err := json.Unmarshal(data, v); err != nil {
			return err
		}
	}
	if err := change(); err != nil {
		return err
	}
	return putJSON(b, k, v)
}
