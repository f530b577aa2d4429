package publish

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/version"
)

// SignatureHeader carries a delivery's signature: "t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>" under the webhook's secret>", as Stripe signs
// its webhooks. The receiver recomputes it, compares in constant time, and
// refuses a t too far from its clock (replays).
const SignatureHeader = "Fidelio-Signature"

// Sign is the v1 signature of body sent at t under secret.
func Sign(secret string, t time.Time, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", t.Unix())
	mac.Write(body)
	return "t=" + strconv.FormatInt(t.Unix(), 10) + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Hooks delivers events to the operator's webhooks. Each delivery is
// recorded (the delivery log) before and after each attempt, so an event
// handed over again is not delivered again to a webhook that has it, and a
// delivery cut short resumes at its next attempt.
type Hooks struct {
	Store  store.Webhooks
	Client *http.Client
	// Attempts bounds the tries of a delivery; the n-th retry waits
	// Backoff·2^(n-1). Then the delivery is failed, not tried again.
	Attempts int
	Backoff  time.Duration
	// CoolOff: after a webhook failed every attempt of a delivery, its next
	// deliveries for this long get one attempt each, so that an endpoint
	// that is down does not hold the stream Backoff·2^Attempts per event.
	CoolOff time.Duration
	Now     func() time.Time
	Logger  *slog.Logger

	mu   sync.Mutex
	down map[string]time.Time // webhook id -> end of its cool-off
}

// NewHooks delivers with the defaults: 5 attempts 1, 2, 4 and 8 s apart,
// 5 s each, a cool-off of a minute. Unless allowPrivate (the local stack),
// the client refuses to connect to loopback, private and link-local
// addresses: a webhook's URL must not reach into the function's own network
// (Lambda's Runtime API listens on 127.0.0.1).
func NewHooks(s store.Webhooks, logger *slog.Logger, allowPrivate bool) *Hooks {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			ip := net.ParseIP(host)
			if err != nil || ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
				return fmt.Errorf("webhook address %s refused: not a public address", address)
			}
			return nil
		}
	}
	return &Hooks{
		Store: s,
		Client: &http.Client{
			Timeout:       5 * time.Second,
			Transport:     &http.Transport{DialContext: dialer.DialContext, Proxy: nil, TLSHandshakeTimeout: 5 * time.Second},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Attempts: 5, Backoff: time.Second, CoolOff: time.Minute,
		Now: time.Now, Logger: logger,
	}
}

// Deliver sends each event to every webhook that wants it, the webhooks in
// parallel, each one's events in order. An error is the store's: the
// events should be handed over again.
func (h *Hooks) Deliver(ctx context.Context, es []loyalty.Event) error {
	hooks, err := h.Store.Webhooks(ctx)
	if err != nil {
		return fmt.Errorf("read the webhooks: %w", err)
	}
	errs := make([]error, len(hooks))
	var wg sync.WaitGroup
	for i, w := range hooks {
		wg.Go(func() {
			for _, e := range es {
				if !w.Wants(e.Type) {
					continue
				}
				if errs[i] = h.deliver(ctx, w, e); errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (h *Hooks) deliver(ctx context.Context, w loyalty.Webhook, e loyalty.Event) error {
	d := loyalty.Delivery{WebhookID: w.ID, EventID: e.ID, EventType: e.Type, OccurredAt: e.OccurredAt, Status: loyalty.DeliveryPending, Attempts: []loyalty.Attempt{}}
	had, ok, err := h.Store.Delivery(ctx, w.ID, d.Key())
	if err != nil {
		return fmt.Errorf("read the delivery of %s to %s: %w", e.ID, w.ID, err)
	}
	if ok {
		if had.Status != loyalty.DeliveryPending {
			return nil // delivered, or given up, already
		}
		d = had
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	attempts := h.Attempts
	if h.coolingOff(w.ID) {
		attempts = min(attempts, len(d.Attempts)+1)
	}
	for n := len(d.Attempts); n < attempts; n++ {
		if n > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(h.Backoff << (n - 1)):
			}
		}
		a := h.attempt(ctx, w, e, body)
		d.Attempts = append(d.Attempts, a)
		switch {
		case a.Status >= 200 && a.Status < 300:
			d.Status = loyalty.DeliveryDelivered
		case n+1 == attempts:
			d.Status = loyalty.DeliveryFailed
			h.coolOff(w.ID)
			h.Logger.WarnContext(ctx, "webhook delivery failed", slog.String("webhook", w.ID), slog.String("event", e.ID), slog.Int("attempts", len(d.Attempts)), slog.Int("status", a.Status), slog.String("error", a.Error))
		}
		if err := h.Store.SaveDelivery(ctx, d); err != nil {
			return fmt.Errorf("record the delivery of %s to %s: %w", e.ID, w.ID, err)
		}
		if d.Status != loyalty.DeliveryPending {
			return nil
		}
	}
	return nil
}

// attempt posts the event once, signed at this instant.
func (h *Hooks) attempt(ctx context.Context, w loyalty.Webhook, e loyalty.Event, body []byte) loyalty.Attempt {
	start := h.Now()
	a := loyalty.Attempt{At: start.UTC()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Fidelio-Webhooks/"+version.Version)
	req.Header.Set("Fidelio-Event-Id", e.ID)
	req.Header.Set("Fidelio-Event-Type", string(e.Type))
	req.Header.Set(SignatureHeader, Sign(w.Secret, start, body))
	resp, err := h.Client.Do(req)
	a.DurationMs = time.Since(start).Milliseconds()
	if err != nil {
		a.Error = err.Error()
		return a
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	a.Status = resp.StatusCode
	if a.Status < 200 || a.Status >= 300 {
		a.Error = "the endpoint answered " + resp.Status
	}
	return a
}

func (h *Hooks) coolingOff(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.Now().Before(h.down[id])
}

func (h *Hooks) coolOff(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down == nil {
		h.down = map[string]time.Time{}
	}
	h.down[id] = h.Now().Add(h.CoolOff)
}
