// Package faultproxy is an HTTP proxy for tests that stands in front of
// DynamoDB Local and injects the failures DynamoDB has in production:
// throttling, 500s, transaction conflicts, connection resets, and the
// ambiguous case where a write commits but its answer is lost. Faults are
// drawn from a seeded generator at configurable rates, and counted by kind.
package faultproxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Kind is one kind of injected fault.
type Kind string

const (
	// ThroughputExceeded answers 400 ProvisionedThroughputExceededException
	// without forwarding.
	ThroughputExceeded Kind = "throughput-exceeded"
	// Throttling answers 400 ThrottlingException without forwarding.
	Throttling Kind = "throttling"
	// InternalError answers 500 InternalServerError without forwarding.
	InternalError Kind = "internal-error"
	// TransactionConflict cancels a TransactWriteItems with one item's
	// reason TransactionConflict, without forwarding.
	TransactionConflict Kind = "transaction-conflict"
	// Reset closes the connection without forwarding or answering.
	Reset Kind = "reset"
	// CommittedThenReset forwards a write, then closes the connection
	// instead of answering: the write happened, the client cannot know.
	CommittedThenReset Kind = "committed-then-reset"
	// CommittedThen500 forwards a write, then answers 500 InternalServerError.
	CommittedThen500 Kind = "committed-then-500"
)

// Rates are the probabilities, each from 0 to 1, that a request meets a
// fault. Their sum must not exceed 1. The ambiguous kinds apply to writes
// only, TransactionConflict to TransactWriteItems only; a request they do
// not apply to goes through.
type Rates map[Kind]float64

// Proxy forwards DynamoDB's JSON protocol to a target, injecting faults.
type Proxy struct {
	// URL is the proxy's endpoint, for the SDK's BaseEndpoint.
	URL string

	target  *url.URL
	forward *httputil.ReverseProxy
	server  *http.Server

	mu       sync.Mutex
	rng      *rand.Rand
	rates    Rates
	next     []Kind
	injected map[Kind]int
	requests map[string]int
	// committed counts the ambiguous faults whose write the target accepted.
	committed int
}

// Start runs a proxy to target (http://127.0.0.1:PORT) on 127.0.0.1 with no
// faults until SetRates, and stops it at the test's end.
func Start(t testing.TB, target string, seed uint64) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("faultproxy: target %q: %v", target, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	p := &Proxy{
		URL: "http://" + ln.Addr().String(), target: u,
		forward:  httputil.NewSingleHostReverseProxy(u),
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		rates:    Rates{},
		injected: map[Kind]int{}, requests: map[string]int{},
	}
	p.server = &http.Server{Handler: http.HandlerFunc(p.serve)}
	go p.server.Serve(ln)
	t.Cleanup(func() { p.server.Close() })
	return p
}

// SetRates replaces the fault rates; Rates{} lets everything through.
func (p *Proxy) SetRates(r Rates) {
	var sum float64
	for _, v := range r {
		sum += v
	}
	if sum > 1 {
		panic(fmt.Sprintf("faultproxy: rates add up to %v, more than 1", sum))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rates = r
}

// InjectNext makes the next requests meet these faults, one each, in order,
// before the rates apply again; a fault that does not apply to its request's
// operation lets it through.
func (p *Proxy) InjectNext(faults ...Kind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next = append(p.next, faults...)
}

// Injected counts the faults injected so far, by kind.
func (p *Proxy) Injected() map[Kind]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Kind]int, len(p.injected))
	for k, v := range p.injected {
		out[k] = v
	}
	return out
}

// Requests counts the requests received so far, by operation.
func (p *Proxy) Requests() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.requests))
	for k, v := range p.requests {
		out[k] = v
	}
	return out
}

// Committed counts the ambiguous faults whose write DynamoDB accepted: the
// writes that happened while their client was told they failed.
func (p *Proxy) Committed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.committed
}

// kinds in a fixed order, so a seed always draws the same faults.
var kinds = []Kind{ThroughputExceeded, Throttling, InternalError, TransactionConflict, Reset, CommittedThenReset, CommittedThen500}

// writes are the operations that change the table.
var writes = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "BatchWriteItem": true, "TransactWriteItems": true}

// draw picks the fault for one request of op, or "" for none.
func (p *Proxy) draw(op string) Kind {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[op]++
	if len(p.next) > 0 {
		k := p.next[0]
		p.next = p.next[1:]
		return p.inject(k, op)
	}
	x := p.rng.Float64()
	for _, k := range kinds {
		r := p.rates[k]
		if x < r {
			return p.inject(k, op)
		}
		x -= r
	}
	return ""
}

// inject counts fault k on a request of op, or returns "" when k does not
// apply to op.
func (p *Proxy) inject(k Kind, op string) Kind {
	switch {
	case k == TransactionConflict && op != "TransactWriteItems":
		return ""
	case (k == CommittedThenReset || k == CommittedThen500) && !writes[op]:
		return ""
	}
	p.injected[k]++
	return k
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		reset(w)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	switch p.draw(op) {
	case ThroughputExceeded:
		awsError(w, http.StatusBadRequest, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded. (injected)", nil)
	case Throttling:
		awsError(w, http.StatusBadRequest, "ThrottlingException", "Rate of requests exceeds the allowed throughput. (injected)", nil)
	case InternalError:
		awsError(w, http.StatusInternalServerError, "InternalServerError", "Internal server error (injected)", nil)
	case TransactionConflict:
		p.conflict(w, body)
	case Reset:
		reset(w)
	case CommittedThenReset:
		if p.forwardDiscarding(r) {
			p.countCommitted()
		}
		reset(w)
	case CommittedThen500:
		if p.forwardDiscarding(r) {
			p.countCommitted()
		}
		awsError(w, http.StatusInternalServerError, "InternalServerError", "Internal server error (injected after the write)", nil)
	default:
		p.forward.ServeHTTP(w, r)
	}
}

func (p *Proxy) countCommitted() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.committed++
}

// forwardDiscarding sends r to the target and reports whether it succeeded;
// its answer is dropped.
func (p *Proxy) forwardDiscarding(r *http.Request) bool {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host, out.Host = p.target.Scheme, p.target.Host, p.target.Host
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

// conflict cancels a transaction as DynamoDB does when another one holds
// an item: one reason per item, TransactionConflict on one of them.
func (p *Proxy) conflict(w http.ResponseWriter, body []byte) {
	var in struct{ TransactItems []json.RawMessage }
	json.Unmarshal(body, &in)
	n := max(1, len(in.TransactItems))
	p.mu.Lock()
	at := p.rng.IntN(n)
	p.mu.Unlock()
	reasons := make([]map[string]string, n)
	codes := make([]string, n)
	for i := range reasons {
		reasons[i], codes[i] = map[string]string{"Code": "None"}, "None"
	}
	reasons[at] = map[string]string{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
	codes[at] = "TransactionConflict"
	awsError(w, http.StatusBadRequest, "TransactionCanceledException",
		"Transaction cancelled, please refer cancellation reasons for specific reasons ["+strings.Join(codes, ", ")+"]",
		map[string]any{"CancellationReasons": reasons})
}

// awsError writes an error of DynamoDB's JSON 1.0 protocol.
func awsError(w http.ResponseWriter, status int, typ, message string, extra map[string]any) {
	body := map[string]any{"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": message}
	for k, v := range extra {
		body[k] = v
	}
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(data)), 10)) // the SDK checks it
	w.WriteHeader(status)
	w.Write(data)
}

// reset closes the client's connection with a TCP RST, without an answer.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // closes the connection all the same
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}
