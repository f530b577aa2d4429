package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

var (
	bucketSessions = []byte("sessions") // hash of the cookie's secret -> session
	// bucketSessionExpiry orders the sessions by expiry ("<RFC 3339 UTC
	// expiry>\x00<hash>", no value), so that those gone by are purged
	// without a scan: bbolt has no TTL as DynamoDB has.
	bucketSessionExpiry = []byte("session-expiry")
)

// sessionPurgeBatch bounds the expired sessions one save purges: a save
// after a long pause purges the backlog over the next few, never all at once.
const sessionPurgeBatch = 64

func sessionExpiryKey(sess loyalty.Session) []byte {
	return indexKey(sess.ExpiresAt.UTC().Format(time.RFC3339), sess.ID)
}

// SaveSession records the session and purges sessions expired by the time
// it was opened.
func (s *Store) SaveSession(ctx context.Context, sess loyalty.Session) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		if err := purgeSessions(tx, sess.CreatedAt); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSessionExpiry).Put(sessionExpiryKey(sess), []byte{}); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketSessions), []byte(sess.ID), sess)
	})
}

// indexSessions puts in the expiry index the sessions of a file written
// before it existed, so that the purge reaches them too. Every session is
// in the index since, so the two buckets count the same once it is done.
func indexSessions(tx *bolt.Tx) error {
	sessions, byExpiry := tx.Bucket(bucketSessions), tx.Bucket(bucketSessionExpiry)
	if sessions.Stats().KeyN == byExpiry.Stats().KeyN {
		return nil
	}
	return sessions.ForEach(func(_, v []byte) error {
		var sess loyalty.Session
		if err := json.Unmarshal(v, &sess); err != nil {
			return fmt.Errorf("index the sessions: %w", err)
		}
		return byExpiry.Put(sessionExpiryKey(sess), []byte{})
	})
}

// purgeSessions deletes up to sessionPurgeBatch sessions expired at now.
func purgeSessions(tx *bolt.Tx, now time.Time) error {
	byExpiry, sessions := tx.Bucket(bucketSessionExpiry), tx.Bucket(bucketSessions)
	until := []byte(now.UTC().Format(time.RFC3339))
	var gone [][]byte
	c := byExpiry.Cursor()
	for k, _ := c.First(); k != nil && len(gone) < sessionPurgeBatch && bytes.Compare(k[:bytes.IndexByte(k, 0)], until) <= 0; k, _ = c.Next() {
		gone = append(gone, bytes.Clone(k))
	}
	for _, k := range gone {
		if err := byExpiry.Delete(k); err != nil {
			return err
		}
		if err := sessions.Delete(k[bytes.IndexByte(k, 0)+1:]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Session(ctx context.Context, id string, now time.Time) (loyalty.Session, error) {
	var sess loyalty.Session
	if err := s.get(bucketSessions, id, &sess, loyalty.ErrSessionNotFound); err != nil {
		return loyalty.Session{}, err
	}
	if !now.Before(sess.ExpiresAt) {
		return loyalty.Session{}, loyalty.ErrSessionNotFound
	}
	return sess, nil
}

func (s *Store) RevokeSession(ctx context.Context, id string) error {
	var sess loyalty.Session
	if err := s.get(bucketSessions, id, &sess, loyalty.ErrSessionNotFound); errors.Is(err, loyalty.ErrSessionNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return s.update(nil, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSessionExpiry).Delete(sessionExpiryKey(sess)); err != nil {
			return err
		}
		return tx.Bucket(bucketSessions).Delete([]byte(id))
	})
}
