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

// The lookup items of member search (schema version 2): a key per match,
// "<number>\x00<member id>" and "<name key>\x00<member id>", with no value.
var (
	bucketNumbers = []byte("lookup-numbers")
	bucketNames   = []byte("lookup-names")
)

// keySchemaVersion holds the schema version of the file's items, in
// decimal; migrationKey where a migration stopped.
var keySchemaVersion = []byte("schema-version")

func migrationKey(version int) []byte { return []byte("migration/" + strconv.Itoa(version)) }

// lookupKeys are the keys of a member's lookup items, by bucket.
func lookupKeys(m loyalty.Member) map[string][][]byte {
	keys := map[string][][]byte{}
	if n := m.NumberKey(); n != "" {
		keys[string(bucketNumbers)] = [][]byte{indexKey(n, m.ID)}
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
