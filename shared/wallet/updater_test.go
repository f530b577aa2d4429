package wallet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/metrics/emftest"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
	"github.com/fidelio/fidelio/shared/wire"
)

func TestAFailedPushIsLoggedWithoutItsPushToken(t *testing.T) {
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const pushToken = "a3e1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee5f1c0ffee"
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if _, err := s.Register(ctx, store.Registration{DeviceID: "d41d8cd98f00b204e9800998ecf8427e", Serial: "01M83XJ8800000000000000003", PushToken: pushToken, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	const topic = "pass.example.fidelio"
	srv := apnstest.New(t)
	pusher := apns.New(apnstest.ClientCert(t, topic), topic, srv.URL, nil) // untrusted: every push fails
	pusher.Retries = 0
	var logs bytes.Buffer
	u := &wallet.Updater{Cards: &wallet.Cards{}, Registrations: s, Pusher: pusher, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	before := loyalty.Member{ID: "01M83XJ8800000000000000003", Serial: "01M83XJ8800000000000000003", Version: 1, CardUpdatedAt: at}
	after := before
	after.Version, after.Balance, after.CardUpdatedAt = 2, 100, at.Add(time.Second)
	var emf bytes.Buffer
	defer metrics.SetOutput(&emf)()
	if err := u.Changed(ctx, &before, after); err != nil {
		t.Fatal(err)
	}
	ms := emftest.Parse(t, emf.Bytes())
	if sent, failed := emftest.Sum(ms, "PushesSent", nil), emftest.Sum(ms, "PushesFailed", nil); sent != 0 || failed != 1 || strings.Contains(emf.String(), pushToken) {
		t.Errorf("metrics: %v sent, %v failed, want 0 and 1 (without the token): %s", sent, failed, emf.String())
	}
	if !strings.Contains(logs.String(), "APNs push failed") {
		t.Fatalf("logs = %s, want the failed push", logs.String())
	}
	if strings.Contains(logs.String(), pushToken) {
		t.Fatalf("logs carry the push token: %s", logs.String())
	}
}

// TestEveryChangeReachesEveryDeviceOnceUnderFaults: APNs and Google answer
// 429 and 5xx, do not answer, or reset, while members' cards change. The
// pass updater's stream handler reports a record it could not finish, and the
// record is handed over again, as Lambda does with ReportBatchItemFailures,
// until it is done. The stream runs two rounds of changes behind. Every
// device is then told of every change exactly once, every Google object
// shows the member's card, and a tier change has sent exactly one message.
func TestEveryChangeReachesEveryDeviceOnceUnderFaults(t *testing.T) {
	ctx := context.Background()
	const issuer, topic, base = "3388000000022222228", "pass.example.fidelio", "https://fidelio.example"
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g := googletest.New(t, issuer)
	push := apnstest.New(t)
	cfg := config.Config{GoogleIssuerID: issuer, GoogleAPIURL: g.URL, PublicURL: base,
		Secrets: config.Secrets{GoogleServiceAccount: string(g.KeyJSON), CodeKeys: signing.NewKeySpec("K1")}}
	deps, err := wire.Deps(cfg, s, storetest.NewClock(storetest.Start), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	pusher := apns.New(apnstest.ClientCert(t, topic), topic, push.URL, push.Roots())
	pusher.Retries, pusher.Timeout = 1, 200*time.Millisecond // faults reach the updater
	cards := deps.Cards.(*wallet.Cards)
	google := cards.Google.Client
	google.SetTimeout(200 * time.Millisecond)
	u := &wallet.Updater{Cards: cards, Accounts: s, Registrations: s, Pusher: pusher, Logger: slog.New(slog.DiscardHandler)}
	handle := u.HandleStream(dynamo.StreamMember, dynamo.StreamRules)
	rules, _ := s.Rules(ctx)
	if err := cards.EnsureClasses(ctx, base, rules); err != nil {
		t.Fatal(err)
	}

	const members, devices, rounds = 4, 2, 6
	var ids []string
	for i := range members {
		en, err := deps.Program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: fmt.Sprintf("Member %d", i), Email: fmt.Sprintf("m%d@example.com", i)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, en.Member.ID)
		for d := range devices {
			if _, err := s.Register(ctx, store.Registration{DeviceID: fmt.Sprintf("device-%d-%d", i, d), Serial: en.Member.Serial, PushToken: token(i, d)}); err != nil {
				t.Fatal(err)
			}
		}
		acct, _ := s.LoadAccount(ctx, en.Member.ID)
		if err := google.Sync(ctx, nil, cards.GoogleCard(acct, rules, time.Now(), base)); err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	feed := func() []embedded.Change {
		changes, err := s.Changes(ctx, last, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) > 0 {
			last = changes[len(changes)-1].Seq
		}
		return changes
	}
	feed() // the enrollments, before any registration

	push.InjectFaults(apnstest.Faults{Seed: 7, TooManyRequests: 0.1, Unavailable: 0.1, Timeout: 0.05, Reset: 0.1})
	g.InjectFaults(googletest.Faults{Seed: 8, TooManyRequests: 0.1, Unavailable: 0.1, Timeout: 0.05, Reset: 0.1})
	cardChanges, tierChanges := map[string]int{}, map[string]int{}
	handovers := 0
	for round := range rounds {
		for i, id := range ids {
			// Member i crosses a tier threshold in round i.
			amount := int64(10_000)
			if round == i {
				amount = 60_000
			}
			if _, err := deps.Program.Earn(ctx, loyalty.EarnRequest{MemberID: id, Amount: loyalty.Money{Value: amount, Currency: "EUR"}, StoreID: "paris", ReceiptID: fmt.Sprintf("R%d-%d", i, round), Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true}); err != nil {
				t.Fatal(err)
			}
		}
		if round%2 == 0 {
			continue // the stream is behind
		}
		var batch []events.DynamoDBEventRecord
		for _, ch := range feed() {
			if ch.Before == nil {
				continue
			}
			if wallet.CardChanged(*ch.Before, ch.After) {
				cardChanges[ch.After.ID]++
			}
			if ch.Before.Tier != ch.After.Tier {
				tierChanges[ch.After.ID]++
			}
			batch = append(batch, record(t, ch))
		}
		// Lambda hands the batch over again from the first record reported.
		for len(batch) > 0 {
			if handovers++; handovers > 200 {
				t.Fatalf("records still failing after %d handovers", handovers)
			}
			resp, err := handle(ctx, events.DynamoDBEvent{Records: batch})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.BatchItemFailures) == 0 {
				break
			}
			first := slices.IndexFunc(batch, func(r events.DynamoDBEventRecord) bool {
				return r.Change.SequenceNumber == resp.BatchItemFailures[0].ItemIdentifier
			})
			batch = batch[first:]
		}
	}
	push.InjectFaults(apnstest.Faults{})
	g.InjectFaults(googletest.Faults{})

	pushed := map[string]int{}
	for _, p := range push.Pushes() {
		pushed[p.Token]++
	}
	for i, id := range ids {
		if tierChanges[id] != 1 {
			t.Fatalf("member %d changed tier %d times; the workload is wrong", i, tierChanges[id])
		}
		for d := range devices {
			if got := pushed[token(i, d)]; got != cardChanges[id] {
				t.Errorf("device %d of member %d was pushed %d times for %d changes of the card", d, i, got, cardChanges[id])
			}
		}
		m, _ := s.Member(ctx, id)
		obj, messages := g.Object(google.ObjectID(m.Serial))
		balance := obj["loyaltyPoints"].(map[string]any)["balance"].(map[string]any)["int"].(json.Number)
		if balance.String() != fmt.Sprint(m.Balance) || obj["classId"] != google.ClassID(m.Tier) {
			t.Errorf("member %d: Google shows %s points in %v, the member has %d in %s", i, balance, obj["classId"], m.Balance, m.Tier)
		}
		if messages != tierChanges[id] {
			t.Errorf("member %d: %d Google messages for %d tier changes", i, messages, tierChanges[id])
		}
	}
	t.Logf("%d card changes of %d devices handed over %d times; APNs faults %v, Google faults %v", rounds*members, members*devices, handovers, push.Injected(), g.Injected())
	for name, injected := range map[string]map[string]int{"APNs": push.Injected(), "Google": g.Injected()} {
		for _, kind := range []string{"429", "500", "503", "timeout", "reset"} {
			if injected[kind] == 0 {
				t.Errorf("%s injected no %s: the test proves nothing about it", name, kind)
			}
		}
	}
}

func token(member, device int) string { return fmt.Sprintf("token-%d-%d", member, device) }

// record is the stream record of a change, as Lambda delivers it.
func record(t *testing.T, ch embedded.Change) events.DynamoDBEventRecord {
	t.Helper()
	image := func(m loyalty.Member) map[string]events.DynamoDBAttributeValue {
		img, err := dynamo.MemberStreamImage(m)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(img)
		var delivered map[string]events.DynamoDBAttributeValue
		if err := json.Unmarshal(b, &delivered); err != nil {
			t.Fatal(err)
		}
		return delivered
	}
	return events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{
		SequenceNumber: fmt.Sprint(ch.Seq), OldImage: image(*ch.Before), NewImage: image(ch.After),
	}}
}
