package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// A session is one item, `SESSION#<hash>` / `SESSION`, read once per
// request of the member space; its ttl lets DynamoDB remove it after it
// expires, and a read checks the expiry itself (TTL deletes late).
const (
	sessionPrefix = "SESSION#"
	skSession     = "SESSION"
)

func (s *Store) SaveSession(ctx context.Context, sess loyalty.Session) error {
	item, err := marshal(sess, sessionPrefix+sess.ID, skSession)
	if err != nil {
		return fmt.Errorf("marshal session: %w", err)
	}
	item["ttl"] = num(sess.ExpiresAt.Unix())
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

func (s *Store) Session(ctx context.Context, id string, now time.Time) (loyalty.Session, error) {
	var sess loyalty.Session
	if err := s.get(ctx, sessionPrefix+id, skSession, &sess, loyalty.ErrSessionNotFound); err != nil {
		return loyalty.Session{}, err
	}
	if !now.Before(sess.ExpiresAt) {
		return loyalty.Session{}, loyalty.ErrSessionNotFound
	}
	return sess, nil
}

func (s *Store) RevokeSession(ctx context.Context, id string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(sessionPrefix+id, skSession)}); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
