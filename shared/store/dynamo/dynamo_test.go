package dynamo_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fidelio/fidelio/infra/faultproxy"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

var tables, accounts atomic.Int64

// TestMain runs the tests that call t.Parallel four at a time, unless
// -test.parallel says otherwise (its default is GOMAXPROCS, 2 on CI): they
// mostly wait for DynamoDB Local, each on a database of its own (see local).
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "4")
	}
	os.Exit(m.Run())
}

// local connects to the DynamoDB Local that make test starts, as an account
// of its own. DynamoDB Local (run without -sharedDb) keeps a database for each
// access key, and a database serves one request at a time: tests on accounts
// of their own run side by side without queueing behind each other's writes
// or seeing each other's tables.
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
	account := fmt.Sprintf("test%d", accounts.Add(1))
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(account, "local", "")
	})
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

// throughProxy returns a client like direct (same account) whose calls go
// through a fault proxy.
func throughProxy(t *testing.T, direct *dynamodb.Client, seed uint64) (*dynamodb.Client, *faultproxy.Proxy) {
	t.Helper()
	proxy := faultproxy.Start(t, os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), seed)
	return dynamodb.New(direct.Options(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(proxy.URL) }), proxy
}

// TestConformance runs the suite on DynamoDB Local, each test as an account
// of its own, then checks that the functions' IAM policy allows every call the
// suite saw the store make.
func TestConformance(t *testing.T) {
	t.Parallel()
	var calls iamCalls
	t.Run("dynamo", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			db := local(t)
			return openOn(t, db, calls.recording(db))
		})
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
	t.Parallel()
	direct := local(t)
	db, proxy := throughProxy(t, direct, 13)
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
