// Package embedded is the Store of the local stack: one bbolt file, every
// change in one bbolt transaction, so it keeps the guarantees of the DynamoDB
// store on a laptop with nothing installed.
package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var _ store.Store = (*Store)(nil)

var (
	bucketMembers     = []byte("members")
	bucketEmails      = []byte("emails")
	bucketLedger      = []byte("entries")             // member id "\x00" seq -> entry (ledgerKey)
	bucketLots        = []byte("lots")                // member id -> bucket of expiry day -> lot
	bucketReversals   = []byte("reversals")           // member id "/" seq -> loyalty.Reversed (empty: reversed whole, before partial refunds)
	bucketIdempotency = []byte("idempotency-records") // sequence number, scope "\x00" key hash -> record (idempotency.go)
	bucketProgram     = []byte("program")
	bucketRewards     = []byte("rewards")
	bucketStaffKeys   = []byte("staff-keys")
	bucketOperators   = []byte("operator-keys")
	bucketShops       = []byte("stores")
	bucketAudit       = []byte("audit") // entry id (a ULID, so in time order) -> entry
	keyRules          = []byte("rules")
	keyRulesVersion   = []byte("rules-version")
	keyLogo           = []byte("logo")
	keyLogoVersion    = []byte("logo-version")

	// Charities and their totals: "<charity>\x00<period>\x00<shard>" -> totals,
	// the period "all" or a month; "<charity>\x00<month>\x00<member id>" ->
	// the member's gifts of the month.
	bucketCharities     = []byte("charities")
	bucketCharityShards = []byte("charity-shards")
	bucketCharityDonors = []byte("charity-donors")

	// The indexes of the scheduled jobs, kept exact by Commit: a key per
	// match, "<day>\x00<member id>", with no value.
	bucketBirthdays   = []byte("index-birthdays")    // MM-DD
	bucketExpiries    = []byte("index-expiries")     // YYYY-MM-DD of a lot with points left
	bucketTierReviews = []byte("index-tier-reviews") // YYYY-MM-DD of Member.TierReviewOn
	bucketPledges     = []byte("index-pledges")      // YYYY-MM-DD of Member.PledgeDue
)

// appendOnly is the fill of the pages of a bucket whose keys only grow (the
// ledger, the audit trail, the change feed): bbolt's default, half a page,
// leaves every page it splits half empty for good, and a group of changes
// writes twice as many pages of them.
const appendOnly = 1.0

var indexBuckets = [][]byte{bucketBirthdays, bucketExpiries, bucketTierReviews, bucketPledges}

// Store is a bbolt-backed store.Store.
type Store struct {
	db      *bolt.DB
	group   committer
	idem    idemIndex
	pending pendingChanges
	feed    feed
	// counters are the counters of the postings of the transaction being
	// written, written at its end (or before a write that may read them).
	counters groupCounters
}

// Open opens (creating when missing) the bbolt file at path.
func Open(path string) (*Store, error) {
	// The free-page list is not written at each commit, one page range less
	// to sync; after a crash bbolt rebuilds it from the pages (as etcd does).
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("open embedded store %s: %w", path, err)
	}
	s := &Store{db: db}
	err = db.Update(func(tx *bolt.Tx) error {
		created := tx.Bucket(bucketMembers) == nil
		if !created {
			if err := checkSchema(tx); err != nil {
				return err
			}
		}
		indexed := true
		for _, b := range indexBuckets {
			indexed = indexed && tx.Bucket(b) != nil
		}
		if err := flattenLedger(tx); err != nil {
			return err
		}
		for _, b := range append([][]byte{bucketMembers, bucketEmails, bucketLedger, bucketLots, bucketReversals, bucketIdempotency, bucketProgram, bucketRewards, bucketStaffKeys, bucketOperators, bucketShops, bucketAudit, bucketCharities, bucketCharityShards, bucketCharityDonors, bucketStats, bucketSegments, bucketNumbers, bucketNames, bucketReferralCodes, bucketSessions, bucketSessionExpiry}, indexBuckets...) {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if err := s.appendIdempotencyOf(tx); err != nil {
			return err
		}
		if err := indexSessions(tx); err != nil {
			return err
		}
		if created {
			// A new file holds no item of an older version.
			return tx.Bucket(bucketProgram).Put(keySchemaVersion, []byte(strconv.Itoa(store.SchemaVersion)))
		}
		if !indexed {
			return buildIndexes(tx)
		}
		return nil
	})
	if err == nil {
		err = db.View(func(tx *bolt.Tx) error { s.idem.load(tx); return nil })
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare embedded store %s: %w", path, err)
	}
	return s, nil
}

// Close drops what the change feed's reader forgot since the last
// transaction, and closes the bbolt file.
func (s *Store) Close() error {
	var err error
	if s.feed.forgotten.Load() > s.feed.dropped.Load() {
		err = s.update(nil, func(*bolt.Tx) error { return nil })
	}
	return errors.Join(err, s.db.Close())
}

func (s *Store) Member(ctx context.Context, id string) (loyalty.Member, error) {
	var m loyalty.Member
	err := s.db.View(func(tx *bolt.Tx) error {
		return getMember(tx, id, &m)
	})
	return m, err
}

func (s *Store) LoadAccount(ctx context.Context, id string) (loyalty.Account, error) {
	var acct loyalty.Account
	if err := s.pending.wait(ctx, id); err != nil {
		return acct, err
	}
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

func (s *Store) Reversed(ctx context.Context, t loyalty.TxID) (r loyalty.Reversed, found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		r, found, err = reversedIn(tx, reversalKey(t.MemberID, t.Seq))
		return err
	})
	return r, found, err
}

// reversedIn reads an entry's reversals; an empty record was written before
// refunds could be partial, and reads as none counted.
func reversedIn(tx *bolt.Tx, key []byte) (loyalty.Reversed, bool, error) {
	var r loyalty.Reversed
	v := tx.Bucket(bucketReversals).Get(key)
	if v == nil {
		return r, false, nil
	}
	if len(v) == 0 {
		return r, true, nil
	}
	return r, true, json.Unmarshal(v, &r)
}

func (s *Store) Entry(ctx context.Context, t loyalty.TxID) (loyalty.LedgerEntry, error) {
	var e loyalty.LedgerEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketLedger).Get(ledgerKey(t.MemberID, t.Seq))
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
		c := tx.Bucket(bucketLedger).Cursor()
		if before <= 0 {
			before = math.MaxInt64
		}
		// Seek lands past the member's entries before the one asked for:
		// the newest of them is the key before it.
		k, v := c.Seek(ledgerKey(memberID, before))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		prefix := ledgerKey(memberID, 0)[:len(memberID)+1]
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Prev() {
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

func (s *Store) Rules(ctx context.Context) (loyalty.Rules, error) {
	rules := loyalty.DefaultRules()
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProgram)
		v := b.Get(keyRules)
		if v == nil {
			return nil
		}
		if err := json.Unmarshal(v, &rules); err != nil {
			return err
		}
		var err error
		rules.Version, err = rulesVersion(b)
		return err
	})
	return rules, err
}

// SaveRules writes the rules and their version in one transaction, if the
// version is still the one the rules were read at.
func (s *Store) SaveRules(ctx context.Context, rules loyalty.Rules) (int64, error) {
	var version int64
	err := s.update(nil, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProgram)
		prev, err := rulesVersion(b)
		if err != nil {
			return err
		}
		if prev != rules.Version {
			return loyalty.ErrVersionConflict
		}
		version = prev + 1
		if err := b.Put(keyRulesVersion, []byte(strconv.FormatInt(version, 10))); err != nil {
			return err
		}
		return putJSON(b, keyRules, rules)
	})
	return version, err
}

// rulesVersion reads the version of the rules saved, 0 for rules saved
// before they had versions.
func rulesVersion(b *bolt.Bucket) (int64, error) {
	v := b.Get(keyRulesVersion)
	if v == nil {
		return 0, nil
	}
	return strconv.ParseInt(string(v), 10, 64)
}

func (s *Store) SaveLogo(ctx context.Context, png []byte) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProgram)
		if err := b.Put(keyLogo, png); err != nil {
			return err
		}
		return b.Put(keyLogoVersion, []byte(store.LogoVersion(png)))
	})
}

func (s *Store) LogoVersion(ctx context.Context) (string, error) {
	var version string
	err := s.db.View(func(tx *bolt.Tx) error {
		version = string(tx.Bucket(bucketProgram).Get(keyLogoVersion))
		return nil
	})
	return version, err
}

func (s *Store) Logo(ctx context.Context) ([]byte, error) {
	var png []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		png = bytes.Clone(tx.Bucket(bucketProgram).Get(keyLogo))
		return nil
	})
	return png, err
}

func (s *Store) SaveReward(ctx context.Context, r loyalty.Reward) error {
	return s.update(nil, func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketRewards), []byte(r.ID), r) })
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

// Commit writes a posting in one bbolt transaction, which it may share with
// other writers' (group commit): every check of the posting passes and every
// write lands, or none does.
// A referrer's posting (p.Referrer) is checked and written in the same
// transaction, with a change of its own on the feed.
func (s *Store) Commit(ctx context.Context, p loyalty.Posting) error {
	postings := []loyalty.Posting{p}
	if p.Referrer != nil {
		postings = append(postings, *p.Referrer)
	}
	was := make([]indexed, len(postings))
	for _, q := range postings {
		defer s.pending.add(q.Member.ID)()
	}
	err := s.updatePostings(func(tx *bolt.Tx) (err error) {
		for i, q := range postings {
			if was[i], err = s.checkPosting(tx, q); err != nil {
				return err
			}
		}
		return nil
	}, func(tx *bolt.Tx) error {
		for i, q := range postings {
			before := bytes.Clone(tx.Bucket(bucketMembers).Get([]byte(q.Member.ID)))
			after, err := s.applyPosting(tx, q, was[i])
			if err != nil {
				return err
			}
			if err := recordChange(tx, before, after); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.feed.notify()
	}
	return err
}

// CommitAll writes postings of distinct members in one bbolt transaction,
// all or none, with Commit's checks: a bulk load (an import, a benchmark's
// program) without a disk sync per member.
func (s *Store) CommitAll(ctx context.Context, ps []loyalty.Posting) error {
	return s.updatePostings(nil, func(tx *bolt.Tx) error {
		for _, p := range ps {
			was, err := s.checkPosting(tx, p)
			if err == nil {
				_, err = s.applyPosting(tx, p, was)
			}
			if err != nil {
				return fmt.Errorf("member %s: %w", p.Member.ID, err)
			}
		}
		return nil
	})
}

// indexed is what the indexes hold of a member.
type indexed struct {
	Version      int64        `json:"version"`
	Birthday     loyalty.Date `json:"birthday"`
	TierReviewOn loyalty.Date `json:"tierReviewOn"`
	DonationPlan *indexedPlan `json:"donationPlan"`
}

type indexedPlan struct {
	NextPledgeOn loyalty.Date `json:"nextPledgeOn"`
}

func (x indexed) pledgeDue() loyalty.Date {
	if x.DonationPlan == nil {
		return loyalty.Date{}
	}
	return x.DonationPlan.NextPledgeOn
}

func indexedOf(m loyalty.Member) indexed {
	x := indexed{Birthday: m.Birthday, TierReviewOn: m.TierReviewOn}
	if due := m.PledgeDue(); !due.IsZero() {
		x.DonationPlan = &indexedPlan{due}
	}
	return x
}

// checkPosting refuses, writing nothing, a posting whose conditions do not
// hold; it returns what the indexes hold of the member before the change.
func (s *Store) checkPosting(tx *bolt.Tx, p loyalty.Posting) (indexed, error) {
	var cur indexed
	current := tx.Bucket(bucketMembers).Get([]byte(p.Member.ID))
	if p.PrevVersion == 0 {
		if current != nil {
			return cur, loyalty.ErrVersionConflict
		}
		if tx.Bucket(bucketEmails).Get(emailKey(p.Member)) != nil {
			return cur, loyalty.ErrEmailTaken
		}
	} else {
		if current == nil {
			return cur, loyalty.ErrMemberNotFound
		}
		if err := json.Unmarshal(current, &cur); err != nil {
			return cur, err
		}
		if cur.Version != p.PrevVersion {
			return cur, loyalty.ErrVersionConflict
		}
		if p.Member.Email != "" && p.Member.Email != p.PrevEmail {
			if holder := tx.Bucket(bucketEmails).Get(emailKey(p.Member)); holder != nil && string(holder) != p.Member.ID {
				return cur, loyalty.ErrEmailTaken
			}
		}
	}
	if rec := p.Idempotency; rec != nil {
		if v := s.idempotencyRecord(tx, rec.Scope, rec.KeyHash); v != nil {
			var old loyalty.IdempotencyRecord
			if err := json.Unmarshal(v, &old); err != nil {
				return cur, err
			}
			if old.ExpiresAt.After(rec.CreatedAt) {
				return cur, loyalty.ErrKeyTaken
			}
		}
	}
	if p.ReversalOf != 0 {
		before, found, err := reversedIn(tx, reversalKey(p.Member.ID, p.ReversalOf))
		if err != nil {
			return cur, err
		}
		if found && (before.Count == 0 || before.Count != p.Reversed.Count-1) || !found && p.Reversed.Count != 1 {
			return cur, loyalty.ErrVersionConflict
		}
	}
	if p.Donation != nil {
		return cur, checkGift(tx, *p.Donation)
	}
	return cur, nil
}

// applyPosting writes a posting that checkPosting let through (was is what
// it returned), and returns the member as written.
func (s *Store) applyPosting(tx *bolt.Tx, p loyalty.Posting, was indexed) ([]byte, error) {
	id := []byte(p.Member.ID)
	if p.PrevVersion == 0 {
		if err := tx.Bucket(bucketEmails).Put(emailKey(p.Member), id); err != nil {
			return nil, err
		}
		if _, err := putLookups(tx, p.Member, false); err != nil {
			return nil, err
		}
	} else if err := moveLookups(tx, p); err != nil {
		return nil, err
	}
	if rec := p.Idempotency; rec != nil {
		if err := s.putIdempotency(tx, rec); err != nil {
			return nil, err
		}
	}
	if p.Audit != nil {
		audit := tx.Bucket(bucketAudit)
		audit.FillPercent = appendOnly
		if err := putJSON(audit, []byte(p.Audit.ID), p.Audit); err != nil {
			return nil, err
		}
	}
	if p.ReversalOf != 0 {
		if err := putJSON(tx.Bucket(bucketReversals), reversalKey(p.Member.ID, p.ReversalOf), p.Reversed); err != nil {
			return nil, err
		}
	}
	member, err := json.Marshal(p.Member)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bucketMembers).Put(id, member); err != nil {
		return nil, err
	}
	if err := reindexMember(tx, p.Member.ID, was, indexedOf(p.Member)); err != nil {
		return nil, err
	}
	if p.Donation != nil {
		if err := addGift(tx, p.Member.ID, *p.Donation); err != nil {
			return nil, err
		}
	}
	s.counters.add(p.Stats)
	ledger := tx.Bucket(bucketLedger)
	for _, e := range p.Entries {
		if err := putJSON(ledger, ledgerKey(p.Member.ID, e.Seq), e); err != nil {
			return nil, err
		}
	}
	lots, err := tx.Bucket(bucketLots).CreateBucketIfNotExists(id)
	if err != nil {
		return nil, err
	}
	expiries := tx.Bucket(bucketExpiries)
	for _, l := range p.Lots {
		day := l.ExpiresOn.String()
		k := indexKey(day, p.Member.ID)
		switch {
		case l.Remaining == 0:
			err = errors.Join(lots.Delete([]byte(day)), expiries.Delete(k))
		case has(expiries, k):
			// A page rewritten with the same key would be one more to sync.
			err = putJSON(lots, []byte(day), l)
		default:
			err = errors.Join(putJSON(lots, []byte(day), l), expiries.Put(k, nil))
		}
		if err != nil {
			return nil, err
		}
	}
	return member, nil
}

func emailKey(m loyalty.Member) []byte {
	return []byte(loyalty.HashSecret(loyalty.NormalizeEmail(m.Email)))
}

func reversalKey(memberID string, seq int64) []byte {
	return fmt.Appendf(nil, "%s/%d", memberID, seq)
}

// reindexMember moves the member's keys in the birthday, tier review and
// pledge indexes from what the member was to what they are.
func reindexMember(tx *bolt.Tx, id string, was, is indexed) error {
	monthDay := func(d loyalty.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.MonthDay().String()
	}
	return errors.Join(
		moveKey(tx.Bucket(bucketBirthdays), id, monthDay(was.Birthday), monthDay(is.Birthday)),
		moveKey(tx.Bucket(bucketTierReviews), id, was.TierReviewOn.String(), is.TierReviewOn.String()),
		moveKey(tx.Bucket(bucketPledges), id, was.pledgeDue().String(), is.pledgeDue().String()),
	)
}

// moveKey moves a member's key in an index from one day to another; "" is
// no day, no key.
func moveKey(b *bolt.Bucket, id, from, to string) error {
	if from == to {
		return nil
	}
	if from != "" {
		if err := b.Delete(indexKey(from, id)); err != nil {
			return err
		}
	}
	if to == "" {
		return nil
	}
	return b.Put(indexKey(to, id), nil)
}

// buildIndexes fills the indexes of a file written before they existed.
func buildIndexes(tx *bolt.Tx) error {
	err := tx.Bucket(bucketMembers).ForEach(func(id, v []byte) error {
		var m indexed
		if err := json.Unmarshal(v, &m); err != nil {
			return err
		}
		return reindexMember(tx, string(id), indexed{}, m)
	})
	if err != nil {
		return fmt.Errorf("index members: %w", err)
	}
	lots, expiries := tx.Bucket(bucketLots), tx.Bucket(bucketExpiries)
	return lots.ForEachBucket(func(id []byte) error {
		return lots.Bucket(id).ForEach(func(day, _ []byte) error {
			return expiries.Put(indexKey(string(day), string(id)), nil)
		})
	})
}

func indexKey(day, memberID string) []byte { return []byte(day + "\x00" + memberID) }

func (s *Store) BirthdayMembers(ctx context.Context, day loyalty.MonthDay, cursor string, limit int) ([]loyalty.Member, string, error) {
	var out []loyalty.Member
	var next string
	err := s.db.View(func(tx *bolt.Tx) error {
		var ids []string
		ids, next = indexPage(tx.Bucket(bucketBirthdays), day.String(), cursor, limit)
		out = make([]loyalty.Member, len(ids))
		for i, id := range ids {
			if err := getMember(tx, id, &out[i]); err != nil {
				return fmt.Errorf("birthday index names member %s: %w", id, err)
			}
		}
		return nil
	})
	return out, next, err
}

func (s *Store) ExpiringLots(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	return s.index(bucketExpiries, day.String(), cursor, limit)
}

func (s *Store) TierReviewsDue(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	return s.index(bucketTierReviews, day.String(), cursor, limit)
}

func (s *Store) PledgesDue(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	return s.index(bucketPledges, day.String(), cursor, limit)
}

// watermarkKey is where a job's watermark ("YYYY-MM-DD") is kept, beside
// the program's settings.
func watermarkKey(job string) []byte { return []byte("watermark/" + job) }

func (s *Store) JobWatermark(ctx context.Context, job string) (loyalty.Date, error) {
	var day loyalty.Date
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketProgram).Get(watermarkKey(job)); v != nil {
			return day.UnmarshalText(v)
		}
		return nil
	})
	return day, err
}

func (s *Store) SaveJobWatermark(ctx context.Context, job string, day loyalty.Date) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProgram)
		// ISO dates order as text.
		if was := b.Get(watermarkKey(job)); was != nil && string(was) >= day.String() {
			return nil
		}
		return b.Put(watermarkKey(job), []byte(day.String()))
	})
}

func (s *Store) index(bucket []byte, day, cursor string, limit int) (ids []string, next string, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		ids, next = indexPage(tx.Bucket(bucket), day, cursor, limit)
		return nil
	})
	return ids, next, err
}

// indexPage lists the member ids after cursor under day in an index.
func indexPage(b *bolt.Bucket, day, cursor string, limit int) (ids []string, next string) {
	limit = store.PageLimit(limit)
	prefix := []byte(day + "\x00")
	c := b.Cursor()
	k, _ := c.Seek(indexKey(day, cursor))
	if cursor != "" && bytes.Equal(k, indexKey(day, cursor)) {
		k, _ = c.Next()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(ids) == limit {
			return ids, ids[len(ids)-1]
		}
		ids = append(ids, string(k[len(prefix):]))
	}
	return ids, ""
}

func getMember(tx *bolt.Tx, id string, m *loyalty.Member) error {
	v := tx.Bucket(bucketMembers).Get([]byte(id))
	if v == nil {
		return loyalty.ErrMemberNotFound
	}
	return json.Unmarshal(v, m)
}

// has says whether b holds k. Get cannot tell: a key put with no value
// earlier in the same transaction reads nil, as a missing key does (a
// claim of a group written once would not see the one before it).
func has(b *bolt.Bucket, k []byte) bool {
	found, _ := b.Cursor().Seek(k)
	return bytes.Equal(found, k)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// ledgerKey orders a member's entries by seq, after one another.
func ledgerKey(memberID string, seq int64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(memberID), 0), uint64(seq))
}

// flattenLedger moves the entries of a file written when each member's
// ledger was a bucket of its own ("ledger", member id -> seq -> entry) into
// the one bucket of them: an earning wrote the member's bucket and its place
// in the parent, about 1.5 pages more to sync. A local file is small, so it
// moves in one transaction, at open.
func flattenLedger(tx *bolt.Tx) error {
	nested := tx.Bucket([]byte("ledger"))
	if nested == nil {
		return nil
	}
	flat, err := tx.CreateBucketIfNotExists(bucketLedger)
	if err != nil {
		return err
	}
	err = nested.ForEachBucket(func(id []byte) error {
		return nested.Bucket(id).ForEach(func(seq, entry []byte) error {
			return flat.Put(append(append(bytes.Clone(id), 0), seq...), entry)
		})
	})
	if err != nil {
		return fmt.Errorf("flatten the ledger: %w", err)
	}
	return tx.DeleteBucket([]byte("ledger"))
}
