package embedded

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// The lookup items of member search (schema version 2): a key per match,
// "<number>\x00<member id>" and "<name key>\x00<member id>", with no value;
// and of referral codes, "<code>\x00<member id>".
var (
	bucketNumbers       = []byte("lookup-numbers")
	bucketNames         = []byte("lookup-names")
	bucketReferralCodes = []byte("lookup-referral-codes")
)

// lookupKeys are the keys of a member's lookup items, by bucket.
func lookupKeys(m loyalty.Member) map[string][][]byte {
	keys := map[string][][]byte{}
	if n := m.NumberKey(); n != "" {
		keys[string(bucketNumbers)] = [][]byte{indexKey(n, m.ID)}
	}
	if m.ErasedAt.IsZero() {
		keys[string(bucketReferralCodes)] = [][]byte{indexKey(m.ReferralCode(), m.ID)}
	}
	for _, k := range store.NameKeys(m.Name) {
		keys[string(bucketNames)] = append(keys[string(bucketNames)], indexKey(k, m.ID))
	}
	return keys
}

// putLookups writes the lookup items m lacks, only counting them with
// dryRun, and returns how many.
func putLookups(tx *bolt.Tx, m loyalty.Member, dryRun bool) (int, error) {
	missing := 0
	for bucket, keys := range lookupKeys(m) {
		b := tx.Bucket([]byte(bucket))
		for _, k := range keys {
			if found, _ := b.Cursor().Seek(k); bytes.Equal(found, k) {
				continue
			}
			missing++
			if !dryRun {
				if err := b.Put(k, []byte{}); err != nil {
					return missing, err
				}
			}
		}
	}
	return missing, nil
}

// moveLookups follows a member's change of name or email (checkPosting
// checked that no one else holds the new email), and an erasure: its
// referral code's item out, its card recorded for the purge of its
// registrations (store.ErasedCards).
func moveLookups(tx *bolt.Tx, p loyalty.Posting) error {
	m := p.Member
	if p.Erases {
		if err := tx.Bucket(bucketReferralCodes).Delete(indexKey(m.ReferralCode(), m.ID)); err != nil {
			return err
		}
		if err := recordErasedCard(tx, m); err != nil {
			return err
		}
	}
	if m.Name != p.PrevName {
		names := tx.Bucket(bucketNames)
		gone, added := store.NameKeysMoved(p.PrevName, m.Name)
		for _, k := range gone {
			if err := names.Delete(indexKey(k, m.ID)); err != nil {
				return err
			}
		}
		for _, k := range added {
			if err := names.Put(indexKey(k, m.ID), []byte{}); err != nil {
				return err
			}
		}
	}
	if m.Email == p.PrevEmail {
		return nil
	}
	emails := tx.Bucket(bucketEmails)
	if p.PrevEmail != "" {
		if err := emails.Delete(emailKey(loyalty.Member{Email: p.PrevEmail})); err != nil {
			return err
		}
	}
	if m.Email == "" {
		return nil
	}
	return emails.Put(emailKey(m), []byte(m.ID))
}

func (s *Store) AddMemberLookups(ctx context.Context, memberID string, dryRun bool) (int, error) {
	var added int
	run := s.db.Update
	if dryRun {
		run = s.db.View
	}
	err := run(func(tx *bolt.Tx) error {
		var m loyalty.Member
		if err := getMember(tx, memberID, &m); err != nil {
			return err
		}
		var err error
		added, err = putLookups(tx, m, dryRun)
		return err
	})
	return added, err
}

func (s *Store) MemberByEmail(ctx context.Context, email string) (loyalty.Member, error) {
	var m loyalty.Member
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketEmails).Get([]byte(loyalty.HashSecret(loyalty.NormalizeEmail(email))))
		if id == nil {
			return loyalty.ErrMemberNotFound
		}
		return getMember(tx, string(id), &m)
	})
	return m, err
}

func (s *Store) MembersByNumber(ctx context.Context, number string) ([]loyalty.Member, error) {
	var out []loyalty.Member
	err := s.db.View(func(tx *bolt.Tx) error {
		ids, _ := indexPage(tx.Bucket(bucketNumbers), number, "", 10)
		return appendMembers(tx, &out, ids)
	})
	return out, err
}

func (s *Store) MembersByReferralCode(ctx context.Context, code string) ([]loyalty.Member, error) {
	var out []loyalty.Member
	err := s.db.View(func(tx *bolt.Tx) error {
		ids, _ := indexPage(tx.Bucket(bucketReferralCodes), code, "", 10)
		return appendMembers(tx, &out, ids)
	})
	return out, err
}

func (s *Store) MembersByName(ctx context.Context, prefix, cursor string, limit int) ([]loyalty.Member, string, error) {
	limit = store.PageLimit(limit)
	var out []loyalty.Member
	var next string
	err := s.db.View(func(tx *bolt.Tx) error {
		var ids []string
		seen := map[string]bool{}
		c := tx.Bucket(bucketNames).Cursor()
		k, _ := c.Seek([]byte(prefix))
		if cursor != "" {
			if k, _ = c.Seek([]byte(cursor)); bytes.Equal(k, []byte(cursor)) {
				k, _ = c.Next()
			}
		}
		for last := ""; k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
			id := string(k[bytes.IndexByte(k, 0)+1:])
			if !seen[id] {
				if len(ids) == limit {
					next = last
					break
				}
				seen[id] = true
				ids = append(ids, id)
			}
			last = string(k)
		}
		return appendMembers(tx, &out, ids)
	})
	return out, next, err
}

func appendMembers(tx *bolt.Tx, out *[]loyalty.Member, ids []string) error {
	for _, id := range ids {
		var m loyalty.Member
		if err := getMember(tx, id, &m); err != nil {
			return fmt.Errorf("a lookup item names member %s: %w", id, err)
		}
		*out = append(*out, m)
	}
	return nil
}
