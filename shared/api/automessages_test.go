package api_test

import "testing"

// TestTheOperatorSwitchesTheAutomaticMessages holds the automatic messages'
// switches to the rules: on by default, each patched alone, and a patch
// that does not leave three booleans refused with 422 and nothing saved.
func TestTheOperatorSwitchesTheAutomaticMessages(t *testing.T) {
	f := newFixture(t)
	switches := func(r response) map[string]any {
		t.Helper()
		m, ok := r.body["autoMessages"].(map[string]any)
		if !ok {
			t.Fatalf("no autoMessages in %v", r.body)
		}
		return m
	}
	if got := switches(f.do("GET", "/v1/admin/program", adminKey, "")); got["expiring"] != true || got["nearTier"] != true || got["birthday"] != true {
		t.Fatalf("by default: %v, want every message on", got)
	}
	patch := func(body string) response {
		t.Helper()
		return f.do("PATCH", "/v1/admin/program", adminKey, body, "Content-Type", "application/merge-patch+json")
	}
	r := patch(`{"autoMessages":{"nearTier":false}}`)
	f.expect(r, 200, "")
	if got := switches(r); got["expiring"] != true || got["nearTier"] != false || got["birthday"] != true {
		t.Fatalf("after switching close-to-the-next-tier off: %v", got)
	}
	for name, body := range map[string]string{
		"a switch that is not a boolean":  `{"autoMessages":{"birthday":"no"}}`,
		"an unknown message":              `{"autoMessages":{"newsletter":true}}`,
		"switches that are not an object": `{"autoMessages":false}`,
		"the switches removed":            `{"autoMessages":null}`,
		"a switch removed":                `{"autoMessages":{"expiring":null}}`,
	} {
		r := patch(body)
		f.expect(r, 422, "invalid_program")
		if r.str("detail") == "" {
			t.Errorf("%s: no detail", name)
		}
	}
	if s := switches(f.do("GET", "/v1/admin/program", adminKey, "")); s["expiring"] != true || s["nearTier"] != false || s["birthday"] != true {
		t.Fatalf("after refused patches: %v, want the first patch's switches", s)
	}
}
