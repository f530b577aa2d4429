package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wire"
)

// The fuzz targets send what a client may send through the Lambda path of
// one program on the embedded store (Apple Wallet on, with a dev
// certificate): whatever the input, the answer is never a 5xx, and an
// error is always problem+json. `make test` runs each for a few seconds
// beyond its seeds in testdata/fuzz.

const fuzzPassType = "pass.dev.fidelio.fuzz"

// fuzzProgram is a program with one member, one staff key, one earning and
// one charity, built once per fuzzing process.
type fuzzProgram struct {
	app                        *api.App
	codes                      *signing.Signer
	member, token, code, staff string
	earning                    string
	seq                        atomic.Int64 // fresh idempotency keys and client addresses
}

func newFuzzProgram(f *testing.F) *fuzzProgram {
	f.Helper()
	s, err := embedded.Open(filepath.Join(f.TempDir(), "fidelio.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	certs := f.TempDir()
	if _, err := apple.DevChain(certs, fuzzPassType, "FUZZTEAM01", time.Now()); err != nil {
		f.Fatal(err)
	}
	read := func(name string) string { b, _ := os.ReadFile(filepath.Join(certs, name)); return string(b) }
	cfg := config.Config{
		ProgramName: "Fidelio", PassTypeID: fuzzPassType, TeamID: "FUZZTEAM01",
		Secrets: config.Secrets{AdminKey: adminKey, CodeKeys: signing.NewKeySpec("K1"), PassCert: read("pass.pem"), PassKey: read("pass.key"), WWDRCert: read("wwdr.pem")},
	}
	deps, err := wire.Deps(cfg, s, storetest.NewClock(storetest.Start), slog.New(slog.DiscardHandler))
	if err != nil {
		f.Fatal(err)
	}
	app, err := api.New(deps, "")
	if err != nil {
		f.Fatal(err)
	}
	p := &fuzzProgram{app: app, codes: deps.Codes}
	setup := func(method, path, token, body string, want int) map[string]any {
		status, out := p.send(method, path, token, body)
		if status != want {
			f.Fatalf("setting up: %s %s = %d %s", method, path, status, out)
		}
		var m map[string]any
		json.Unmarshal([]byte(out), &m)
		return m
	}
	m := setup("POST", "/v1/members", "", `{"name":"Ada","email":"ada@example.com"}`, 201)
	p.member, p.token, p.code = m["id"].(string), m["token"].(string), m["code"].(string)
	setup("POST", "/v1/admin/stores", adminKey, `{"id":"paris","name":"Paris","address":"1 rue de Rivoli","timeZone":"Europe/Paris"}`, 201)
	p.staff = setup("POST", "/v1/admin/staff-keys", adminKey, `{"storeId":"paris","name":"Till"}`, 201)["key"].(string)
	p.earning = setup("POST", "/v1/earnings", p.staff, fmt.Sprintf(`{"code":%q,"receiptId":"R-1","amount":{"value":90000,"currency":"EUR"},"confirmed":true}`, p.code), 201)["transactionId"].(string)
	setup("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":10}`, 201)
	setup("POST", "/v1/admin/charities", adminKey, `{"id":"restos","name":"Restos","pointsPerUnit":100,"currency":"EUR","minPoints":10,"step":10}`, 201)
	return p
}

// send passes one request through the API Gateway adapter, from a client address of its
// own (so the pass-token limiter never stands in the way), and returns the
// status and body.
func (p *fuzzProgram) send(method, target, token, body string, headers ...string) (int, string) {
	n := p.seq.Add(1)
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	req.URL = &url.URL{Path: target}
	if path, query, ok := strings.Cut(target, "?"); ok {
		req.URL = &url.URL{Path: path, RawQuery: query}
	}
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", n>>16&255, n>>8&255, n&255)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprint("fuzz-", n))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	ev, err := apigateway.EventFromRequest(req, method+" "+target, "fuzz", nil)
	if err != nil {
		return 400, err.Error()
	}
	return p.handle(ev)
}

func (p *fuzzProgram) handle(ev events.APIGatewayV2HTTPRequest) (int, string) {
	out, err := apigateway.Wrap(p.app)(context.Background(), ev)
	if err != nil {
		return 599, "the adapter returned an error: " + err.Error()
	}
	if out.StatusCode >= 400 && out.StatusCode < 500 && out.Headers["Content-Type"] != "application/problem+json" {
		return 598, "a client error that is not problem+json: " + out.Body
	}
	return out.StatusCode, out.Body
}

// mutating lists every route that reads a JSON body, with who may call it.
func (p *fuzzProgram) mutating() []struct{ method, path, token string } {
	m := "/v1/members/" + p.member
	wallet := "/wallet/v1/devices/d41d8cd98f00b204e9800998ecf8427e/registrations/" + fuzzPassType + "/" + p.member
	return []struct{ method, path, token string }{
		{"POST", "/v1/members", ""},
		{"POST", m + "/donations", p.token},
		{"PUT", m + "/donation-plan", p.token},
		{"POST", "/v1/scans", p.staff},
		{"POST", "/v1/earnings", p.staff},
		{"POST", "/v1/redemptions", p.staff},
		{"POST", wallet, ""},
		{"POST", "/wallet/v1/log", ""},
		{"POST", "/v1/admin/staff-keys", adminKey},
		{"POST", "/v1/admin/rewards", adminKey},
		{"PUT", "/v1/admin/program", adminKey},
		{"POST", "/v1/admin/members/" + p.member + "/adjustments", adminKey},
		{"POST", "/v1/admin/jobs/expiry/runs", adminKey},
		{"POST", "/v1/admin/charities", adminKey},
		{"PUT", "/v1/admin/charities/restos", adminKey},
		{"POST", "/v1/admin/operator-keys", adminKey},
		{"POST", "/v1/admin/stores", adminKey},
		{"PUT", "/v1/admin/stores/paris", adminKey},
	}
}

// FuzzBodies sends any body to every route that reads one.
func FuzzBodies(f *testing.F) {
	for route, seed := range []string{
		`{"name":"Eve","email":"eve@example.com","birthday":"1990-05-17","timeZone":"Europe/Paris","locale":"fr"}`,
		`{"charityId":"restos","points":20}`,
		`{"charityId":"restos","monthlyPoints":10,"donateExpiringPoints":true}`,
		`{"code":"F1.K1.01KAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA"}`,
		`{"code":"F1.K1.01KAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA","receiptId":"R-2","amount":{"value":1250,"currency":"EUR"}}`,
		`{"code":"F1.K1.01KAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA","rewardId":"coffee"}`,
		`{"pushToken":"8c7f1b2a0e9d4c3b"}`,
		`{"logs":["a","b"]}`,
		`{"storeId":"nice","name":"Till 2"}`,
		`{"id":"tea","name":"Tea","points":5}`,
		`{"currency":"JPY","pointsPerUnit":1000,"multiplierPercent":{"bronze":1000},"thresholds":{"bronze":0},"welcomeBonus":0,"birthdayBonus":0,"expiryMonths":1}`,
		`{"points":-9223372036854775808,"note":"x"}`,
		`{"at":"2026-11-23T10:30:00Z"}`,
		`{"id":"x","name":"X","pointsPerUnit":1000000,"currency":"EUR","minPoints":1000000000,"step":1000000,"matching":{"ratio":10,"capPoints":1000000000000}}`,
		`{"name":"Restos","pointsPerUnit":100,"currency":"EUR","minPoints":10,"step":10,"archived":true}`,
	} {
		f.Add(uint8(route), seed)
	}
	for route, seed := range []string{`{"amount":1,"amount":2}`, `{"AMOUNT":1}`, `[]`, `null`, `"`, `{"a":{"b":[{"c":{}}]}}`, ""} {
		f.Add(uint8(route*2), seed)
	}
	p := newFuzzProgram(f)
	routes := p.mutating()
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		r := routes[int(route)%len(routes)]
		// The member's own code, so that earnings and redemptions get past the scan.
		body = strings.ReplaceAll(body, "F1.K1.01KAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA", p.code)
		var headers []string
		if strings.HasPrefix(r.path, "/wallet/v1/devices/") {
			headers = []string{"Authorization", "ApplePass " + p.codes.MAC(signing.PurposePassToken, p.member)}
		}
		if status, out := p.send(r.method, r.path, r.token, body, headers...); status >= 500 {
			t.Fatalf("%s %s with %q: %d %s", r.method, r.path, body, status, out)
		}
	})
}

// FuzzSignedLinks opens a member's pages with any expiry and signature: a
// link works only with the signature this program made for that very path
// and expiry, and nothing is a 5xx.
func FuzzSignedLinks(f *testing.F) {
	p := newFuzzProgram(f)
	path := "/v1/members/" + p.member + "/qr.png"
	exp := fmt.Sprint(storetest.Start.Add(time.Hour).Unix())
	good := p.codes.MAC(signing.PurposeLink, "GET "+path+" "+exp)
	f.Add("qr.png", exp, good)
	f.Add("card.png", exp, good)
	f.Add("qr.png", "1", good)
	f.Add("qr.png", exp, good+"A")
	f.Add("qr.png", "+"+exp, good)
	f.Add("qr.png", exp, "K2."+strings.TrimPrefix(good, "K1."))
	f.Add("pass.pkpass", "", "")
	f.Add("../x", exp, ".")
	f.Fuzz(func(t *testing.T, page, expires, signature string) {
		target := "/v1/members/" + p.member + "/" + page
		query := url.Values{"expires": {expires}, "signature": {signature}}.Encode()
		status, out := p.send("GET", target+"?"+query, "", "")
		if status >= 500 {
			t.Fatalf("%s?%s: %d %s", target, query, status, out)
		}
		if status == 200 && signature != p.codes.MAC(signing.PurposeLink, "GET "+target+" "+expires) {
			t.Fatalf("%s?%s opened without this program's signature", target, query)
		}
	})
}

// FuzzPassTokens asks for a pass with any Authorization: only the pass's own
// token, under one of Wallet's schemes, gets it.
func FuzzPassTokens(f *testing.F) {
	p := newFuzzProgram(f)
	good := p.codes.MAC(signing.PurposePassToken, p.member)
	f.Add(p.member, "ApplePass "+good)
	f.Add(p.member, "AndroidPass "+good)
	f.Add(p.member, "WalletUnionPass  "+good+" ")
	f.Add(p.member, "Bearer "+good)
	f.Add(p.member, "ApplePass "+good[:len(good)-1])
	f.Add("01KAAAAAAAAAAAAAAAAAAAAAAA", "ApplePass "+good)
	f.Add(strings.Repeat("A", 3000), "ApplePass "+good)
	f.Add(p.member, "ApplePass")
	f.Fuzz(func(t *testing.T, serial, authorization string) {
		target := "/wallet/v1/passes/" + fuzzPassType + "/" + url.PathEscape(serial)
		status, out := p.send("GET", target, "", "", "Authorization", authorization)
		if status >= 500 {
			t.Fatalf("%s with %q: %d %s", target, authorization, status, out)
		}
		scheme, token, _ := strings.Cut(authorization, " ")
		if status == 200 && (serial != p.member || strings.TrimSpace(token) != good || !strings.HasSuffix(scheme, "Pass")) {
			t.Fatalf("%s with %q: got the pass", target, authorization)
		}
	})
}

// FuzzEvents hands the adapted App any API Gateway event: the sample events of
// events/ and what grows from them.
func FuzzEvents(f *testing.F) {
	samples, _ := filepath.Glob("../../events/*/*.json")
	for _, name := range samples {
		if b, err := os.ReadFile(name); err == nil && strings.Contains(string(b), `"rawPath"`) {
			f.Add(b)
		}
	}
	p := newFuzzProgram(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		if status, out := p.handle(ev); status >= 500 {
			t.Fatalf("event %s: %d %s", data, status, out)
		}
	})
}
