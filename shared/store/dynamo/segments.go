package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// skQuintiles is the program's RFM quintiles, under PROGRAM.
const skQuintiles = "QUINTILES"

func (s *Store) Quintiles(ctx context.Context) (loyalty.Quintiles, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pkProgram, skQuintiles), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return loyalty.Quintiles{}, fmt.Errorf("read the quintiles: %w", err)
	}
	var q loyalty.Quintiles
	if v, ok := out.Item["quintiles"].(*types.AttributeValueMemberS); ok {
		err = json.Unmarshal([]byte(v.Value), &q)
	}
	return q, err
}

func (s *Store) SaveQuintiles(ctx context.Context, q loyalty.Quintiles) error {
	b, err := json.Marshal(q)
	if err != nil {
		return err
	}
	item := key(pkProgram, skQuintiles)
	item["quintiles"] = str(string(b))
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("save the quintiles: %w", err)
	}
	return nil
}

// foldChunk bounds the counters one update moves: an update expression
// holds at most 4 KB.
const foldChunk = 40

// FoldStatsCounters moves, on one shard's all-time counters, each counter
// named in moves into the one it names: an update ADDs its value to the
// target and REMOVEs it on the condition that it still holds the value
// read, so a commit that added to it meanwhile makes the update fail and
// the fold read again; each move keeps every sum the same.
func (s *Store) FoldStatsCounters(ctx context.Context, shard int, moves map[string]string) error {
	for attempt := 0; ; attempt++ {
		err := s.foldOnce(ctx, shard, moves)
		var changed *types.ConditionalCheckFailedException
		if err == nil || !errors.As(err, &changed) || attempt == 4 {
			return err
		}
	}
}

func (s *Store) foldOnce(ctx context.Context, shard int, moves map[string]string) error {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(statsPK(shard), skStatsTotal), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("read the counters of shard %d: %w", shard, err)
	}
	from := slices.Sorted(maps.Keys(moves))
	for chunk := range slices.Chunk(from, foldChunk) {
		names := map[string]string{}
		values := map[string]types.AttributeValue{}
		adds := map[string]int64{}
		var removes, conditions []string
		for i, name := range chunk {
			v, ok := out.Item[name].(*types.AttributeValueMemberN)
			if !ok {
				continue
			}
			n, err := strconv.ParseInt(v.Value, 10, 64)
			if err != nil {
				return fmt.Errorf("counter %s of shard %d: %w", name, shard, err)
			}
			f, fv := "#f"+strconv.Itoa(i), ":f"+strconv.Itoa(i)
			names[f], values[fv] = name, v
			removes = append(removes, f)
			conditions = append(conditions, f+" = "+fv)
			adds[moves[name]] += n
		}
		if len(removes) == 0 {
			continue
		}
		var addExprs []string
		for i, to := range slices.Sorted(maps.Keys(adds)) {
			t, tv := "#t"+strconv.Itoa(i), ":t"+strconv.Itoa(i)
			names[t], values[tv] = to, num(adds[to])
			addExprs = append(addExprs, t+" "+tv)
		}
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.table, Key: key(statsPK(shard), skStatsTotal),
			UpdateExpression:          aws.String("ADD " + strings.Join(addExprs, ", ") + " REMOVE " + strings.Join(removes, ", ")),
			ConditionExpression:       aws.String(strings.Join(conditions, " AND ")),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		})
		if err != nil {
			return fmt.Errorf("fold the counters of shard %d: %w", shard, err)
		}
	}
	return nil
}
