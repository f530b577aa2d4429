package embedded

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

var bucketSessions = []byte("sessions") // hash of the cookie's secret -> session

func (s *Store) SaveSession(ctx context.Context, sess loyalty.Session) error {
	return s.update(nil, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketSessions), []byte(sess.ID), sess)
	})
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
	return s.update(nil, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete([]byte(id))
	})
}
