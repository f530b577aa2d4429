package stack

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
)

func TestTheStackRefusesDataOfALaterVersion(t *testing.T) {
	dir := t.TempDir()
	s, err := embedded.Open(filepath.Join(dir, "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSchemaVersion(context.Background(), store.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	st, err := New(context.Background(), Options{DataDir: dir, Template: "../../../template.yaml", Logger: slog.New(slog.DiscardHandler)})
	if !errors.Is(err, store.ErrSchemaTooNew) {
		if st != nil {
			st.Close()
		}
		t.Fatalf("the stack on a file at version %d started (%v); want ErrSchemaTooNew", store.SchemaVersion+1, err)
	}
}
