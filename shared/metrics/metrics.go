// Package metrics writes CloudWatch Embedded Metric Format (EMF) lines: a
// JSON object per line on the function's log, which CloudWatch Logs turns
// into metrics, with no API call from the function. Every metric is in the
// namespace FIDELIO_METRICS_NAMESPACE names ("Fidelio" when unset; the
// template sets Fidelio/<stage>), which the template's alarms and dashboard
// read.
package metrics

import (
	"cmp"
	"encoding/json"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// Units of CloudWatch.
const (
	Count        = "Count"
	Milliseconds = "Milliseconds"
)

// Value is one metric's value.
type Value struct {
	Name  string
	Unit  string
	Value int64
}

var (
	mu     sync.Mutex
	out    = defaultOutput()
	clock  = time.Now
	nsOnce sync.Once
	ns     string
)

// defaultOutput is the function's log in Lambda (stderr, beside the JSON
// logs), and nowhere elsewhere: the local stack has no CloudWatch to read it.
func defaultOutput() io.Writer {
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") != "" {
		return os.Stderr
	}
	return io.Discard
}

// SetOutput sends the lines to w from now on, and returns what puts the
// output back (for tests).
func SetOutput(w io.Writer) (restore func()) {
	mu.Lock()
	defer mu.Unlock()
	prev := out
	out = w
	return func() { mu.Lock(); out = prev; mu.Unlock() }
}

// Namespace is the metrics' namespace.
func Namespace() string {
	nsOnce.Do(func() { ns = cmp.Or(os.Getenv("FIDELIO_METRICS_NAMESPACE"), "Fidelio") })
	return ns
}

// Emit writes one EMF line of values under the dimensions dims (name ->
// value, nil for none), and under no dimension too, so that an alarm reads
// the total of every reason or status.
func Emit(dims map[string]string, values ...Value) {
	if len(values) == 0 {
		return
	}
	names := make([]string, 0, len(dims))
	for k := range dims {
		names = append(names, k)
	}
	slices.Sort(names)
	type metric struct {
		Name string `json:"Name"`
		Unit string `json:"Unit"`
	}
	defs := make([]metric, len(values))
	line := map[string]any{}
	for k, v := range dims {
		line[k] = v
	}
	for i, v := range values {
		defs[i] = metric{v.Name, v.Unit}
		line[v.Name] = v.Value
	}
	line["_aws"] = map[string]any{
		"Timestamp": clock().UnixMilli(),
		"CloudWatchMetrics": []map[string]any{{
			"Namespace":  Namespace(),
			"Dimensions": dimensionSets(names),
			"Metrics":    defs,
		}},
	}
	b, err := json.Marshal(line)
	if err != nil {
		return // strings and integers only: it cannot fail
	}
	mu.Lock()
	defer mu.Unlock()
	out.Write(append(b, '\n'))
}

func dimensionSets(names []string) [][]string {
	if len(names) == 0 {
		return [][]string{{}}
	}
	return [][]string{names, {}}
}
