package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
)

// recordedLogs keeps what a logger wrote of Wallet's reports: the records
// and the lines they carry (the log of each request aside).
type recordedLogs struct {
	mu      sync.Mutex
	records int
	lines   []string
}

func (l *recordedLogs) Enabled(context.Context, slog.Level) bool { return true }
func (l *recordedLogs) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *recordedLogs) WithGroup(string) slog.Handler            { return l }
func (l *recordedLogs) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "wallet log" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records++
	r.Attrs(func(a slog.Attr) bool {
		if lines, ok := a.Value.Any().([]string); ok {
			l.lines = append(l.lines, lines...)
		}
		return true
	})
	return nil
}

func TestWalletLogIsBounded(t *testing.T) {
	f := newFixture(t)
	logs := &recordedLogs{}
	deps := f.app.Deps
	deps.Logger = slog.New(logs)
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	body := func(lines []string) string {
		b, _ := json.Marshal(map[string][]string{"logs": lines})
		return string(b)
	}

	short := make([]string, 3100) // a 12 KB body of 3,100 short lines
	for i := range short {
		short[i] = "x"
	}
	if len(body(short)) < 12<<10 {
		t.Fatalf("the body is %d bytes, want 12 KB", len(body(short)))
	}
	f.expect(f.do("POST", "/wallet/v1/log", "", body(short)), 200, "")
	if logs.records != 1 || len(logs.lines) != 10 {
		t.Fatalf("a 12 KB body of 3,100 lines wrote %d records of %d lines of Wallet's, want 1 of 10", logs.records, len(logs.lines))
	}

	f.expect(f.do("POST", "/wallet/v1/log", "", body([]string{strings.Repeat("é", 5000)})), 200, "")
	if got := logs.lines[len(logs.lines)-1]; len(got) > 512 || !strings.HasPrefix(strings.Repeat("é", 5000), got) {
		t.Fatalf("a 10,000-byte line was logged as %d bytes", len(got))
	}

	for range 8 {
		f.expect(f.do("POST", "/wallet/v1/log", "", body([]string{"again"})), 200, "")
	}
	written := logs.records
	f.expect(f.do("POST", "/wallet/v1/log", "", body([]string{"one too many"})), 429, "rate_limited")
	if logs.records != written {
		t.Fatal("a report past the address's rate was written")
	}
}
