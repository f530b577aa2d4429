package embedded_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

var update = flag.Bool("update", false, "write the golden files again")

// TestStoredItemsAreGolden pins what the store writes to its file, item by
// item: a domain type's JSON names are its stored names, and changing one
// must be a decision, not an accident.
func TestStoredItemsAreGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fidelio.db")
	s, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Populate(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out bytes.Buffer
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return dumpBucket(&out, string(name), b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Golden(t, "testdata/items.golden", out.Bytes(), *update)
}

// sealed answers carry a random nonce: their bytes differ from run to run.
var sealed = regexp.MustCompile(`"sealed":"[^"]*"`)

// A push's claim begins with the day it is made.
var pushClaimDay = regexp.MustCompile(`^push-claims-by-day "\d{4}-\d{2}-\d{2}/`)

// dumpBucket writes a line per key, "<bucket> <key> <value>", nested buckets
// by their path.
func dumpBucket(out *bytes.Buffer, path string, b *bolt.Bucket) error {
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			return dumpBucket(out, path+"/"+fmt.Sprintf("%q", k), b.Bucket(k))
		}
		value := fmt.Sprintf("%q", v)
		switch {
		case len(v) == 0:
			value = "-"
		case json.Valid(v):
			value = string(sealed.ReplaceAll(v, []byte(`"sealed":"(sealed, random nonce)"`)))
		}
		line := fmt.Sprintf("%s %q %s\n", path, k, value)
		out.WriteString(pushClaimDay.ReplaceAllLiteralString(line, `push-claims-by-day "(today)/`))
		return nil
	})
}
