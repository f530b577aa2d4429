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
	}, func(t *testing.T, _ store.Store) { toLegacySegments(t, db, table) })
	calls.checkAllowedBy(t)
}

// toLegacySegments moves every item of the segment counters into its
// shard's all-time item, as the builds before schema version 5 kept them,
// and records version 4.
func toLegacySegments(t *testing.T, db *dynamodb.Client, table string) {
	t.Helper()
	ctx := context.Background()
	for shard := range loyalty.StatsShards {
		out, err := db.Query(ctx, &dynamodb.QueryInput{
			TableName: &table, KeyConditionExpression: aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("SEGS#%02d", shard)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range out.Items {
			names := map[string]string{}
			values := map[string]types.AttributeValue{}
			var adds []string
			for i, name := range slices.Sorted(maps.Keys(item)) {
				if _, counter := item[name].(*types.AttributeValueMemberN); !counter || name == "writes" {
					continue
				}
				names["#c"+strconv.Itoa(i)], values[":c"+strconv.Itoa(i)] = name, item[name]
				adds = append(adds, "#c"+strconv.Itoa(i)+" :c"+strconv.Itoa(i))
			}
			total := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: fmt.Sprintf("STATS#%02d", shard)}, "SK": &types.AttributeValueMemberS{Value: "TOTAL"}}
			for chunk := range slices.Chunk(adds, 40) {
				_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
					TableName: &table, Key: total, UpdateExpression: aws.String("ADD " + strings.Join(chunk, ", ")),
					ExpressionAttributeNames: pickUsed(names, chunk), ExpressionAttributeValues: pickUsed(values, chunk),
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "PROGRAM"}, "SK": &types.AttributeValueMemberS{Value: "SCHEMA"}, "version": &types.AttributeValueMemberN{Value: "4"},
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
