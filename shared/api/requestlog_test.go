package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
)

// TestEachRequestIsOneLogLineWithoutSecrets: every request is logged once,
// as JSON with its request id, route, status, latency and the member it was
// about, and no line holds a member's token or code.
func TestEachRequestIsOneLogLineWithoutSecrets(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	deps := f.deps
	deps.Logger = slog.New(slog.NewJSONHandler(&out, nil))
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	m := f.enroll("ada@example.com")
	id, token, code := m.str("id"), m.str("token"), m.str("code")
	staff := f.staffKey("paris")
	out.Reset()
	f.expect(f.do("GET", "/v1/members/"+id, token, ""), 200, "")
	f.expect(f.do("POST", "/v1/earnings", staff, `{"code":"`+code+`","receiptId":"R-1","amount":{"value":1000,"currency":"EUR"}}`), 201, "")
	f.expect(f.do("GET", "/v1/members/"+id, "fm_"+id+"_wrongsecret0000000000000000000000", ""), 401, "unauthorized")

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines for 3 requests:\n%s", len(lines), out.String())
	}
	wantRoutes := []string{"GET /v1/members/{id}", "POST /v1/earnings", "GET /v1/members/{id}"}
	wantStatus := []int{200, 201, 401}
	for i, l := range lines {
		var line struct {
			Msg, RequestID, Route, MemberID string
			Status                          int
			LatencyMs                       *float64
		}
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if line.Msg != "request" || line.RequestID == "" || line.Route != wantRoutes[i] || line.Status != wantStatus[i] || line.LatencyMs == nil || *line.LatencyMs < 0 || line.MemberID != id {
			t.Errorf("line %d: %s", i, l)
		}
	}
	for _, secret := range []string{token, code, staff} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the log holds a secret %q:\n%s", secret, out.String())
		}
	}
}
