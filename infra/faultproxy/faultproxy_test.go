package faultproxy_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/fidelio/fidelio/infra/faultproxy"
	"github.com/fidelio/fidelio/shared/store/dynamo"
)

func endpoint(t *testing.T) string {
	t.Helper()
	e := os.Getenv("FIDELIO_DYNAMODB_ENDPOINT")
	if e == "" {
		if os.Getenv("FIDELIO_REQUIRE_DYNAMODB") != "" {
			t.Fatal("FIDELIO_DYNAMODB_ENDPOINT is not set, and this run requires DynamoDB Local")
		}
		t.Skip("FIDELIO_DYNAMODB_ENDPOINT is not set: `make test` starts DynamoDB Local and runs these tests")
	}
	return e
}

// client talks to the proxy without the SDK's retries, so each fault shows.
func client(t *testing.T, url string) *dynamodb.Client {
	t.Helper()
	db, err := dynamo.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
}

func TestEachFaultReachesTheClientAsDynamoDBWouldSendIt(t *testing.T) {
	target := endpoint(t)
	direct := client(t, target)
	const table = "faultproxy-test"
	if err := dynamo.CreateTable(context.Background(), direct, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		direct.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})
	p := faultproxy.Start(t, target, 1)
	db := client(t, p.URL)

	put := func(pk string) error {
		_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"},
		}})
		return err
	}
	transact := func(pk string) error {
		item := func(sk string) types.TransactWriteItem {
			return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{
				"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk},
			}}}
		}
		_, err := db.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{item("A"), item("B")}})
		return err
	}
	written := func(pk string) bool {
		out, err := direct.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item != nil
	}
	code := func(err error) string {
		var api smithy.APIError
		if errors.As(err, &api) {
			return api.ErrorCode()
		}
		return ""
	}

	tests := []struct {
		kind        faultproxy.Kind
		write       func(string) error
		wantCode    string
		wantReset   bool
		wantWritten bool
	}{
		{faultproxy.ThroughputExceeded, put, "ProvisionedThroughputExceededException", false, false},
		{faultproxy.Throttling, put, "ThrottlingException", false, false},
		{faultproxy.InternalError, put, "InternalServerError", false, false},
		{faultproxy.Reset, put, "", true, false},
		{faultproxy.CommittedThenReset, put, "", true, true},
		{faultproxy.CommittedThen500, put, "InternalServerError", false, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			p.SetRates(faultproxy.Rates{tc.kind: 1})
			before := p.Injected()[tc.kind]
			pk := "item-" + string(tc.kind)
			err := tc.write(pk)
			if err == nil || code(err) != tc.wantCode {
				t.Fatalf("error = %v, want code %q", err, tc.wantCode)
			}
			if tc.wantReset && !strings.Contains(err.Error(), "connection reset") && !strings.Contains(err.Error(), "EOF") {
				t.Errorf("error = %v, want a reset connection", err)
			}
			p.SetRates(faultproxy.Rates{})
			if got := written(pk); got != tc.wantWritten {
				t.Errorf("item written = %v, want %v", got, tc.wantWritten)
			}
			if got := p.Injected()[tc.kind] - before; got != 1 {
				t.Errorf("injected %d %s faults, want 1", got, tc.kind)
			}
		})
	}

	t.Run("transaction conflict only where a transaction is written", func(t *testing.T) {
		p.SetRates(faultproxy.Rates{faultproxy.TransactionConflict: 1})
		defer p.SetRates(faultproxy.Rates{})
		if err := put("not-a-transaction"); err != nil {
			t.Fatalf("PutItem under transaction conflicts: %v", err)
		}
		err := transact("a-transaction")
		var cancelled *types.TransactionCanceledException
		if !errors.As(err, &cancelled) || len(cancelled.CancellationReasons) != 2 {
			t.Fatalf("error = %v, want a cancellation with two reasons", err)
		}
		conflicts := 0
		for _, r := range cancelled.CancellationReasons {
			if aws.ToString(r.Code) == "TransactionConflict" {
				conflicts++
			}
		}
		if conflicts != 1 {
			t.Fatalf("reasons = %+v, want one TransactionConflict", cancelled.CancellationReasons)
		}
	})

	t.Run("the same seed draws the same faults", func(t *testing.T) {
		draws := func() []string {
			q := faultproxy.Start(t, target, 42)
			q.SetRates(faultproxy.Rates{faultproxy.InternalError: 0.5})
			db := client(t, q.URL)
			var out []string
			for range 20 {
				_, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
					"PK": &types.AttributeValueMemberS{Value: "x"}, "SK": &types.AttributeValueMemberS{Value: "X"},
				}})
				out = append(out, code(err))
			}
			return out
		}
		a, b := draws(), draws()
		if strings.Join(a, ",") != strings.Join(b, ",") || !strings.Contains(strings.Join(a, ","), "InternalServerError") {
			t.Fatalf("two runs with seed 42 drew %v and %v", a, b)
		}
	})
}
