package google_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/metrics/emftest"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
)

// TestEachGoogleCallIsCountedByStatus: every request to the Google Wallet
// API, retries included, is one GoogleCalls count whose Status dimension is
// the answer's HTTP status, or "error" when none came ("Google calls by
// status" on the dashboard).
func TestEachGoogleCallIsCountedByStatus(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	var emf bytes.Buffer
	defer metrics.SetOutput(&emf)()

	class := c.Class(program, "bronze")
	c.UpsertClass(ctx, class)                         // POST: 200
	c.UpsertClass(ctx, class)                         // POST: 409, then PUT: 200
	c.InsertObject(ctx, c.Object(card("bronze", 10))) // POST: 200
	srv.FailNext(503)
	c.PatchObject(ctx, c.Object(card("bronze", 20))) // 503, then 200
	id := c.ObjectID("abc123serial")
	for i := range googletest.Quota + 1 { // the last one is over the day's quota: 403
		c.AddMessage(ctx, id, google.Message{ID: fmt.Sprint("m", i), Header: "h", Body: "b"})
	}
	unreachable, err := google.NewClient(ctx, issuer, "http://127.0.0.1:1", srv.KeyJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := unreachable.PatchObject(ctx, c.Object(card("bronze", 30))); err == nil || errors.Is(err, google.ErrNotFound) {
		t.Fatalf("a call to a closed port: %v, want a connection error", err)
	}

	ms := emftest.Parse(t, emf.Bytes())
	got := map[string]float64{}
	for _, m := range ms {
		if m.Name != "GoogleCalls" || len(m.Dimensions) == 0 { // the roll-up over every status, checked below
			continue
		}
		if m.Unit != metrics.Count || m.Value != 1 || len(m.Dimensions) != 1 || m.Namespace != metrics.Namespace() {
			t.Errorf("a GoogleCalls value of %v %s with dimensions %v in %q, want 1 Count by Status alone", m.Value, m.Unit, m.Dimensions, m.Namespace)
		}
		got[m.Dimensions["Status"]] += m.Value
	}
	want := map[string]float64{"200": 4 + googletest.Quota, "409": 1, "503": 1, "403": 1, "error": 1}
	if !maps.Equal(got, want) {
		t.Errorf("GoogleCalls by Status = %v, want %v", got, want)
	}
	var all float64
	for _, n := range want {
		all += n
	}
	if total := emftest.Sum(ms, "GoogleCalls", map[string]string{}); total != all {
		t.Errorf("GoogleCalls over every status = %v, want %v", total, all)
	}
	if answered := float64(srv.CallCount()); answered != all-want["error"] {
		t.Errorf("the stand-in answered %v calls, the metric counted %v answers", answered, all-want["error"])
	}
}
