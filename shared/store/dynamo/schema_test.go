package dynamo_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// TestMigration runs the migration suite on tables holding
// testdata/schema1.golden: the items the store wrote before schema
// versions, put back one by one.
func TestMigration(t *testing.T) {
	t.Parallel()
	db := local(t)
	var calls iamCalls
	recorded := calls.recording(db)
	storetest.RunMigration(t, func(t *testing.T) store.Store {
		table := newTable(t, db)
		loadItems(t, db, table, "testdata/schema1.golden")
		return dynamo.New(recorded, table)
	})
	calls.checkAllowedBy(t)
}

// loadItems puts the items of a golden file (DynamoDB's JSON, a line an
// item) into table.
func loadItems(t *testing.T, db *dynamodb.Client, table, path string) {
	t.Helper()
	fixture, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(bytes.NewReader(fixture))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(lines.Bytes(), &raw); err != nil {
			t.Fatal(err)
		}
		item, err := decodeItem(raw)
		if err != nil {
			t.Fatalf("%s: %v", lines.Text(), err)
		}
		if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
			t.Fatal(err)
		}
	}
}

func decodeItem(raw map[string]json.RawMessage) (map[string]types.AttributeValue, error) {
	item := make(map[string]types.AttributeValue, len(raw))
	for name, v := range raw {
		av, err := decodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		item[name] = av
	}
	return item, nil
}

// decodeValue reads back what value (golden_test.go) writes.
func decodeValue(data json.RawMessage) (types.AttributeValue, error) {
	var typed map[string]json.RawMessage
	if err := json.Unmarshal(data, &typed); err != nil || len(typed) != 1 {
		return nil, fmt.Errorf("not a typed value: %s", data)
	}
	for typ, v := range typed {
		switch typ {
		case "S":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberS{Value: s}, err
		case "N":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberN{Value: s}, err
		case "B":
			var b []byte
			err := json.Unmarshal(v, &b)
			return &types.AttributeValueMemberB{Value: b}, err
		case "BOOL":
			var b bool
			err := json.Unmarshal(v, &b)
			return &types.AttributeValueMemberBOOL{Value: b}, err
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: true}, nil
		case "M":
			var m map[string]json.RawMessage
			if err := json.Unmarshal(v, &m); err != nil {
				return nil, err
			}
			item, err := decodeItem(m)
			return &types.AttributeValueMemberM{Value: item}, err
		case "L":
			var list []json.RawMessage
			if err := json.Unmarshal(v, &list); err != nil {
				return nil, err
			}
			out := &types.AttributeValueMemberL{Value: make([]types.AttributeValue, len(list))}
			for i, e := range list {
				av, err := decodeValue(e)
				if err != nil {
					return nil, err
				}
				out.Value[i] = av
			}
			return out, nil
		case "SS":
			var ss []string
			err := json.Unmarshal(v, &ss)
			return &types.AttributeValueMemberSS{Value: ss}, err
		}
		return nil, fmt.Errorf("type %s is not in the fixtures", typ)
	}
	return nil, nil
}

// TestATableOfALaterVersionIsRefused: the store reads the version on its
// first call, not when it is made, and refuses that call and every one after.
func TestATableOfALaterVersionIsRefused(t *testing.T) {
	t.Parallel()
	db := local(t)
	table := newTable(t, db)
	if err := dynamo.New(db, table).SaveSchemaVersion(context.Background(), store.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	var calls int
	counting := dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, countCalls(&calls))
	})
	s := dynamo.New(counting, table)
	if calls != 0 {
		t.Fatalf("making the store made %d calls, want none", calls)
	}
	for range 2 {
		_, err := s.Member(context.Background(), "01M83XJ8800000000000000001")
		if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", store.SchemaVersion+1)) {
			t.Fatalf("a call on a table at version %d: %v; want ErrSchemaTooNew naming the version", store.SchemaVersion+1, err)
		}
	}
	if calls != 1 {
		t.Fatalf("two refused calls read the table %d times, want once (the version)", calls)
	}
}

// countCalls counts the calls a client sends.
func countCalls(n *int) func(*middleware.Stack) error {
	count := middleware.InitializeMiddlewareFunc("CountCalls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		*n++
		return next.HandleInitialize(ctx, in)
	})
	return func(s *middleware.Stack) error { return s.Initialize.Add(count, middleware.Before) }
}
