package publish_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/metrics/emftest"
	"github.com/fidelio/fidelio/shared/publish"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// program is a program on an embedded store whose changes the test hands
// to a publisher itself, as the stream would.
type program struct {
	t     *testing.T
	store *embedded.Store
	loyal *loyalty.Program
	ids   *storetest.SeqIDs
	fed   uint64 // the change feed's last change handed over
}

func newProgram(t *testing.T) *program {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &program{t: t, store: s, loyal: loyalty.NewProgram(s, storetest.NewClock(storetest.Start), nil), ids: &storetest.SeqIDs{}}
}

func (p *program) enrollAndEarn() loyalty.Member {
	p.t.Helper()
	ctx := p.t.Context()
	en, err := p.loyal.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Ada Lovelace", Email: "ada@example.com"}})
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.loyal.Earn(ctx, loyalty.EarnRequest{MemberID: en.Member.ID, Amount: loyalty.Money{Value: 2500, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R-1", Actor: storetest.Till}); err != nil {
		p.t.Fatal(err)
	}
	return en.Member
}

// changes reads the change feed from its start.
func (p *program) changes() []embedded.Change {
	p.t.Helper()
	chs, err := p.store.Changes(p.t.Context(), 0, 100)
	if err != nil {
		p.t.Fatal(err)
	}
	return chs
}

// publishAll hands every change of the feed to pub.
func (p *program) publishAll(pub *publish.Publisher) {
	p.t.Helper()
	for _, ch := range p.changes() {
		if err := pub.Changed(p.t.Context(), ch.Before, ch.After); err != nil {
			p.t.Fatalf("change %d: %v", ch.Seq, err)
		}
	}
}

func (p *program) webhook(url string) loyalty.Webhook {
	p.t.Helper()
	w, err := loyalty.NewWebhook(p.ids, storetest.Start, url, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.store.SaveWebhook(p.t.Context(), w, loyalty.NewAudit(p.ids, storetest.Start, storetest.Owner, "webhook.create", w.ID, url)); err != nil {
		p.t.Fatal(err)
	}
	return w
}

// endpoint is a shop's webhook endpoint on 127.0.0.1 that answers the
// statuses of fail first, then 204, and keeps what it received.
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	fail     []int
	received []delivery
}

type delivery struct {
	header http.Header
	body   []byte
}

func newEndpoint(t *testing.T, fail ...int) *endpoint {
	e := &endpoint{fail: fail}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.received = append(e.received, delivery{r.Header.Clone(), body})
		if len(e.fail) > 0 {
			w.WriteHeader(e.fail[0])
			e.fail = e.fail[1:]
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) all() []delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]delivery(nil), e.received...)
}

// verify checks a delivery's Fidelio-Signature as a receiver would, with
// nothing but the standard library, and returns its event.
func verify(t *testing.T, secret string, d delivery) loyalty.Event {
	t.Helper()
	parts := map[string]string{}
	for _, kv := range strings.Split(d.header.Get("Fidelio-Signature"), ",") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = v
	}
	ts, err := strconv.ParseInt(parts["t"], 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		t.Fatalf("signature %q: no recent t", d.header.Get("Fidelio-Signature"))
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts["t"] + "." + string(d.body)))
	got, _ := hex.DecodeString(parts["v1"])
	if !hmac.Equal(got, mac.Sum(nil)) {
		t.Fatalf("signature %q does not sign the body under the webhook's secret", d.header.Get("Fidelio-Signature"))
	}
	var e loyalty.Event
	if err := json.Unmarshal(d.body, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func hooks(p *program) *publish.Hooks {
	h := publish.NewHooks(p.store, slog.New(slog.DiscardHandler), true)
	h.Backoff = time.Millisecond
	return h
}

func TestAnEarningIsDeliveredOnceToAWebhookSigned(t *testing.T) {
	p := newProgram(t)
	ep := newEndpoint(t)
	w := p.webhook(ep.URL + "/hooks")
	m := p.enrollAndEarn()
	pub := &publish.Publisher{Ledger: p.store, Hooks: hooks(p), Logger: slog.New(slog.DiscardHandler)}
	p.publishAll(pub)
	p.publishAll(pub) // the stream hands the same changes over again

	var earned []loyalty.Event
	var types []loyalty.EventType
	for _, d := range ep.all() {
		e := verify(t, w.Secret, d)
		types = append(types, e.Type)
		if d.header.Get("Fidelio-Event-Id") != e.ID || d.header.Get("Fidelio-Event-Type") != string(e.Type) {
			t.Errorf("headers %v do not name event %s", d.header, e.ID)
		}
		if e.Type == loyalty.EventPointsEarned {
			earned = append(earned, e)
		}
	}
	if len(earned) != 1 {
		t.Fatalf("the endpoint received %v, want one points.earned", types)
	}
	e := earned[0]
	data := e.Data.(map[string]any)
	if e.ID != "evt_"+m.ID+"-2" || e.MemberID != m.ID || data["transactionId"] != m.ID+"-2" || data["points"] != float64(25) || data["storeId"] != "paris" || data["receiptId"] != "R-1" {
		t.Errorf("points.earned = %+v", e)
	}
	if types[0] != loyalty.EventMemberEnrolled {
		t.Errorf("first event %s, want member.enrolled", types[0])
	}
	log, _, err := p.store.Deliveries(t.Context(), w.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range log {
		if d.Status != loyalty.DeliveryDelivered || len(d.Attempts) != 1 || d.Attempts[0].Status != http.StatusNoContent {
			t.Errorf("delivery log %+v, want delivered at the first attempt", d)
		}
	}
	if len(log) != len(types) {
		t.Errorf("the log holds %d deliveries, the endpoint received %d", len(log), len(types))
	}
}

func TestAFailingEndpointIsRetriedThenDeliveredOnce(t *testing.T) {
	p := newProgram(t)
	ep := newEndpoint(t, http.StatusInternalServerError, http.StatusServiceUnavailable)
	w, err := loyalty.NewWebhook(p.ids, storetest.Start, ep.URL, []loyalty.EventType{loyalty.EventPointsEarned})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.store.SaveWebhook(t.Context(), w, loyalty.NewAudit(p.ids, storetest.Start, storetest.Owner, "webhook.create", w.ID, "")); err != nil {
		t.Fatal(err)
	}
	p.enrollAndEarn()
	pub := &publish.Publisher{Ledger: p.store, Hooks: hooks(p), Logger: slog.New(slog.DiscardHandler)}
	p.publishAll(pub)
	p.publishAll(pub)

	got := ep.all()
	if len(got) != 3 {
		t.Fatalf("the endpoint received %d requests, want 3 (two refused, one taken)", len(got))
	}
	var ids []string
	for _, d := range got {
		ids = append(ids, verify(t, w.Secret, d).ID)
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("the retries carry ids %q, want the same event's", ids)
	}
	log, _, err := p.store.Deliveries(t.Context(), w.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Status != loyalty.DeliveryDelivered || len(log[0].Attempts) != 3 ||
		log[0].Attempts[0].Status != 500 || log[0].Attempts[1].Status != 503 || log[0].Attempts[2].Status != 204 {
		t.Errorf("delivery log %+v, want one delivery, delivered at the third attempt", log)
	}
}

func TestADeadEndpointIsGivenUpAfterItsAttempts(t *testing.T) {
	p := newProgram(t)
	ep := newEndpoint(t, 500, 500, 500, 500, 500, 500, 500)
	p.webhook(ep.URL)
	p.enrollAndEarn()
	h := hooks(p)
	h.Attempts = 3
	pub := &publish.Publisher{Ledger: p.store, Hooks: h, Logger: slog.New(slog.DiscardHandler)}
	p.publishAll(pub)
	// member.enrolled: 3 attempts; points.earned, in the cool-off: one.
	if n := len(ep.all()); n != 4 {
		t.Errorf("the endpoint received %d requests, want 4", n)
	}
	p.publishAll(pub)
	if n := len(ep.all()); n != 4 {
		t.Errorf("after the changes were handed over again: %d requests, want still 4 (failed deliveries are not retried)", n)
	}
}

func TestEventsOfEveryKindOfChange(t *testing.T) {
	p := newProgram(t)
	ctx := context.Background()
	m := p.enrollAndEarn()
	if err := p.store.SaveReward(ctx, loyalty.Reward{ID: "coffee", Name: "Coffee", Points: 10, UpdatedAt: storetest.Start}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.loyal.Redeem(ctx, loyalty.RedeemRequest{MemberID: m.ID, RewardID: "coffee", StoreID: "paris", Actor: storetest.Till, Key: loyalty.IdemKey{Scope: "redeem", Key: "k1"}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	bus := busFunc(func(_ context.Context, es []loyalty.Event) error {
		for _, e := range es {
			got = append(got, string(e.Type)+" "+e.ID)
		}
		return nil
	})
	var emf bytes.Buffer
	defer metrics.SetOutput(&emf)()
	p.publishAll(&publish.Publisher{Ledger: p.store, Bus: bus, Logger: slog.New(slog.DiscardHandler)})
	ms := emftest.Parse(t, emf.Bytes())
	if earnings, issued, redeemed := emftest.Sum(ms, "Earnings", nil), emftest.Sum(ms, "PointsIssued", nil), emftest.Sum(ms, "PointsRedeemed", nil); earnings != 1 || issued != float64(m.Balance+25) || redeemed != 10 {
		t.Errorf("metrics: %v earnings, %v points issued, %v redeemed; want 1, %d (welcome and earned), 10", earnings, issued, redeemed, m.Balance+25)
	}
	want := []string{
		"member.enrolled evt_" + m.ID + "_enrolled",
		"points.earned evt_" + m.ID + "-2",
		"points.redeemed evt_" + m.ID + "-3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

type busFunc func(context.Context, []loyalty.Event) error

func (f busFunc) Put(ctx context.Context, es []loyalty.Event) error { return f(ctx, es) }
