// Package apns tells phones that a Wallet pass changed: one push per
// registered device, over HTTP/2 to Apple Push Notification service, signed
// in with the pass certificate.
package apns

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sideshow/apns2"
	"golang.org/x/net/http2"
)

// ProductionURL is Apple's push service.
const ProductionURL = apns2.HostProduction

// Pusher sends pass-update pushes.
type Pusher struct {
	client *apns2.Client
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
	c := apns2.NewClient(cert)
	c.Host = url
	if roots != nil {
		if t, ok := c.HTTPClient.Transport.(*http2.Transport); ok {
			t.TLSClientConfig.RootCAs = roots
		}
	}
	return &Pusher{client: c, topic: topic, Concurrency: 64, Retries: 4, Timeout: 10 * time.Second, backoff: 100 * time.Millisecond}
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
	n := &apns2.Notification{
		DeviceToken: token,
		Topic:       p.topic,
		// A pass update is an empty payload to the pass type's topic; Wallet,
		// not an app, handles it: it fetches the pass and shows the pass's own
		// changeMessage. It goes at priority 10, sent at once: priority 5 may
		// be grouped, delayed, throttled or dropped, and a member at the till
		// expects the new balance now. Priority 10 excludes the background
		// type (which must be 5), so it goes as the client's default, alert,
		// as production pass servers send it (docs/architecture.md).
		PushType: apns2.PushTypeAlert,
		Priority: apns2.PriorityHigh,
		Payload:  []byte(`{}`),
	}
	wait := p.backoff
	for attempt := 0; ; attempt++ {
		res, err := p.attempt(ctx, n)
		transient := err != nil && ctx.Err() == nil && !untrusted(err) || err == nil && (res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500)
		switch {
		case err == nil && res.StatusCode == http.StatusOK:
			return Result{Token: token, Outcome: Delivered, Status: res.StatusCode}
		case err == nil && (res.StatusCode == http.StatusGone || res.Reason == apns2.ReasonBadDeviceToken || res.Reason == apns2.ReasonUnregistered):
			return Result{Token: token, Outcome: Gone, Status: res.StatusCode, Reason: res.Reason}
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
				r.Status, r.Reason = res.StatusCode, res.Reason
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

// attempt sends one push, within Timeout.
func (p *Pusher) attempt(ctx context.Context, n *apns2.Notification) (*apns2.Response, error) {
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Timeout)
		defer cancel()
	}
	return p.client.PushWithContext(ctx, n)
}
