package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRun drives both targets briefly: every request answered as it should
// be, and every figure printed.
func TestRun(t *testing.T) {
	var out strings.Builder
	o := options{clients: 4, members: 8, duration: 300 * time.Millisecond, lone: 20, rounds: 2, template: "../../../template.yaml"}
	if err := run(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for _, want := range []string{"yardstick (1 bbolt write)   ", "earn (local stack, HTTP)   ", "earn (local stack, HTTP), lone caller", "earnings / yardstick: ", "CPU µs    syncs    pages"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the output", want)
		}
	}
}
