package embedded_test

import (
	"path/filepath"
	"testing"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Run("embedded", func(t *testing.T) { storetest.Run(t, open) })
}

func BenchmarkEarn(b *testing.B) {
	s, err := embedded.Open(filepath.Join(b.TempDir(), "fidelio.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkEarn(b, s)
}

// TestWorkload runs the concurrent workload of the fault test, without faults:
// bbolt has none of DynamoDB's, and the same checks hold.
func TestWorkload(t *testing.T) {
	r := storetest.RunWorkload(t, open(t), nil)
	t.Logf("requests %v, sent %d, final answers %v, replayed %d, ledger entries %d (the program's own %v)", r.Requests, r.Sent, r.Final, r.Replayed, r.Entries, r.Scheduled)
}

func BenchmarkStatsRead(b *testing.B) {
	s, err := embedded.Open(filepath.Join(b.TempDir(), "fidelio.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.BenchmarkStatsRead(b, s)
}
