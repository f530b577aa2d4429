package wallet_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
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
	if err := u.Changed(ctx, &before, after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "APNs push failed") {
		t.Fatalf("logs = %s, want the failed push", logs.String())
	}
	if strings.Contains(logs.String(), pushToken) {
		t.Fatalf("logs carry the push token: %s", logs.String())
	}
}
