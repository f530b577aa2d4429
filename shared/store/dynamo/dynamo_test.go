package dynamo_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fidelio/fidelio/infra/faultproxy"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

var tables atomic.Int64

// local connects to the DynamoDB Local that make test starts.
func local(t testing.TB) *dynamodb.Client {
	t.Helper()
	endpoint := os.Getenv("FIDELIO_DYNAMODB_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("FIDELIO_REQUIRE_DYNAMODB") != "" {
			t.Fatal("FIDELIO_DYNAMODB_ENDPOINT is not set, and this run requires DynamoDB Local")
		}
		t.Skip("FIDELIO_DYNAMODB_ENDPOINT is not set: `make test` starts DynamoDB Local and runs these tests")
	}
	db, err := dynamo.Connect(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// open gives each test its own new table.
func open(t testing.TB, db *dynamodb.Client) store.Store {
	t.Helper()
	return openOn(t, db, db)
}

// openOn creates a new table with db and opens the store on it through
// client.
func openOn(t testing.TB, db, client *dynamodb.Client) store.Store {
	t.Helper()
	return dynamo.New(client, newTable(t, db))
}

// newTable creates a table that is deleted after the test, and names it.
func newTable(t testing.TB, db *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("fidelio-test-%d-%d", os.Getpid(), tables.Add(1))
	if err := dynamo.CreateTable(context.Background(), db, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name})
	})
	return name
}

// throughProxy connects to DynamoDB Local through a fault proxy.
func throughProxy(t *testing.T, seed uint64) (*dynamodb.Client, *faultproxy.Proxy) {
	t.Helper()
	proxy := faultproxy.Start(t, os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), seed)
	db, err := dynamo.Connect(context.Background(), proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	return db, proxy
}

// TestConformance runs the suite on DynamoDB Local, then checks that the
// functions' IAM policy allows every call the suite saw the store make.
func TestConformance(t *testing.T) {
	db := local(t)
	var calls iamCalls
	recorded := calls.recording(db)
	t.Run("dynamo", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store { return openOn(t, db, recorded) })
	})
	t.Run("the functions' IAM policy allows every call the store made", calls.checkAllowedBy)
}

func BenchmarkEarn(b *testing.B) {
	storetest.BenchmarkEarn(b, open(b, local(b)))
}

func BenchmarkStatsRead(b *testing.B) {
	storetest.BenchmarkStatsRead(b, open(b, local(b)))
}

// faultRates are the faults of TestWorkloadUnderFaults: about one call in
// six meets one, and one write in twenty is committed with its answer lost.
var faultRates = faultproxy.Rates{
	faultproxy.ThroughputExceeded:  0.03,
	faultproxy.Throttling:          0.02,
	faultproxy.InternalError:       0.02,
	faultproxy.TransactionConflict: 0.03,
	faultproxy.Reset:               0.02,
	faultproxy.CommittedThenReset:  0.03,
	faultproxy.CommittedThen500:    0.02,
}

// TestWorkloadUnderFaults runs the concurrent workload through a proxy that
// throttles, fails, conflicts, resets and loses the answers of committed
// writes. The SDK tries a call only twice, with a short pause, so that
// faults also reach the domain and the clients, who send again with the
// same key.
func TestWorkloadUnderFaults(t *testing.T) {
	direct := local(t)
	db, proxy := throughProxy(t, 13)
	db = dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 2
			o.MaxBackoff = 20 * time.Millisecond
		})
	})
	name := newTable(t, direct)

	r := storetest.RunWorkload(t, dynamo.New(db, name), func(on bool) {
		if on {
			proxy.SetRates(faultRates)
		} else {
			proxy.SetRates(faultproxy.Rates{})
		}
	})
	t.Logf("requests %v, sent %d, answered 5xx and sent again %v, final answers %v, replayed %d, ledger entries %d (the program's own %v)", r.Requests, r.Sent, r.Retried5xx, r.Final, r.Replayed, r.Entries, r.Scheduled)
	t.Logf("DynamoDB calls %v; faults injected %v, %d of them after the write committed", proxy.Requests(), proxy.Injected(), proxy.Committed())
	injected := proxy.Injected()
	for kind := range faultRates {
		if injected[kind] == 0 {
			t.Errorf("no %s fault was injected: the workload is too small to prove anything about it", kind)
		}
	}
	if proxy.Committed() == 0 {
		t.Error("no write committed with its answer lost: the ambiguous case was not exercised")
	}
}
