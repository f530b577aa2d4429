package embedded

import (
	"context"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/store"
)

// keySchemaVersion holds the schema version of the file's items, in
// decimal; migrationKey where a migration stopped.
var keySchemaVersion = []byte("schema-version")

func migrationKey(version int) []byte { return []byte("migration/" + strconv.Itoa(version)) }

func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		v, err = schemaVersion(tx)
		return err
	})
	return v, err
}

func schemaVersion(tx *bolt.Tx) (int, error) {
	raw := tx.Bucket(bucketProgram).Get(keySchemaVersion)
	if raw == nil {
		return 1, nil
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("schema version %q: %w", raw, err)
	}
	return v, nil
}

func (s *Store) SaveSchemaVersion(ctx context.Context, version int) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		was, err := schemaVersion(tx)
		if err != nil || was >= version {
			return err
		}
		return tx.Bucket(bucketProgram).Put(keySchemaVersion, []byte(strconv.Itoa(version)))
	})
}

func (s *Store) MigrationCursor(ctx context.Context, version int) (string, error) {
	var cursor string
	err := s.db.View(func(tx *bolt.Tx) error {
		cursor = string(tx.Bucket(bucketProgram).Get(migrationKey(version)))
		return nil
	})
	return cursor, err
}

func (s *Store) SaveMigrationCursor(ctx context.Context, version int, cursor string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProgram).Put(migrationKey(version), []byte(cursor))
	})
}

// checkSchema refuses a file a later build upgraded.
func checkSchema(tx *bolt.Tx) error {
	v, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	return store.CheckSchema(v)
}

// ShardExpiryEntries moves nothing: the file's expiry index keeps a day's
// lots under one prefix, which has no partition to run hot.
func (s *Store) ShardExpiryEntries(ctx context.Context, memberID string, dryRun bool) (int, error) {
	return 0, nil
}
