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
	"sync"

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

func segmentsPK(shard int) string { return fmt.Sprintf("SEGS#%02d", shard) }

func segmentsSK(month string) string {
	if month == loyalty.SegmentBase {
		return skSegmentsBase
	}
	return "MONTH#" + month
}

const skSegmentsBase = "BASE"

// attrSegmentWrites counts the changes that added to a month's item of the
// segment counters: the fold removes the item only if none did since it
// read it.
const attrSegmentWrites = "writes"

// SegmentCounters reads every shard's items of the segment counters: one
// Query a shard, all at once.
func (s *Store) SegmentCounters(ctx context.Context) ([]loyalty.SegmentCounters, error) {
	shards := make([][]loyalty.SegmentCounters, loyalty.StatsShards)
	errs := make([]error, loyalty.StatsShards)
	var wg sync.WaitGroup
	for shard := range loyalty.StatsShards {
		wg.Go(func() { shards[shard], errs[shard] = s.segmentsShard(ctx, shard) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(shards...), nil
}

func (s *Store) segmentsShard(ctx context.Context, shard int) ([]loyalty.SegmentCounters, error) {
	var out []loyalty.SegmentCounters
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(segmentsPK(shard))},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query the segment counters of shard %d: %w", shard, err)
		}
		for _, item := range page.Items {
			c := loyalty.SegmentCounters{Shard: shard, Month: loyalty.SegmentBase}
			if sk, _ := item["SK"].(*types.AttributeValueMemberS); sk != nil && sk.Value != skSegmentsBase {
				c.Month = strings.TrimPrefix(sk.Value, "MONTH#")
			}
			if c.Counts, err = countersOf(item); err != nil {
				return nil, fmt.Errorf("segment counters of shard %d: %w", shard, err)
			}
			delete(c.Counts, attrSegmentWrites)
			out = append(out, c)
		}
	}
	return out, nil
}

// FoldSegmentCounters moves counters of one of a shard's items of the
// segment counters into its base item (moveCounters), then removes a
// month's item that holds no other counter, on the condition that no
// change added to it since it was read. A change that did makes the fold
// read the item again.
func (s *Store) FoldSegmentCounters(ctx context.Context, shard int, month string, moves map[string]string) error {
	src, base := key(segmentsPK(shard), segmentsSK(month)), key(segmentsPK(shard), skSegmentsBase)
	return retryChanged(func() error {
		item, err := s.readItem(ctx, src)
		if err != nil || item == nil {
			return err
		}
		if err := s.moveCounters(ctx, src, base, item, moves); err != nil {
			return err
		}
		if month == loyalty.SegmentBase {
			return nil
		}
		for name, v := range item {
			if _, moved := moves[name]; !moved && name != attrSegmentWrites {
				if _, counter := v.(*types.AttributeValueMemberN); counter {
					return nil // written after the job read it: the next fold takes it
				}
			}
		}
		del := &dynamodb.DeleteItemInput{TableName: &s.table, Key: src, ConditionExpression: aws.String("attribute_not_exists(#w)"),
			ExpressionAttributeNames: map[string]string{"#w": attrSegmentWrites}}
		if w, ok := item[attrSegmentWrites]; ok {
			del.ConditionExpression = aws.String("#w = :w")
			del.ExpressionAttributeValues = map[string]types.AttributeValue{":w": w}
		}
		if _, err := s.db.DeleteItem(ctx, del); err != nil {
			return fmt.Errorf("remove the segment counters of shard %d, %s: %w", shard, month, err)
		}
		return nil
	})
}

// MoveSegmentCounters moves, shard by shard, the segment counters of the
// all-time stats counters into the shard's base item (moveCounters).
func (s *Store) MoveSegmentCounters(ctx context.Context, dryRun bool) (int, error) {
	moved := 0
	for shard := range loyalty.StatsShards {
		src, base := key(statsPK(shard), skStatsTotal), key(segmentsPK(shard), skSegmentsBase)
		found := false
		err := retryChanged(func() error {
			item, err := s.readItem(ctx, src)
			if err != nil {
				return err
			}
			counts, err := countersOf(item)
			if err != nil {
				return fmt.Errorf("counters of shard %d: %w", shard, err)
			}
			moves := map[string]string{}
			for name := range loyalty.LegacySegmentCounters(counts) {
				moves[name] = name
			}
			found = found || len(moves) > 0
			if dryRun {
				return nil
			}
			return s.moveCounters(ctx, src, base, item, moves)
		})
		if err != nil {
			return moved, err
		}
		if found {
			moved++
		}
	}
	return moved, nil
}

// retryChanged runs a read-and-move again, a few times, while a change made
// between its read and its writes fails their conditions.
func retryChanged(move func() error) error {
	for attempt := 0; ; attempt++ {
		err := move()
		var changed *types.ConditionalCheckFailedException
		var canceled *types.TransactionCanceledException
		if err == nil || !(errors.As(err, &changed) || errors.As(err, &canceled)) || attempt == 4 {
			return err
		}
	}
}

func (s *Store) readItem(ctx context.Context, k map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the counters %v: %w", k["PK"], err)
	}
	return out.Item, nil
}

// foldChunk bounds the counters one update moves: an update expression
// holds at most 4 KB.
const foldChunk = 40

// moveCounters moves, foldChunk counters at a time, each counter of item
// (the item at src, as read) named in moves into the counter of dst that
// moves names: an update ADDs its value to the target and REMOVEs it from
// src on the condition that it still holds the value read, in one
// transaction when src and dst are two items, so a commit that added to it
// meanwhile makes the move fail (and its caller read again), and each move
// keeps every sum the same.
func (s *Store) moveCounters(ctx context.Context, src, dst, item map[string]types.AttributeValue, moves map[string]string) error {
	var from []string
	for name := range moves {
		if _, ok := item[name].(*types.AttributeValueMemberN); ok {
			from = append(from, name)
		}
	}
	slices.Sort(from)
	for chunk := range slices.Chunk(from, foldChunk) {
		names := map[string]string{}
		values := map[string]types.AttributeValue{}
		adds := map[string]int64{}
		var removes, conditions []string
		for i, name := range chunk {
			v := item[name].(*types.AttributeValueMemberN)
			n, err := strconv.ParseInt(v.Value, 10, 64)
			if err != nil {
				return fmt.Errorf("counter %s: %w", name, err)
			}
			f, fv := "#f"+strconv.Itoa(i), ":f"+strconv.Itoa(i)
			names[f], values[fv] = name, v
			removes = append(removes, f)
			conditions = append(conditions, f+" = "+fv)
			adds[moves[name]] += n
		}
		var addExprs []string
		for i, to := range slices.Sorted(maps.Keys(adds)) {
			t, tv := "#t"+strconv.Itoa(i), ":t"+strconv.Itoa(i)
			names[t], values[tv] = to, num(adds[to])
			addExprs = append(addExprs, t+" "+tv)
		}
		var err error
		if sameItem(src, dst) {
			_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: &s.table, Key: src,
				UpdateExpression:          aws.String("ADD " + strings.Join(addExprs, ", ") + " REMOVE " + strings.Join(removes, ", ")),
				ConditionExpression:       aws.String(strings.Join(conditions, " AND ")),
				ExpressionAttributeNames:  names,
				ExpressionAttributeValues: values,
			})
		} else {
			_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Update: &types.Update{
					TableName: &s.table, Key: src,
					UpdateExpression:          aws.String("REMOVE " + strings.Join(removes, ", ")),
					ConditionExpression:       aws.String(strings.Join(conditions, " AND ")),
					ExpressionAttributeNames:  pick(names, "#f"),
					ExpressionAttributeValues: pick(values, ":f"),
				}},
				{Update: &types.Update{
					TableName: &s.table, Key: dst,
					UpdateExpression:          aws.String("ADD " + strings.Join(addExprs, ", ")),
					ExpressionAttributeNames:  pick(names, "#t"),
					ExpressionAttributeValues: pick(values, ":t"),
				}},
			}})
		}
		if err != nil {
			return fmt.Errorf("move the counters of %v: %w", src["PK"], err)
		}
	}
	return nil
}

func sameItem(a, b map[string]types.AttributeValue) bool {
	text := func(k map[string]types.AttributeValue, name string) string {
		v, _ := k[name].(*types.AttributeValueMemberS)
		return v.Value
	}
	return text(a, "PK") == text(b, "PK") && text(a, "SK") == text(b, "SK")
}

// pick is the entries of m whose key starts with prefix: a transaction's
// updates each name only the placeholders they use.
func pick[V any](m map[string]V, prefix string) map[string]V {
	out := map[string]V{}
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}
