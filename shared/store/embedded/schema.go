package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
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

func (s *Store) ScanMembers(ctx context.Context, cursor string, limit int) ([]loyalty.Member, string, error) {
	limit = store.PageLimit(limit)
	var out []loyalty.Member
	var next string
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMembers).Cursor()
		k, v := c.First()
		if cursor != "" {
			if k, v = c.Seek([]byte(cursor)); bytes.Equal(k, []byte(cursor)) {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			if len(out) == limit {
				next = out[len(out)-1].ID
				return nil
			}
			var m loyalty.Member
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("member %s: %w", k, err)
			}
			out = append(out, m)
		}
		return nil
	})
	return out, next, err
}

// checkSchema refuses a file a later build upgraded.
func checkSchema(tx *bolt.Tx) error {
	v, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	return store.CheckSchema(v)
}
