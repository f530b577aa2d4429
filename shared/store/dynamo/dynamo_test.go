package dynamo_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

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
