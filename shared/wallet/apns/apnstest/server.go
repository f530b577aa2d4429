// Package apnstest is a local APNs over HTTP/2 and TLS, for tests: it
// requires a client certificate, checks each push as Apple does for Wallet
// passes, and records what it accepted.
package apnstest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Push is one accepted push.
type Push struct {
	Token, Topic, PushType, Priority, Body string
}

// Server is the stand-in APNs.
type Server struct {
	*httptest.Server
	// Gone lists tokens answered 410 Unregistered.
	Gone map[string]bool
	mu   sync.Mutex
	// Pushes lists the pushes accepted, in arrival order.
	pushes []Push
	refuse map[string]int // token -> 429s still to answer
	proto  map[string]int
	faults faults
}

// Faults are the rates, each from 0 to 1, at which pushes fail before they
// are accepted: APNs answers 429 TooManyRequests or a 500 or 503, does not
// answer for a second (or until the client gives up) and then resets the
// stream, or resets it at once.
type Faults struct {
	Seed                                         uint64
	TooManyRequests, Unavailable, Timeout, Reset float64
}

// InjectFaults makes pushes fail at random, drawn from f.Seed; Faults{}
// stops it.
func (s *Server) InjectFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.set(f.Seed, []float64{f.TooManyRequests, f.Unavailable, f.Timeout, f.Reset})
}

// Injected counts the faults injected, by kind: "429", "500", "503",
// "timeout", "reset".
func (s *Server) Injected() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.faults.injected)
}

// faults draws the injected faults; the caller holds the server's lock.
type faults struct {
	rng      *rand.Rand
	rates    []float64 // 429, 5xx, timeout, reset
	injected map[string]int
}

func (f *faults) set(seed uint64, rates []float64) {
	f.rng, f.rates = rand.New(rand.NewPCG(seed, seed)), rates
	if f.injected == nil {
		f.injected = map[string]int{}
	}
}

func (f *faults) draw() string {
	if f.rng == nil {
		return ""
	}
	x := f.rng.Float64()
	for i, kind := range []string{"429", "5xx", "timeout", "reset"} {
		if x >= f.rates[i] {
			x -= f.rates[i]
			continue
		}
		if kind == "5xx" {
			kind = []string{"500", "503"}[f.rng.IntN(2)]
		}
		f.injected[kind]++
		return kind
	}
	return ""
}

// New starts an HTTP/2 TLS server on 127.0.0.1 that requires a client
// certificate. Its CA pool (for the client) is s.Roots().
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{Gone: map[string]bool{}, refuse: map[string]int{}, proto: map[string]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.EnableHTTP2 = true
	s.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// Roots trusts the server's certificate.
func (s *Server) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return pool
}

// Throttle makes pushes to token answer 429 n times before succeeding.
func (s *Server) Throttle(token string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse[token] = n
}

// Pushes returns the accepted pushes.
func (s *Server) Pushes() []Push {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Push(nil), s.pushes...)
}

// Protocols counts requests by protocol ("HTTP/2.0" expected).
func (s *Server) Protocols() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.proto {
		out[k] = v
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fault := s.faults.draw()
	s.mu.Unlock()
	switch fault {
	case "429":
		apnsError(w, http.StatusTooManyRequests, "TooManyRequests")
		return
	case "500":
		apnsError(w, http.StatusInternalServerError, "InternalServerError")
		return
	case "503":
		apnsError(w, http.StatusServiceUnavailable, "ServiceUnavailable")
		return
	case "timeout":
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
		fallthrough // then reset, never a late answer
	case "reset":
		panic(http.ErrAbortHandler) // an HTTP/2 server resets the stream
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.proto[r.Proto]++
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	body, _ := io.ReadAll(r.Body)
	fail := func(status int, reason string) { apnsError(w, status, reason) }
	switch {
	case r.Method != http.MethodPost || !ok || token == "":
		fail(404, "BadPath")
	case r.ProtoMajor != 2:
		fail(400, "BadRequest")
	case r.TLS == nil || len(r.TLS.PeerCertificates) == 0:
		fail(403, "MissingProviderToken")
	case r.Header.Get("apns-topic") == "":
		fail(400, "MissingTopic")
	case r.Header.Get("apns-push-type") == "background" && r.Header.Get("apns-priority") != "5":
		fail(400, "BadPriority")
	case !json.Valid(body):
		fail(400, "PayloadEmpty")
	case s.Gone[token]:
		w.WriteHeader(410)
		json.NewEncoder(w).Encode(map[string]any{"reason": "Unregistered", "timestamp": 1700000000000})
	case strings.HasPrefix(token, "bad"):
		fail(400, "BadDeviceToken")
	case s.refuse[token] > 0:
		s.refuse[token]--
		fail(429, "TooManyRequests")
	default:
		s.pushes = append(s.pushes, Push{Token: token, Topic: r.Header.Get("apns-topic"), PushType: r.Header.Get("apns-push-type"), Priority: r.Header.Get("apns-priority"), Body: string(body)})
		w.Header().Set("apns-id", "11111111-1111-1111-1111-111111111111")
		w.WriteHeader(200)
	}
}

func apnsError(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("apns-id", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"reason": reason})
}
