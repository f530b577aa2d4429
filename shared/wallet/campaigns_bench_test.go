package wallet_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
	"github.com/fidelio/fidelio/shared/wire"
)

var campaignMembers = flag.Int("campaign-members", 100_000, "members of BenchmarkCampaign, each with one Apple device")

// BenchmarkCampaign runs a campaign to -campaign-members consenting
// members, each with one Apple device, as the local stack does: the fan-out
// through the in-process queue (pages of campaigns.PageSize, Workers at
// once) on the embedded store, and the pass updater following the change
// feed, pushing to the APNs stand-in over HTTP/2 and TLS. It reports the
// members delivered to a second, and the seconds until the last push.
//
//	go test -run '^$' -bench BenchmarkCampaign -benchtime=1x ./shared/wallet/
func BenchmarkCampaign(b *testing.B) { benchFanOut(b, false) }

// BenchmarkCardRefresh is BenchmarkCampaign for a card refresh of every
// member (the rules' terms changed): the same fan-out, no message.
//
//	go test -run '^$' -bench BenchmarkCardRefresh -benchtime=1x ./shared/wallet/
func BenchmarkCardRefresh(b *testing.B) { benchFanOut(b, true) }

func benchFanOut(b *testing.B, refresh bool) {
	ctx := context.Background()
	const topic = "pass.example.fidelio"
	s, err := embedded.Open(filepath.Join(b.TempDir(), "fidelio.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	push := apnstest.New(b)
	deps, err := wire.Deps(config.Config{Secrets: config.Secrets{CodeKeys: signing.NewKeySpec("K1")}}, s, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	n := *campaignMembers
	enrolled := make(chan int)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := range enrolled {
				en, err := deps.Program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: fmt.Sprintf("m%d@example.com", i), Marketing: true}})
				if err == nil {
					_, err = s.Register(ctx, store.Registration{DeviceID: fmt.Sprint("device-", i), Serial: en.Member.Serial, PushToken: fmt.Sprint("token-", i)})
				}
				if err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		enrolled <- i
	}
	close(enrolled)
	wg.Wait()
	var last uint64
	for { // the enrollments' changes tell no phone
		changes, _ := s.Changes(ctx, last, 10_000)
		if len(changes) == 0 {
			break
		}
		last = changes[len(changes)-1].Seq
		s.Forget(ctx, last)
	}
	u := &wallet.Updater{Cards: deps.Cards.(*wallet.Cards), Accounts: s, Registrations: s, Campaigns: s,
		Pusher: apns.New(apnstest.ClientCert(b, topic), topic, push.URL, push.Roots()), Logger: slog.New(slog.DiscardHandler)}

	for b.Loop() {
		runCtx, stop := context.WithCancel(ctx)
		q := campaigns.NewLocal(slog.New(slog.DiscardHandler))
		f := &campaigns.Fanout{Store: s, Program: deps.Program, Queue: q, PageSize: campaigns.PageSize, Workers: campaigns.Workers, Logger: slog.New(slog.DiscardHandler)}
		q.Handle = f.Handle
		q.Run(runCtx)
		pushesBefore := len(push.Pushes())
		c, err := loyalty.NewCampaign(loyalty.NewRandomIDs(), time.Now(), "owner", loyalty.Campaign{Name: "bench", Message: loyalty.Texts{EN: "Hello", FR: "Bonjour"}, BonusPoints: 5}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SaveCampaign(ctx, c, loyalty.NewAudit(loyalty.NewRandomIDs(), time.Now(), loyalty.Actor{}, "campaign.create", c.ID, "")); err != nil {
			b.Fatal(err)
		}
		// A refresh of a change made long enough ago to start at the next
		// second, after every card's last change.
		r := loyalty.CardRefresh{ID: fmt.Sprint("rules-bench-", time.Now().UnixNano()), StartsAt: time.Now().Truncate(time.Second).Add(time.Second)}
		time.Sleep(time.Until(r.StartsAt))
		begin := time.Now()
		// The pass updater follows the feed while the fan-out writes it.
		updated := make(chan struct{})
		go func() {
			defer close(updated)
			for len(push.Pushes())-pushesBefore < n && runCtx.Err() == nil {
				changes, err := s.Changes(runCtx, last, 1000)
				if err != nil {
					return
				}
				var group sync.WaitGroup
				for _, ch := range changes {
					group.Go(func() {
						if err := u.Changed(runCtx, ch.Before, ch.After); err != nil {
							b.Error(err)
						}
					})
				}
				group.Wait()
				if len(changes) > 0 {
					last = changes[len(changes)-1].Seq
					s.Forget(runCtx, last)
					continue
				}
				select {
				case <-s.Changed():
				case <-time.After(50 * time.Millisecond):
				}
			}
		}()
		start := func() error { return f.Start(ctx, c) }
		if refresh {
			start = func() error { return f.StartRefresh(ctx, s, r) }
		}
		if err := start(); err != nil {
			b.Fatal(err)
		}
		<-q.Idle()
		delivered := time.Since(begin)
		<-updated
		pushed := time.Since(begin)
		stop()
		if refresh {
			got, _ := s.CardRefresh(ctx, r.ID)
			if got.Delivered != int64(n) || len(push.Pushes())-pushesBefore != n {
				b.Fatalf("%d delivered, %d pushed, want %d each", got.Delivered, len(push.Pushes())-pushesBefore, n)
			}
		} else if got, _ := s.Campaign(ctx, c.ID); got.Delivered != int64(n) || got.Pushed != int64(n) {
			b.Fatalf("%d delivered, %d pushed, want %d each", got.Delivered, got.Pushed, n)
		}
		b.ReportMetric(float64(n)/delivered.Seconds(), "delivered/s")
		b.ReportMetric(pushed.Seconds(), "s-to-last-push")
		b.ReportMetric(float64(n)/pushed.Seconds(), "pushed/s")
	}
}
