package metrics_test

import (
	"bytes"
	"testing"

	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/metrics/emftest"
)

func TestLinesAreEmbeddedMetricFormat(t *testing.T) {
	var out bytes.Buffer
	defer metrics.SetOutput(&out)()
	metrics.Emit(nil, metrics.Value{Name: "PassesBuilt", Unit: metrics.Count, Value: 1})
	metrics.Emit(map[string]string{"Reason": "BadDeviceToken"}, metrics.Value{Name: "PushesFailed", Unit: metrics.Count, Value: 2})
	metrics.Emit(map[string]string{"Job": "expiry"}, metrics.Value{Name: "JobDuration", Unit: metrics.Milliseconds, Value: 1500})
	metrics.Emit(nil) // nothing to say: no line

	ms := emftest.Parse(t, out.Bytes())
	if n := bytes.Count(out.Bytes(), []byte("\n")); n != 3 {
		t.Errorf("%d lines, want 3", n)
	}
	for _, m := range ms {
		if m.Namespace != "Fidelio" {
			t.Errorf("%s in namespace %q", m.Name, m.Namespace)
		}
	}
	checks := []struct {
		name string
		dims map[string]string
		want float64
	}{
		{"PassesBuilt", nil, 1},
		{"PushesFailed", map[string]string{"Reason": "BadDeviceToken"}, 2},
		{"PushesFailed", nil, 2}, // the total, for the failure rate's alarm
		{"JobDuration", map[string]string{"Job": "expiry"}, 1500},
	}
	for _, c := range checks {
		if got := emftest.Sum(ms, c.name, c.dims); got != c.want {
			t.Errorf("%s %v = %v, want %v", c.name, c.dims, got, c.want)
		}
	}
}
