package apns_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
)

const topic = "pass.example.fidelio"

func clientCert(t testing.TB) tls.Certificate { return apnstest.ClientCert(t, topic) }

func TestPushesAPassUpdate(t *testing.T) {
	srv := apnstest.New(t)
	srv.Gone["gone-token"] = true
	srv.Throttle("busy-token", 2)
	p := apns.New(clientCert(t), topic, srv.URL, srv.Roots())
	results := p.Push(context.Background(), []string{"ok-token", "gone-token", "bad-token", "busy-token"})
	want := []apns.Outcome{apns.Delivered, apns.Gone, apns.Gone, apns.Delivered}
	for i, r := range results {
		if r.Outcome != want[i] {
			t.Errorf("push to %s: %+v, want outcome %d", r.Token, r, want[i])
		}
	}
	pushes := srv.Pushes()
	if len(pushes) != 2 {
		t.Fatalf("accepted pushes = %+v", pushes)
	}
	for _, got := range pushes {
		if got.Topic != topic || got.PushType != "alert" || got.Priority != "10" || got.Body != "{}" {
			t.Errorf("push = %+v; want topic %s, alert, priority 10 (at once), {}", got, topic)
		}
	}
	if protos := srv.Protocols(); protos["HTTP/2.0"] == 0 || len(protos) != 1 {
		t.Fatalf("protocols used = %v, want HTTP/2 only", protos)
	}
}

func TestRefusesAServerItDoesNotTrust(t *testing.T) {
	srv := apnstest.New(t)
	p := apns.New(clientCert(t), topic, srv.URL, nil) // system roots: the test CA is unknown
	p.Retries = 0
	if r := p.Push(context.Background(), []string{"ok-token"}); r[0].Outcome != apns.Failed || len(srv.Pushes()) != 0 {
		t.Fatalf("push to an untrusted server = %+v", r[0])
	}
}

func TestAFailedPushDoesNotReportItsToken(t *testing.T) {
	srv := apnstest.New(t)
	p := apns.New(clientCert(t), topic, srv.URL, nil) // the transport fails, quoting the URL
	p.Retries = 0
	const token = "5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee0"
	r := p.Push(context.Background(), []string{token})[0]
	if r.Outcome != apns.Failed || r.Reason == "" {
		t.Fatalf("push to an untrusted server = %+v, want a failure with a reason", r)
	}
	if strings.Contains(r.Reason, token) || !strings.Contains(r.Reason, apns.Redact(token)) {
		t.Fatalf("reason %q must name the token only as %s", r.Reason, apns.Redact(token))
	}
}

// BenchmarkFanOut pushes to 10,000 registrations over one client (one HTTP/2
// connection pool) with bounded concurrency.
func BenchmarkFanOut(b *testing.B) {
	srv := apnstest.New(b)
	p := apns.New(clientCert(b), topic, srv.URL, srv.Roots())
	tokens := make([]string, 10_000)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("token-%05d", i)
	}
	start := time.Now()
	n := 0
	for b.Loop() {
		for _, r := range p.Push(context.Background(), tokens) {
			if r.Outcome != apns.Delivered {
				b.Fatalf("push: %+v", r)
			}
		}
		n += len(tokens)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pushes/s")
}
