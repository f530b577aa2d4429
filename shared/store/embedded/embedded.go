// Package embedded is the Store of the local stack: one bbolt file, every
// change in one bbolt transaction, so it keeps the guarantees of the DynamoDB
// store on a laptop with nothing installed.
package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var _ store.Store = (*Store)(nil)

var (
	bucketMembers     = []byte("members")
	bucketEmails      = []byte("emails")
	bucketLedger      = []byte("ledger")    // member id -> bucket of seq -> entry
	bucketLots        = []byte("lots")      // member id -> bucket of expiry day -> lot
	bucketReversals   = []byte("reversals") // member id "/" seq -> empty
	bucketIdempotency = []byte("idempotency")
	bucketProgram     = []byte("program")
	bucketRewards     = []byte("rewards")
	bucketStaffKeys   = []byte("staff-keys")
	keyRules          = []byte("rules")
)

// Store is a bbolt-backed store.Store.
type Store struct {
	db *bolt.DB
}

// Open opens (creating when missing) the bbolt file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMembers, bucketEmails, bucketLedger, bucketLots, bucketReversals, bucketIdempotency, bucketProgram, bucketRewards, bucketStaffKeys} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare embedded store: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the bbolt file.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) Member(ctx context.Context, id string) (loyalty.Member, error) {
	var m loyalty.Member
	err := s.db.View(func(tx *bolt.Tx) error {
		return getMember(tx, id, &m)
	})
	return m, err
}

func (s *Store) LoadAccount(ctx context.Context, id string) (loyalty.Account, error) {
	var acct loyalty.Account
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := getMember(tx, id, &acct.Member); err != nil {
			return err
		}
		lots := tx.Bucket(bucketLots).Bucket([]byte(id))
		if lots == nil {
			return nil
		}
		return lots.ForEach(func(_, v []byte) error {
			var l loyalty.Lot
			if err := json.Unmarshal(v, &l); err != nil {
				return err
			}
			acct.Lots = append(acct.Lots, l)
			return nil
		})
	})
	return acct, err
}

func (s *Store) Entry(ctx context.Context, t loyalty.TxID) (loyalty.LedgerEntry, error) {
	var e loyalty.LedgerEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLedger).Bucket([]byte(t.MemberID))
		if b == nil {
			return loyalty.ErrEntryNotFound
		}
		v := b.Get(seqKey(t.Seq))
		if v == nil {
			return loyalty.ErrEntryNotFound
		}
		return json.Unmarshal(v, &e)
	})
	return e, err
}

func (s *Store) Ledger(ctx context.Context, memberID string, before int64, limit int) ([]loyalty.LedgerEntry, error) {
	var out []loyalty.LedgerEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLedger).Bucket([]byte(memberID))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v []byte
		if before > 0 {
			c.Seek(seqKey(before))
			k, v = c.Prev()
		} else {
			k, v = c.Last()
		}
		for ; k != nil && len(out) < limit; k, v = c.Prev() {
			var e loyalty.LedgerEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

func (s *Store) Idempotency(ctx context.Context, scope, keyHash string) (loyalty.IdempotencyRecord, bool, error) {
	var rec loyalty.IdempotencyRecord
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdempotency).Get(idemKey(scope, keyHash))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &rec)
	})
	return rec, found, err
}

func (s *Store) Rules(ctx context.Context) (loyalty.Rules, error) {
	rules := loyalty.DefaultRules()
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketProgram).Get(keyRules); v != nil {
			return json.Unmarshal(v, &rules)
		}
		return nil
	})
	return rules, err
}

func (s *Store) SaveRules(ctx context.Context, rules loyalty.Rules) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketProgram), keyRules, rules)
	})
}

func (s *Store) SaveReward(ctx context.Context, r loyalty.Reward) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketRewards), []byte(r.ID), r) })
}

func (s *Store) Reward(ctx context.Context, id string) (loyalty.Reward, error) {
	var r loyalty.Reward
	return r, s.get(bucketRewards, id, &r, loyalty.ErrRewardNotFound)
}

func (s *Store) Rewards(ctx context.Context) ([]loyalty.Reward, error) {
	var out []loyalty.Reward
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRewards).ForEach(func(_, v []byte) error {
			var r loyalty.Reward
			out = append(out, r)
			return json.Unmarshal(v, &out[len(out)-1])
		})
	})
	store.SortRewards(out)
	return out, err
}

func (s *Store) SaveStaffKey(ctx context.Context, k loyalty.StaffKey) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketStaffKeys), []byte(k.ID), k) })
}

func (s *Store) StaffKey(ctx context.Context, id string) (loyalty.StaffKey, error) {
	var k loyalty.StaffKey
	return k, s.get(bucketStaffKeys, id, &k, loyalty.ErrStaffKeyNotFound)
}

// get reads one JSON value, or returns notFound.
func (s *Store) get(bucket []byte, id string, v any, notFound error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		data := tx.Bucket(bucket).Get([]byte(id))
		if data == nil {
			return notFound
		}
		return json.Unmarshal(data, v)
	})
}

// Commit writes a posting in one bbolt transaction: every check passes and
// every write lands, or none does.
func (s *Store) Commit(ctx context.Context, p loyalty.Posting) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		id := []byte(p.Member.ID)
		members := tx.Bucket(bucketMembers)
		current := members.Get(id)
		if p.PrevVersion == 0 {
			if current != nil {
				return loyalty.ErrVersionConflict
			}
			emails := tx.Bucket(bucketEmails)
			email := []byte(loyalty.HashSecret(loyalty.NormalizeEmail(p.Member.Email)))
			if emails.Get(email) != nil {
				return loyalty.ErrEmailTaken
			}
			if err := emails.Put(email, id); err != nil {
				return err
			}
		} else {
			if current == nil {
				return loyalty.ErrMemberNotFound
			}
			var cur struct{ Version int64 }
			if err := json.Unmarshal(current, &cur); err != nil {
				return err
			}
			if cur.Version != p.PrevVersion {
				return loyalty.ErrVersionConflict
			}
		}
		if rec := p.Idempotency; rec != nil {
			b := tx.Bucket(bucketIdempotency)
			k := idemKey(rec.Scope, rec.KeyHash)
			if v := b.Get(k); v != nil {
				var old loyalty.IdempotencyRecord
				if err := json.Unmarshal(v, &old); err != nil {
					return err
				}
				if old.ExpiresAt.After(rec.CreatedAt) {
					return loyalty.ErrKeyTaken
				}
			}
			if err := putJSON(b, k, rec); err != nil {
				return err
			}
		}
		if p.ReversalOf != 0 {
			b := tx.Bucket(bucketReversals)
			k := fmt.Appendf(nil, "%s/%d", p.Member.ID, p.ReversalOf)
			if b.Get(k) != nil {
				return loyalty.ErrAlreadyReversed
			}
			if err := b.Put(k, nil); err != nil {
				return err
			}
		}
		if err := putJSON(members, id, p.Member); err != nil {
			return err
		}
		ledger, err := tx.Bucket(bucketLedger).CreateBucketIfNotExists(id)
		if err != nil {
			return err
		}
		for _, e := range p.Entries {
			if err := putJSON(ledger, seqKey(e.Seq), e); err != nil {
				return err
			}
		}
		lots, err := tx.Bucket(bucketLots).CreateBucketIfNotExists(id)
		if err != nil {
			return err
		}
		for _, l := range p.Lots {
			k := []byte(l.ExpiresOn.String())
			if l.Remaining == 0 {
				err = lots.Delete(k)
			} else {
				err = putJSON(lots, k, l)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func getMember(tx *bolt.Tx, id string, m *loyalty.Member) error {
	v := tx.Bucket(bucketMembers).Get([]byte(id))
	if v == nil {
		return loyalty.ErrMemberNotFound
	}
	return json.Unmarshal(v, m)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

func seqKey(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

func idemKey(scope, keyHash string) []byte {
	return bytes.Join([][]byte{[]byte(scope), []byte(keyHash)}, []byte{0})
}
