package embedded

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// A cursor of an export is the key of the last item read, base64url: the
// member's id, or the member's id and the entry's sequence key.

func (s *Store) ExportMembers(ctx context.Context, cursor string, limit int) ([]loyalty.Member, string, error) {
	after, err := exportCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	limit = store.PageLimit(limit)
	var out []loyalty.Member
	var next string
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMembers).Cursor()
		k, v := c.First()
		if after != nil {
			if k, v = c.Seek(after); k != nil && string(k) == string(after) {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			if len(out) == limit {
				next = base64.RawURLEncoding.EncodeToString(after)
				return nil
			}
			var m loyalty.Member
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			out, after = append(out, m), k
		}
		return nil
	})
	return out, next, err
}

func (s *Store) ExportLedger(ctx context.Context, from, to loyalty.Date, cursor string, limit int) ([]loyalty.LedgerEntry, string, error) {
	after, err := exportCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	limit = store.PageLimit(limit)
	lo, hi := from.String(), to.AddDays(1).String()
	var out []loyalty.LedgerEntry
	var next string
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLedger).Cursor()
		k, v := c.First()
		if after != nil {
			if len(after) < 8 {
				return fmt.Errorf("%w: cursor is not one of this export's", loyalty.ErrInvalid)
			}
			last := ledgerKey(string(after[:len(after)-8]), int64(binary.BigEndian.Uint64(after[len(after)-8:])))
			if k, v = c.Seek(last); k != nil && string(k) == string(last) {
				k, v = c.Next()
			}
		}
		for read := 0; k != nil; k, v = c.Next() {
			if read == limit {
				next = base64.RawURLEncoding.EncodeToString(after)
				return nil
			}
			read++
			// The cursor leaves out the key's separator, as when each
			// member's entries were a bucket of their own.
			after = append(bytes.Clone(k[:len(k)-9]), k[len(k)-8:]...)
			var e loyalty.LedgerEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if day := e.CreatedAt.UTC().Format("2006-01-02"); day >= lo && day < hi {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, next, err
}

func exportCursor(cursor string) ([]byte, error) {
	if cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) == 0 || len(b) > 300 {
		return nil, fmt.Errorf("%w: cursor is not one of this export's", loyalty.ErrInvalid)
	}
	return b, nil
}
