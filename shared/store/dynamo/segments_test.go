package dynamo_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

func TestTheMigrationMovesTheSegmentCountersOutOfTheAllTimeItems(t *testing.T) {
	t.Parallel()
	db := local(t)
	var calls iamCalls
	var table string
	storetest.RunSegmentCountersMove(t, func(t *testing.T) store.Store {
		table = newTable(t, db)
		return dynamo.New(calls.recording(db), table)
	}, func(t *testing.T, s store.Store) { toLegacySegments(t, db, table, s) })
	calls.checkAllowedBy(t)
}

func TestTheMigrationSplitsTheSegmentCountersOfAMonthIntoSmallItems(t *testing.T) {
	t.Parallel()
	db := local(t)
	var calls iamCalls
	var table string
	storetest.RunSegmentCountersSplit(t, func(t *testing.T) store.Store {
		table = newTable(t, db)
		return dynamo.New(calls.recording(db), table)
	}, func(t *testing.T, s store.Store) int { return toVersion5Segments(t, db, table, s) })
	calls.checkAllowedBy(t)
}

// toLegacySegments moves every segment counter into its shard's all-time
// item, as the builds before schema version 5 kept them, and records
// version 4.
func toLegacySegments(t *testing.T, db *dynamodb.Client, table string, s store.Store) {
	t.Helper()
	ctx := context.Background()
	segments, err := s.SegmentCounters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deleteSegmentItems(t, db, table)
	for _, c := range segments {
		total := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: fmt.Sprintf("STATS#%02d", c.Shard)}, "SK": &types.AttributeValueMemberS{Value: "TOTAL"}}
		addAll(t, db, table, total, c.Counts)
	}
	setSchemaVersion(t, db, table, 4)
}

// toVersion5Segments moves every segment counter into the items schema
// version 5 kept them in, one a shard and month, records version 6, and
// returns how many items it wrote.
func toVersion5Segments(t *testing.T, db *dynamodb.Client, table string, s store.Store) int {
	t.Helper()
	segments, err := s.SegmentCounters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	deleteSegmentItems(t, db, table)
	written := 0
	for _, c := range segments {
		sk := "MONTH#" + c.Month
		if c.Month == loyalty.SegmentBase {
			sk = "BASE"
		}
		counts := maps.Clone(c.Counts)
		if c.Month != loyalty.SegmentBase {
			counts["writes"] = 1
		}
		if len(c.Counts) > 0 {
			addAll(t, db, table, map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: fmt.Sprintf("SEGS#%02d", c.Shard)}, "SK": &types.AttributeValueMemberS{Value: sk}}, counts)
			written++
		}
	}
	setSchemaVersion(t, db, table, 6)
	return written
}

// deleteSegmentItems deletes every item of the segment counters (a Scan:
// the test's table is small).
func deleteSegmentItems(t *testing.T, db *dynamodb.Client, table string) {
	t.Helper()
	ctx := context.Background()
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
		TableName: &table, FilterExpression: aws.String("begins_with(PK, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "SEGS#"}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// addAll ADDs counts to the item k, forty counters an update.
func addAll(t *testing.T, db *dynamodb.Client, table string, k map[string]types.AttributeValue, counts map[string]int64) {
	t.Helper()
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var adds []string
	for i, name := range slices.Sorted(maps.Keys(counts)) {
		names["#c"+strconv.Itoa(i)], values[":c"+strconv.Itoa(i)] = name, &types.AttributeValueMemberN{Value: strconv.FormatInt(counts[name], 10)}
		adds = append(adds, "#c"+strconv.Itoa(i)+" :c"+strconv.Itoa(i))
	}
	for chunk := range slices.Chunk(adds, 40) {
		_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
			TableName: &table, Key: k, UpdateExpression: aws.String("ADD " + strings.Join(chunk, ", ")),
			ExpressionAttributeNames: pickUsed(names, chunk), ExpressionAttributeValues: pickUsed(values, chunk),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func setSchemaVersion(t *testing.T, db *dynamodb.Client, table string, version int) {
	t.Helper()
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "PROGRAM"}, "SK": &types.AttributeValueMemberS{Value: "SCHEMA"}, "version": &types.AttributeValueMemberN{Value: strconv.Itoa(version)},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// pickUsed keeps the placeholders that the expressions use.
func pickUsed[V any](m map[string]V, exprs []string) map[string]V {
	out := map[string]V{}
	for _, e := range exprs {
		for _, word := range strings.Fields(e) {
			if v, ok := m[word]; ok {
				out[word] = v
			}
		}
	}
	return out
}
