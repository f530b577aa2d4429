// Package googletest is a local stand-in for Google Wallet's REST API and
// its OAuth token endpoint that checks what Google checks: a bearer token
// obtained with a service account's signed JWT, ids of the form
// <issuer>.<suffix>, every body against Google's walletobjects v1 discovery
// document (schema.go), 404 and 409, reviewStatus on class writes, and at
// most three notifying messages per card and day.
package googletest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Server is the stand-in. Its fields are safe to read after requests are done.
type Server struct {
	*httptest.Server
	IssuerID string
	// KeyJSON is a service account key whose token_uri is this server.
	KeyJSON   []byte
	PublicKey *rsa.PublicKey
	email     string
	schemas   schemas

	mu       sync.Mutex
	tokens   map[string]bool
	Classes  map[string]map[string]any
	Objects  map[string]map[string]any
	Messages map[string][]map[string]any
	// Calls lists "METHOD path" of every API call, token requests excluded.
	Calls    []string
	fail     []int
	rng      *mrand.Rand
	rates    Faults
	injected map[string]int
}

// Faults are the rates, each from 0 to 1, at which API calls fail before
// they are served: 429, a 500 or 503, no answer for a second (or until the
// client gives up) and then the connection reset, or the connection reset at
// once.
type Faults struct {
	Seed                                         uint64
	TooManyRequests, Unavailable, Timeout, Reset float64
}

// InjectFaults makes API calls fail at random, drawn from f.Seed;
// Faults{} stops it. Token requests never fail.
func (s *Server) InjectFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rng, s.rates = mrand.New(mrand.NewPCG(f.Seed, f.Seed)), f
	if s.injected == nil {
		s.injected = map[string]int{}
	}
}

// Injected counts the faults injected, by kind: "429", "500", "503",
// "timeout", "reset".
func (s *Server) Injected() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.injected)
}

// drawFault picks the fault of a call, or ""; the caller holds s.mu.
func (s *Server) drawFault() string {
	if s.rng == nil {
		return ""
	}
	x := s.rng.Float64()
	for _, f := range []struct {
		kind string
		rate float64
	}{{"429", s.rates.TooManyRequests}, {"5xx", s.rates.Unavailable}, {"timeout", s.rates.Timeout}, {"reset", s.rates.Reset}} {
		if x >= f.rate {
			x -= f.rate
			continue
		}
		if f.kind == "5xx" {
			f.kind = []string{"500", "503"}[s.rng.IntN(2)]
		}
		s.injected[f.kind]++
		return f.kind
	}
	return ""
}

// New starts a server on 127.0.0.1 for an issuer, stopped at the test's end.
func New(t testing.TB, issuerID string) *Server {
	t.Helper()
	schemas, err := loadSchemas()
	if err != nil {
		t.Fatalf("googletest: Google's discovery document: %v", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{IssuerID: issuerID, PublicKey: &key.PublicKey, email: "fidelio@test-project.iam.gserviceaccount.com", schemas: schemas,
		tokens: map[string]bool{}, Classes: map[string]map[string]any{}, Objects: map[string]map[string]any{}, Messages: map[string][]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	s.KeyJSON, _ = json.Marshal(map[string]string{
		"type": "service_account", "project_id": "test-project", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": s.email, "client_id": "1", "token_uri": s.URL + "/token",
	})
	return s
}

// FailNext makes the next API calls answer these statuses, in order.
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, statuses...)
}

// Object returns a copy of an object's fields and its messages, safely
// while requests are served.
func (s *Server) Object(id string) (map[string]any, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for k, v := range s.Objects[id] {
		out[k] = v
	}
	return out, len(s.Messages[id])
}

// Class returns a copy of a class's fields, safely while requests are
// served.
func (s *Server) Class(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	for k, v := range s.Classes[id] {
		out[k] = v
	}
	return out
}

// CallCount counts the API calls made so far.
func (s *Server) CallCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.Calls)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		s.token(w, r)
		return
	}
	s.mu.Lock()
	fault := s.drawFault()
	s.mu.Unlock()
	switch fault {
	case "429":
		googleError(w, http.StatusTooManyRequests, "rateLimitExceeded", "injected failure")
		return
	case "500", "503":
		status, _ := strconv.Atoi(fault)
		googleError(w, status, "backendError", "injected failure")
		return
	case "timeout":
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
		fallthrough // then reset, never a late answer
	case "reset":
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			if tcp, ok := conn.(*net.TCPConn); ok {
				tcp.SetLinger(0)
			}
			conn.Close()
		}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !s.tokens[auth] {
		googleError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
		return
	}
	s.Calls = append(s.Calls, r.Method+" "+r.URL.Path)
	if len(s.fail) > 0 {
		status := s.fail[0]
		s.fail = s.fail[1:]
		googleError(w, status, "backendError", "injected failure")
		return
	}
	var body map[string]any
	if r.Method != http.MethodGet {
		var err error
		if body, err = decodeBody(r.Body); err != nil {
			googleError(w, 400, "invalid", "Invalid JSON payload received.")
			return
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/walletobjects/v1/")
	kind, rest, _ := strings.Cut(path, "/")
	id, action, _ := strings.Cut(rest, "/")
	switch {
	case kind == "loyaltyClass" && id == "" && r.Method == http.MethodPost:
		s.write(w, s.Classes, "LoyaltyClass", body, "", r.Method)
	case kind == "loyaltyClass" && action == "" && (r.Method == http.MethodPut || r.Method == http.MethodPatch):
		s.write(w, s.Classes, "LoyaltyClass", body, id, r.Method)
	case kind == "loyaltyObject" && id == "" && r.Method == http.MethodPost:
		s.write(w, s.Objects, "LoyaltyObject", body, "", r.Method)
	case kind == "loyaltyObject" && action == "" && (r.Method == http.MethodPut || r.Method == http.MethodPatch):
		s.write(w, s.Objects, "LoyaltyObject", body, id, r.Method)
	case kind == "loyaltyObject" && action == "" && r.Method == http.MethodGet:
		if obj, ok := s.Objects[id]; ok {
			json.NewEncoder(w).Encode(obj)
			return
		}
		googleError(w, 404, "resourceNotFound", "No resource with ID "+id)
	case kind == "loyaltyObject" && action == "addMessage" && r.Method == http.MethodPost:
		s.addMessage(w, id, body)
	default:
		googleError(w, 404, "notFound", "no such method")
	}
}

var idPattern = regexp.MustCompile(`^[0-9]+\.[A-Za-z0-9._-]+$`)

// write inserts (POST), replaces (PUT) or patches (PATCH) a class or object
// of the named schema.
func (s *Server) write(w http.ResponseWriter, store map[string]map[string]any, schema string, body map[string]any, pathID, method string) {
	insert := method == http.MethodPost
	if err := s.schemas.Check(schema, body, method != http.MethodPatch); err != nil {
		googleError(w, 400, "invalid", err.Error())
		return
	}
	id, _ := body["id"].(string)
	if !idPattern.MatchString(id) || !strings.HasPrefix(id, s.IssuerID+".") {
		googleError(w, 400, "invalidResource", fmt.Sprintf("Invalid resource ID %q: it must be <issuer id>.<identifier> of issuer %s", id, s.IssuerID))
		return
	}
	if !insert && id != pathID {
		googleError(w, 400, "invalid", "the id in the body differs from the one in the path")
		return
	}
	if schema == "LoyaltyClass" {
		if rs := body["reviewStatus"]; rs != "UNDER_REVIEW" && !(insert && rs == "DRAFT") {
			googleError(w, 400, "invalid", "reviewStatus must be UNDER_REVIEW when a class is written")
			return
		}
	} else if _, ok := s.Classes[fmt.Sprint(body["classId"])]; !ok && (insert || body["classId"] != nil) {
		googleError(w, 404, "resourceNotFound", fmt.Sprintf("class %v does not exist", body["classId"]))
		return
	}
	_, exists := store[id]
	switch {
	case insert && exists:
		googleError(w, 409, "duplicate", "Resource already exists: "+id)
		return
	case !insert && !exists:
		googleError(w, 404, "resourceNotFound", "No resource with ID "+id)
		return
	}
	// A patch changes the fields it carries; an update replaces the whole
	// resource, as Google's update does.
	if prev, ok := store[id]; ok && method == http.MethodPatch {
		for k, v := range body {
			prev[k] = v
		}
		body = prev
	}
	store[id] = body
	json.NewEncoder(w).Encode(body)
}

// Quota is how many notifying messages a card may get in a day.
const Quota = 3

func (s *Server) addMessage(w http.ResponseWriter, id string, body map[string]any) {
	if err := s.schemas.Check("AddMessageRequest", body, true); err != nil {
		googleError(w, 400, "invalid", err.Error())
		return
	}
	if _, ok := s.Objects[id]; !ok {
		googleError(w, 404, "resourceNotFound", "No resource with ID "+id)
		return
	}
	msg := body["message"].(map[string]any)
	if msg["messageType"] == "TEXT_AND_NOTIFY" {
		today := time.Now().UTC().Format(time.DateOnly)
		n := 0
		for _, m := range s.Messages[id] {
			if m["messageType"] == "TEXT_AND_NOTIFY" && m["day"] == today {
				n++
			}
		}
		if n >= Quota {
			googleError(w, 403, "quotaExceeded", "Too many notifications for this pass today.")
			return
		}
		msg["day"] = today
	}
	s.Messages[id] = append(s.Messages[id], msg)
	json.NewEncoder(w).Encode(map[string]any{"resource": s.Objects[id]})
}

// token is the OAuth 2.0 JWT bearer grant (RFC 7523) as Google runs it.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		http.Error(w, `{"error":"unsupported_grant_type"}`, 400)
		return
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(r.FormValue("assertion"), claims, func(*jwt.Token) (any, error) { return s.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(s.URL+"/token"), jwt.WithIssuer(s.email), jwt.WithExpirationRequired())
	if err != nil || !strings.Contains(fmt.Sprint(claims["scope"]), "https://www.googleapis.com/auth/wallet_object.issuer") {
		http.Error(w, `{"error":"invalid_grant"}`, 400)
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
}

func googleError(w http.ResponseWriter, status int, reason, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": status, "message": message, "errors": []map[string]string{{"reason": reason, "message": message}},
	}})
}
