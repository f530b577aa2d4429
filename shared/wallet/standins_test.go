package wallet_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
	"github.com/fidelio/fidelio/shared/wire"
)

// standIns is a program on the embedded store whose card changes reach the
// local APNs and Google Wallet stand-ins through the updater, each change
// handed over twice (the stream handing a record over again).
type standIns struct {
	t     *testing.T
	ctx   context.Context
	store *embedded.Store
	clock *storetest.Clock
	deps  api.Deps
	cards *wallet.Cards
	push  *apnstest.Server
	g     *googletest.Server
	u     *wallet.Updater
	// last is the change feed's sequence handed over so far; members the
	// members enrolled, in order, with two Apple devices each.
	last    uint64
	members []loyalty.Member
}

const standInsBase = "https://fidelio.example"

func newStandIns(t *testing.T, now time.Time) *standIns {
	t.Helper()
	const issuer, topic = "3388000000022222228", "pass.example.fidelio"
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	g := googletest.New(t, issuer)
	push := apnstest.New(t)
	cfg := config.Config{GoogleIssuerID: issuer, GoogleAPIURL: g.URL, PublicURL: standInsBase,
		Secrets: config.Secrets{GoogleServiceAccount: string(g.KeyJSON), CodeKeys: signing.NewKeySpec("K1")}}
	clock := storetest.NewClock(now)
	deps, err := wire.Deps(cfg, s, clock, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	cards := deps.Cards.(*wallet.Cards)
	u := &wallet.Updater{Cards: cards, Accounts: s, Registrations: s, Campaigns: s,
		Pusher: apns.New(apnstest.ClientCert(t, topic), topic, push.URL, push.Roots()), Logger: slog.New(slog.DiscardHandler)}
	si := &standIns{t: t, ctx: context.Background(), store: s, clock: clock, deps: deps, cards: cards, push: push, g: g, u: u}
	if err := cards.EnsureClasses(si.ctx, standInsBase, si.rules()); err != nil {
		t.Fatal(err)
	}
	return si
}

func (si *standIns) rules() loyalty.Rules {
	si.t.Helper()
	rules, err := si.store.Rules(si.ctx)
	if err != nil {
		si.t.Fatal(err)
	}
	return rules
}

// enroll enrolls a member with two Apple devices (token(i, 0) and
// token(i, 1), i the member's rank) and the card saved to Google Wallet.
func (si *standIns) enroll(p loyalty.Profile) loyalty.Member {
	si.t.Helper()
	i := len(si.members)
	en, err := si.deps.Program.Enroll(si.ctx, loyalty.EnrollRequest{Profile: p})
	if err != nil {
		si.t.Fatal(err)
	}
	si.members = append(si.members, en.Member)
	for d := range 2 {
		if _, err := si.store.Register(si.ctx, store.Registration{DeviceID: fmt.Sprintf("device-%d-%d", i, d), Serial: en.Member.Serial, PushToken: token(i, d)}); err != nil {
			si.t.Fatal(err)
		}
	}
	acct, _ := si.store.LoadAccount(si.ctx, en.Member.ID)
	if err := si.cards.Google.Client.Sync(si.ctx, nil, si.cards.GoogleCard(acct, si.rules(), time.Now(), standInsBase)); err != nil {
		si.t.Fatal(err)
	}
	return en.Member
}

// handOver gives the updater the changes since the last, each twice.
func (si *standIns) handOver() {
	si.t.Helper()
	changes, err := si.store.Changes(si.ctx, si.last, 1000)
	if err != nil {
		si.t.Fatal(err)
	}
	for _, ch := range changes {
		si.last = ch.Seq
		for range 2 {
			if err := si.u.Changed(si.ctx, ch.Before, ch.After); err != nil {
				si.t.Fatal(err)
			}
		}
	}
}

// pushed counts the Apple pushes by device token.
func (si *standIns) pushed() map[string]int {
	out := map[string]int{}
	for _, p := range si.push.Pushes() {
		out[p.Token]++
	}
	return out
}

// googleMessages are the messages of the member's Google object, each as
// "<messageType> <body>".
func (si *standIns) googleMessages(m loyalty.Member) []string {
	var out []string
	for _, msg := range si.g.Messages[si.cards.Google.Client.ObjectID(m.Serial)] {
		out = append(out, fmt.Sprint(msg["messageType"], " ", msg["body"]))
	}
	return out
}
