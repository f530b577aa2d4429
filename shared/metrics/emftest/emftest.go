// Package emftest reads CloudWatch Embedded Metric Format lines as
// CloudWatch would, for tests: each line must be a JSON object whose _aws
// metadata names a namespace, dimension sets whose every dimension is a
// string member of the line, and metrics whose every value is a number of
// the line.
package emftest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// Metric is one metric value of a line, with the line's dimensions.
type Metric struct {
	Namespace  string
	Name, Unit string
	Value      float64
	Dimensions map[string]string
}

// Parse reads every line of out as EMF, failing t on the first that is not.
func Parse(t testing.TB, out []byte) []Metric {
	t.Helper()
	var ms []Metric
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Bytes()
		got, err := parseLine(line)
		if err != nil {
			t.Fatalf("not an EMF line (%v): %s", err, line)
		}
		ms = append(ms, got...)
	}
	return ms
}

func parseLine(line []byte) ([]Metric, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(line, &doc); err != nil {
		return nil, err
	}
	var meta struct {
		Timestamp         *int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	}
	if err := json.Unmarshal(doc["_aws"], &meta); err != nil {
		return nil, fmt.Errorf("_aws: %w", err)
	}
	if meta.Timestamp == nil || *meta.Timestamp <= 0 || len(meta.CloudWatchMetrics) == 0 {
		return nil, fmt.Errorf("_aws needs a Timestamp in milliseconds and CloudWatchMetrics")
	}
	var out []Metric
	for _, d := range meta.CloudWatchMetrics {
		if d.Namespace == "" || len(d.Dimensions) == 0 || len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return nil, fmt.Errorf("a directive needs a Namespace, dimension sets and 1 to 100 metrics")
		}
		for _, set := range d.Dimensions {
			if len(set) > 30 {
				return nil, fmt.Errorf("a dimension set of %d", len(set))
			}
			dims := map[string]string{}
			for _, name := range set {
				var v string
				if err := json.Unmarshal(doc[name], &v); err != nil || v == "" {
					return nil, fmt.Errorf("dimension %s is not a string member of the line", name)
				}
				dims[name] = v
			}
			for _, m := range d.Metrics {
				var v float64
				if err := json.Unmarshal(doc[m.Name], &v); err != nil {
					return nil, fmt.Errorf("metric %s has no numeric value in the line", m.Name)
				}
				switch m.Unit {
				case "Count", "Milliseconds", "Seconds", "None", "":
				default:
					return nil, fmt.Errorf("metric %s: unit %q", m.Name, m.Unit)
				}
				out = append(out, Metric{Namespace: d.Namespace, Name: m.Name, Unit: m.Unit, Value: v, Dimensions: dims})
			}
		}
	}
	return out, nil
}

// Sum adds the values of the metric name whose dimensions are exactly dims.
func Sum(ms []Metric, name string, dims map[string]string) float64 {
	var sum float64
	for _, m := range ms {
		if m.Name == name && len(m.Dimensions) == len(dims) && equal(m.Dimensions, dims) {
			sum += m.Value
		}
	}
	return sum
}

func equal(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
