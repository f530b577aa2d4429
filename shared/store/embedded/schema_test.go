package embedded_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// openSchema1 opens a file holding testdata/schema1.golden: what the store
// wrote before schema versions, written back key by key.
func openSchema1(t *testing.T) store.Store {
	t.Helper()
	s, err := embedded.Open(writeDump(t, "testdata/schema1.golden"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// writeDump writes a dump (dumpBucket) into a new file, key by key, and
// returns the file's path.
func writeDump(t *testing.T, dump string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fidelio.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		lines := bufio.NewScanner(bytes.NewReader(fixture))
		lines.Buffer(nil, 1<<20)
		for lines.Scan() {
			if err := loadLine(tx, lines.Text()); err != nil {
				return err
			}
		}
		return lines.Err()
	})
	if err != nil {
		t.Fatalf("load %s: %v", dump, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadLine writes one line of a dump (dumpBucket): `<bucket>[/"<nested>"]
// "<key>" <value>`, the value "-" for none, quoted, or JSON.
func loadLine(tx *bolt.Tx, line string) error {
	path, rest, _ := strings.Cut(line, " ")
	name, nested, isNested := strings.Cut(path, "/")
	b, err := tx.CreateBucketIfNotExists([]byte(name))
	if err != nil {
		return err
	}
	if isNested {
		sub, err := strconv.Unquote(nested)
		if err != nil {
			return err
		}
		if b, err = b.CreateBucketIfNotExists([]byte(sub)); err != nil {
			return err
		}
	}
	quotedKey, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return err
	}
	key, _ := strconv.Unquote(quotedKey)
	value := strings.TrimPrefix(rest[len(quotedKey):], " ")
	switch {
	case value == "-":
		value = ""
	case strings.HasPrefix(value, `"`):
		if value, err = strconv.Unquote(value); err != nil {
			return err
		}
	}
	return b.Put([]byte(key), []byte(value))
}

func TestMigration(t *testing.T) { storetest.RunMigration(t, openSchema1) }

func TestANewFileIsAtTheCurrentSchemaVersion(t *testing.T) {
	if v, err := open(t).SchemaVersion(context.Background()); err != nil || v != store.SchemaVersion {
		t.Fatalf("schema version of a new file = %d, %v; want %d", v, err, store.SchemaVersion)
	}
}

func TestAFileOfALaterVersionIsRefusedAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fidelio.db")
	s, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSchemaVersion(context.Background(), store.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = embedded.Open(path)
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", store.SchemaVersion+1)) || !strings.Contains(err.Error(), path) {
		t.Fatalf("open a file at version %d: %v; want ErrSchemaTooNew naming the file and the version", store.SchemaVersion+1, err)
	}
}

// TestAnOlderFilesLedgerIsReadAfterItsBucketsAreFlattened opens a file whose
// members' ledgers are buckets of their own, as the store wrote them before
// one bucket held every entry: each member's entries read back in order,
// page by page, and so does the export.
func TestAnOlderFilesLedgerIsReadAfterItsBucketsAreFlattened(t *testing.T) {
	ctx := context.Background()
	s := openSchema1(t)
	const ada = "01M83XJ8800000000000000001"
	var seqs []int64
	for before := int64(0); ; {
		page, err := s.Ledger(ctx, ada, before, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.MemberID != ada {
				t.Fatalf("Ada's ledger lists an entry of %s", e.MemberID)
			}
			seqs = append(seqs, e.Seq)
		}
		before = page[len(page)-1].Seq
	}
	if fmt.Sprint(seqs) != "[6 5 4 3 2 1]" {
		t.Fatalf("Ada's ledger, newest first, four a page = seqs %v; want 6 to 1", seqs)
	}
	if only, err := s.Ledger(ctx, "01M84103W0000000000000000D", 0, 10); err != nil || len(only) != 1 || only[0].Seq != 1 {
		t.Fatalf("the last member's ledger = %+v, %v; want its one entry", only, err)
	}
	e, err := s.Entry(ctx, loyalty.TxID{MemberID: ada, Seq: 3})
	if err != nil || e.Seq != 3 || e.MemberID != ada {
		t.Fatalf("Ada's entry 3 = %+v, %v", e, err)
	}
	var exported []string
	for cursor := ""; ; {
		page, next, err := s.ExportLedger(ctx, loyalty.Date{}, loyalty.DateOf(time.Now()), cursor, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			exported = append(exported, fmt.Sprintf("%s-%d", e.MemberID[len(e.MemberID)-2:], e.Seq))
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if want := "[01-1 01-2 01-3 01-4 01-5 01-6 01-1 04-1 07-1 0A-1 0D-1]"; fmt.Sprint(exported) != want {
		t.Fatalf("export = %v; want %s", exported, want)
	}
}

// TestAnOlderFilesIdempotencyRecordsAreFoundAfterTheyMove opens a file whose
// idempotency records are keyed by their key alone, as the store wrote them
// before it appended them: each is found by its key.
func TestAnOlderFilesIdempotencyRecordsAreFoundAfterTheyMove(t *testing.T) {
	ctx := context.Background()
	s := openSchema1(t)
	fixture, err := os.ReadFile("testdata/schema1.golden")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(fixture)) {
		rest, ok := strings.CutPrefix(line, "idempotency ")
		if !ok {
			continue
		}
		quoted, _ := strconv.QuotedPrefix(rest)
		key, _ := strconv.Unquote(quoted)
		scope, keyHash, _ := strings.Cut(key, "\x00")
		rec, found, err := s.Idempotency(ctx, scope, keyHash)
		// The fixture's sealed answers are placeholders, not base64.
		if _, placeholder := errors.AsType[base64.CorruptInputError](err); placeholder {
			err = nil
		}
		if err != nil || !found || rec.Scope != scope || rec.KeyHash != keyHash || rec.RequestHash == "" {
			t.Errorf("the record of %q = %+v, %t, %v", key, rec, found, err)
		}
		n++
	}
	if n != 12 {
		t.Fatalf("%d records in the fixture, want 12", n)
	}
}
