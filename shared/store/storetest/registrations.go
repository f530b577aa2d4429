package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fidelio/fidelio/shared/store"
)

// RunRegistrations is the conformance suite of store.Registrations.
func RunRegistrations(t *testing.T, open func(t *testing.T) store.Registrations) {
	ctx := context.Background()
	t.Run("a registration is created once and found both ways", func(t *testing.T) {
		s := open(t)
		r := store.Registration{DeviceID: "dev-1", Serial: "S1", PushToken: "tok-1", CreatedAt: Start}
		if created, err := s.Register(ctx, r); err != nil || !created {
			t.Fatalf("first registration: %v %v", created, err)
		}
		r.PushToken = "tok-2"
		if created, err := s.Register(ctx, r); err != nil || created {
			t.Fatalf("second registration: created=%v %v; want an update", created, err)
		}
		s.Register(ctx, store.Registration{DeviceID: "dev-1", Serial: "S2", PushToken: "tok-2", CreatedAt: Start})
		s.Register(ctx, store.Registration{DeviceID: "dev-2", Serial: "S1", PushToken: "tok-3", CreatedAt: Start})
		serials, err := s.DeviceSerials(ctx, "dev-1")
		slices.Sort(serials)
		if err != nil || fmt.Sprint(serials) != "[S1 S2]" {
			t.Fatalf("dev-1 serials = %v, %v", serials, err)
		}
		regs, err := s.PassRegistrations(ctx, "S1")
		var tokens []string
		for _, r := range regs {
			tokens = append(tokens, r.DeviceID+"="+r.PushToken)
		}
		slices.Sort(tokens)
		if err != nil || fmt.Sprint(tokens) != "[dev-1=tok-2 dev-2=tok-3]" {
			t.Fatalf("S1 registrations = %v, %v", tokens, err)
		}
		if err := s.Unregister(ctx, "dev-1", "S1"); err != nil {
			t.Fatal(err)
		}
		if err := s.Unregister(ctx, "dev-1", "S1"); err != nil {
			t.Fatalf("unregistering twice: %v", err)
		}
		serials, _ = s.DeviceSerials(ctx, "dev-1")
		regs, _ = s.PassRegistrations(ctx, "S1")
		if fmt.Sprint(serials) != "[S2]" || len(regs) != 1 || regs[0].DeviceID != "dev-2" {
			t.Fatalf("after unregistering: dev-1 has %v, S1 has %v", serials, regs)
		}
		if serials, _ := s.DeviceSerials(ctx, "nobody"); len(serials) != 0 {
			t.Fatalf("an unknown device has %v", serials)
		}
	})
	t.Run("a change is claimed for pushing to a device once, even by racing updaters", func(t *testing.T) {
		s := open(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				ok, err := s.ClaimPush(ctx, "S1", 7, "D1")
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d updaters claimed the same change", wins.Load())
		}
		if ok, _ := s.ClaimPush(ctx, "S1", 8, "D1"); !ok {
			t.Fatal("the next change could not be claimed")
		}
		if ok, _ := s.ClaimPush(ctx, "S1", 7, "D2"); !ok {
			t.Fatal("the change could not be claimed for another device")
		}
	})
	t.Run("a released claim can be claimed again, once", func(t *testing.T) {
		s := open(t)
		if ok, err := s.ClaimPush(ctx, "S1", 7, "D1"); !ok || err != nil {
			t.Fatalf("first claim: %v, %v", ok, err)
		}
		if err := s.ReleasePush(ctx, "S1", 7, "D1"); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.ClaimPush(ctx, "S1", 7, "D1"); !ok || err != nil {
			t.Fatalf("claim after the release: %v, %v", ok, err)
		}
		if ok, _ := s.ClaimPush(ctx, "S1", 7, "D1"); ok {
			t.Fatal("a claim taken again after a release was claimed twice")
		}
		if err := s.ReleasePush(ctx, "S2", 1, "D1"); err != nil {
			t.Fatalf("releasing a claim that is not there: %v", err)
		}
	})
}
