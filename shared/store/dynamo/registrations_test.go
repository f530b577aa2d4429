package dynamo_test

import (
	"context"
	"testing"

	"github.com/fidelio/fidelio/infra/faultproxy"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestRegistrations(t *testing.T) {
	t.Parallel()
	db := local(t)
	t.Run("dynamo", func(t *testing.T) {
		storetest.RunRegistrations(t, func(t *testing.T) store.Registrations { return open(t, db) })
	})
}

// TestClaimPushSurvivesALostAnswer: the claim is written, its answer lost,
// and the SDK sends it again. The claim is the caller's: were it refused as
// another's, the change would never be pushed to the device.
func TestClaimPushSurvivesALostAnswer(t *testing.T) {
	t.Parallel()
	direct := local(t)
	db, proxy := throughProxy(t, direct, 1)
	name := newTable(t, direct)
	s, through := dynamo.New(direct, name), dynamo.New(db, name)
	// The store's first call reads the table's schema version: make it now,
	// so that the fault falls on the claim's write.
	if _, err := through.SchemaVersion(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, fault := range []faultproxy.Kind{faultproxy.CommittedThenReset, faultproxy.CommittedThen500} {
		t.Run(string(fault), func(t *testing.T) {
			proxy.InjectNext(fault)
			if ok, err := through.ClaimPush(context.Background(), "S1", 7, "D-"+string(fault)); !ok || err != nil {
				t.Fatalf("claim whose first answer was lost = %v, %v; want it claimed", ok, err)
			}
			if proxy.Committed() == 0 {
				t.Fatal("the fault was not injected after the write")
			}
			if ok, _ := s.ClaimPush(context.Background(), "S1", 7, "D-"+string(fault)); ok {
				t.Fatal("the change was claimed a second time")
			}
		})
	}
}
