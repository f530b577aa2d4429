// Package apns tells phones that a Wallet pass changed: one push per
// registered device, over HTTP/2 to Apple Push Notification service, signed
// in with the pass certificate.
//
// It speaks APNs's provider API (a POST of the payload to
// /3/device/<token>, the topic, type and priority in headers, a JSON reason
// when refused) with net/http, whose own HTTP/2 client holds the connections.
// sideshow/apns2, used before, brings golang.org/x/net/http2, a second
// HTTP/2 stack beside the one net/http bundles: 448 KiB of the pass
// updater's binary, for the one request this package sends.
package apns

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ProductionURL is Apple's push service.
const ProductionURL = "https://api.push.apple.com"

// Pusher sends pass-update pushes.
type Pusher struct {
	client *http.Client
	url    string
	topic  string
	// Concurrency bounds the pushes in flight over the client's HTTP/2 connections.
	Concurrency int
	// Retries is how often a push answered 429 or 5xx, or not answered, is
	// tried again.
	Retries int
	// Timeout bounds each attempt.
	Timeout time.Duration
	backoff time.Duration
}

// New returns a Pusher that signs in with cert (the pass certificate and its
// key) and pushes to topic (the pass type id) at url. roots, when not nil,
// replaces the system's CAs: tests point the pusher at their own server.
func New(cert tls.Certificate, topic, url string, roots *x509.CertPool) *Pusher {
	t := &http.Transport{
		TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots},
		// APNs speaks HTTP/2 alone; a connection left idle is checked with
		// a ping, as Apple asks, rather than found dead by the next push.
		Protocols:           new(http.Protocols),
		HTTP2:               &http.HTTP2Config{SendPingTimeout: 15 * time.Second},
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     time.Hour,
	}
	t.Protocols.SetHTTP2(true)
	return &Pusher{client: &http.Client{Transport: t}, url: strings.TrimRight(url, "/"), topic: topic,
		Concurrency: 64, Retries: 4, Timeout: 10 * time.Second, backoff: 100 * time.Millisecond}
}

// Outcome is what became of one push.
type Outcome int

const (
	// Delivered: APNs accepted it.
	Delivered Outcome = iota
	// Gone: the token is no longer valid (410 Unregistered, 400
	// BadDeviceToken): its registration should be removed.
	Gone
	// Failed: APNs refused the push; sending it again would not help.
	Failed
	// Unavailable: APNs answered 429 or 5xx, or did not answer, to the last
	// retry; the push may be sent again later.
	Unavailable
)

// Result is the outcome of a push to one token.
type Result struct {
	Token   string
	Outcome Outcome
	Status  int
	Reason  string
}

// Push notifies every token that its pass changed, concurrently within
// Concurrency, and returns one Result per token, in order.
func (p *Pusher) Push(ctx context.Context, tokens []string) []Result {
	out := make([]Result, len(tokens))
	sem := make(chan struct{}, max(1, p.Concurrency))
	var wg sync.WaitGroup
	for i, tok := range tokens {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = p.pushOne(ctx, tok)
		})
	}
	wg.Wait()
	return out
}

func (p *Pusher) pushOne(ctx context.Context, token string) Result {
	wait := p.backoff
	for attempt := 0; ; attempt++ {
		status, reason, err := p.attempt(ctx, token)
		transient := err != nil && ctx.Err() == nil && !untrusted(err) || err == nil && (status == http.StatusTooManyRequests || status >= 500)
		switch {
		case err == nil && status == http.StatusOK:
			return Result{Token: token, Outcome: Delivered, Status: status}
		case err == nil && (status == http.StatusGone || reason == "BadDeviceToken" || reason == "Unregistered"):
			return Result{Token: token, Outcome: Gone, Status: status, Reason: reason}
		case transient && attempt < p.Retries:
			select {
			case <-ctx.Done():
				return Result{Token: token, Outcome: Unavailable, Reason: ctx.Err().Error()}
			case <-time.After(wait):
			}
			wait *= 2
		default:
			r := Result{Token: token, Outcome: Failed}
			if transient || ctx.Err() != nil {
				r.Outcome = Unavailable
			}
			if err != nil {
				// A transport error quotes the request's URL, which ends in
				// the token: the reason is logged, the token must not be.
				r.Reason = strings.ReplaceAll(err.Error(), token, Redact(token))
			} else {
				r.Status, r.Reason = status, reason
			}
			return r
		}
	}
}

// Redact names a push token in logs without revealing it: anyone holding a
// token can push to the device, but a short hash still tells log lines about
// the same device together.
func Redact(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "token#" + hex.EncodeToString(sum[:4])
}

// untrusted reports a server whose certificate failed verification: no
// retry will make it Apple's.
func untrusted(err error) bool {
	var verify *tls.CertificateVerificationError
	return errors.As(err, &verify)
}

// attempt sends one push, within Timeout, and returns APNs's status and,
// when it refused the push, its reason.
func (p *Pusher) attempt(ctx context.Context, token string) (int, string, error) {
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Timeout)
		defer cancel()
	}
	// A pass update is an empty payload to the pass type's topic; Wallet,
	// not an app, handles it: it fetches the pass and shows the pass's own
	// changeMessage. It goes at priority 10, sent at once: priority 5 may be
	// grouped, delayed, throttled or dropped, and a member at the till
	// expects the new balance now. Priority 10 excludes the background type
	// (which must be 5), so it goes as alert, APNs clients' default, as
	// production pass servers send it (docs/architecture.md).
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/3/device/"+token, bytes.NewReader(payload))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("apns-topic", p.topic)
	req.Header.Set("apns-push-type", "alert")
	req.Header.Set("apns-priority", "10")
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var refusal struct {
		Reason string `json:"reason"`
	}
	if resp.StatusCode != http.StatusOK {
		json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&refusal) // no reason is still a status
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // the connection serves the next push
	return resp.StatusCode, refusal.Reason, nil
}

// payload is every push's body.
var payload = []byte(`{}`)
