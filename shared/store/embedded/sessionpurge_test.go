package embedded_test

import (
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/embedded"
)

// TestSessionsOfAnOlderFileArePurgedToo opens a file written before expired
// sessions were purged (testdata/before-session-purge.golden: its one
// session expired on 23 December 2026), as it was and as a build with the
// purge left it (an empty expiry index beside its sessions): a session
// opened after that day leaves only itself in the file.
func TestSessionsOfAnOlderFileArePurgedToo(t *testing.T) {
	for name, prepare := range map[string]func(*bolt.Tx) error{
		"as written before the purge": func(*bolt.Tx) error { return nil },
		"as opened since by a build with the purge": func(tx *bolt.Tx) error {
			_, err := tx.CreateBucket([]byte("session-expiry"))
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := writeDump(t, "testdata/before-session-purge.golden")
			changeFile(t, path, prepare)
			s, err := embedded.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
			_, fresh := loyalty.NewSession(loyalty.NewRandomIDs(), loyalty.Member{ID: "01M83XJ8800000000000000001"}, at)
			if err := s.SaveSession(context.Background(), fresh); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			changeFile(t, path, func(tx *bolt.Tx) error {
				var kept []string
				tx.Bucket([]byte("sessions")).ForEach(func(k, _ []byte) error { kept = append(kept, string(k)); return nil })
				if indexed := tx.Bucket([]byte("session-expiry")).Stats().KeyN; len(kept) != 1 || kept[0] != fresh.ID || indexed != 1 {
					t.Errorf("the file keeps the sessions %v (%d in the expiry index), want only the new one, %s", kept, indexed, fresh.ID)
				}
				return nil
			})
		})
	}
}

// changeFile runs change in a transaction on the bbolt file at path.
func changeFile(t *testing.T, path string, change func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(change); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
