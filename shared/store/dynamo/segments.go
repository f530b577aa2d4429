package dynamo

import (
	"cmp"
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

// legacySegmentsPK is the key a shard's segment counters had at schema
// version 5: one item a month, every counter under its loyalty name, which
// grew over the month with the counters its changes touched.
func legacySegmentsPK(shard int) string { return fmt.Sprintf("SEGS#%02d", shard) }

func segmentsSK(month string) string {
	if month == loyalty.SegmentBase {
		return skSegmentsBase
	}
	return "MONTH#" + month
}

const skSegmentsBase = "BASE"

// attrSegmentWrites counts the changes that added to an item of a month's
// segment counters: the fold removes the item only if none did since it
// read it.
const attrSegmentWrites = "writes"

// segmentQueries bounds the Queries SegmentCounters has in flight.
const segmentQueries = 32

// SegmentCounters reads every shard's items of the segment counters, one
// Query a partition key (segmentSlots, and the key of schema version 5,
// whose items the migration to 7 splits), and sums them by shard and month.
func (s *Store) SegmentCounters(ctx context.Context) ([]loyalty.SegmentCounters, error) {
	type key struct {
		shard int
		month string
	}
	var (
		mu   sync.Mutex
		sums = map[key]map[string]int64{}
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, segmentQueries)
	)
	for shard := range loyalty.StatsShards {
		pks := []string{legacySegmentsPK(shard)}
		for _, slot := range segmentSlots {
			pks = append(pks, segmentsSlotPK(shard, slot))
		}
		for _, pk := range pks {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				items, err := s.queryAll(ctx, pk)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Errorf("segment counters of shard %d: %w", shard, err))
					return
				}
				for _, item := range items {
					counters, err := segmentCountersOf(item)
					if err != nil {
						errs = append(errs, fmt.Errorf("segment counters of shard %d: %w", shard, err))
						return
					}
					for month, counts := range counters {
						k := key{shard, month}
						if sums[k] == nil {
							sums[k] = map[string]int64{}
						}
						for name, n := range counts {
							sums[k][name] += n
						}
					}
				}
			})
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make([]loyalty.SegmentCounters, 0, len(sums))
	for k, counts := range sums {
		out = append(out, loyalty.SegmentCounters{Shard: k.shard, Month: k.month, Counts: counts})
	}
	slices.SortFunc(out, func(a, b loyalty.SegmentCounters) int {
		return cmp.Or(cmp.Compare(a.Shard, b.Shard), strings.Compare(a.Month, b.Month))
	})
	return out, nil
}

// queryAll reads every item of a partition key, consistently.
func (s *Store) queryAll(ctx context.Context, pk string) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk)},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", pk, err)
		}
		out = append(out, page.Items...)
	}
	return out, nil
}

// segmentCountersOf reads the counters of an item of the segment counters,
// by month (one month an item), under their loyalty names.
func segmentCountersOf(item map[string]types.AttributeValue) (map[string]map[string]int64, error) {
	pk, _ := item["PK"].(*types.AttributeValueMemberS)
	sk, _ := item["SK"].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return nil, nil
	}
	counts, err := countersOf(item)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]int64{}
	add := func(month, name string, n int64) {
		if out[month] == nil {
			out[month] = map[string]int64{}
		}
		out[month][name] += n
	}
	for attr, n := range counts {
		if strings.Count(pk.Value, "#") == 1 { // schema version 5
			if attr != attrSegmentWrites {
				add(legacyMonthOf(sk.Value), attr, n)
			}
			continue
		}
		if month, name, ok := nameOf(pk.Value, sk.Value, attr); ok {
			add(month, name, n)
		}
	}
	if len(out) == 0 { // an item with no counter left still names its month
		month := legacyMonthOf(sk.Value)
		if strings.Count(pk.Value, "#") > 1 {
			month, _, _ = nameOf(pk.Value, sk.Value, "")
		}
		out[month] = map[string]int64{}
	}
	return out, nil
}

// legacyMonthOf is the month of an item of schema version 5.
func legacyMonthOf(sk string) string {
	if sk == skSegmentsBase {
		return loyalty.SegmentBase
	}
	return strings.TrimPrefix(sk, "MONTH#")
}

// FoldSegmentCounters moves counters of a shard's items of month into the
// base's (moveCells), then removes each item of the month that holds no
// other counter, on the condition that no change added to it since it was
// read. A change that did makes the fold read the item again. A month still
// in an item of schema version 5 is split first.
func (s *Store) FoldSegmentCounters(ctx context.Context, shard int, month string, moves map[string]string) error {
	if _, err := s.splitLegacyItem(ctx, key(legacySegmentsPK(shard), segmentsSK(month)), false); err != nil {
		return err
	}
	bySource := map[[2]string]map[string]string{}
	for name := range moves {
		cell := cellOf(shard, month, name)
		src := [2]string{cell.pk, cell.sk}
		if bySource[src] == nil {
			bySource[src] = map[string]string{}
		}
		bySource[src][name] = name
	}
	for src, names := range bySource {
		srcKey := key(src[0], src[1])
		err := retryChanged(func() error {
			item, err := s.readItem(ctx, srcKey)
			if err != nil || item == nil {
				return err
			}
			if err := s.moveCells(ctx, srcKey, item, func(attr string) (segmentCell, bool) {
				_, name, ok := nameOf(src[0], src[1], attr)
				if _, moved := names[name]; !ok || !moved {
					return segmentCell{}, false
				}
				return cellOf(shard, loyalty.SegmentBase, moves[name]), true
			}); err != nil {
				return err
			}
			if month == loyalty.SegmentBase {
				return nil
			}
			for attr, v := range item {
				if _, name, ok := nameOf(src[0], src[1], attr); ok {
					if _, moved := names[name]; !moved {
						if _, counter := v.(*types.AttributeValueMemberN); counter {
							return nil // written after the job read it: the next fold takes it
						}
					}
				}
			}
			return s.deleteIfUnwritten(ctx, srcKey, item)
		})
		if err != nil {
			return fmt.Errorf("fold the segment counters of shard %d, %s: %w", shard, month, err)
		}
	}
	return nil
}

// deleteIfUnwritten removes an item of the segment counters on the
// condition that its writes are still as read.
func (s *Store) deleteIfUnwritten(ctx context.Context, k, item map[string]types.AttributeValue) error {
	del := &dynamodb.DeleteItemInput{TableName: &s.table, Key: k, ConditionExpression: aws.String("attribute_not_exists(#w)"),
		ExpressionAttributeNames: map[string]string{"#w": attrSegmentWrites}}
	if w, ok := item[attrSegmentWrites]; ok {
		del.ConditionExpression = aws.String("#w = :w")
		del.ExpressionAttributeValues = map[string]types.AttributeValue{":w": w}
	}
	if _, err := s.db.DeleteItem(ctx, del); err != nil {
		return fmt.Errorf("remove the segment counters %v %v: %w", k["PK"], k["SK"], err)
	}
	return nil
}

// MoveSegmentCounters moves, shard by shard, the segment counters of the
// all-time stats counters into the shard's base items (moveCells).
func (s *Store) MoveSegmentCounters(ctx context.Context, dryRun bool) (int, error) {
	moved := 0
	for shard := range loyalty.StatsShards {
		src := key(statsPK(shard), skStatsTotal)
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
			legacy := loyalty.LegacySegmentCounters(counts)
			found = found || len(legacy) > 0
			if dryRun {
				return nil
			}
			return s.moveCells(ctx, src, item, func(attr string) (segmentCell, bool) {
				if _, ok := legacy[attr]; !ok {
					return segmentCell{}, false
				}
				return cellOf(shard, loyalty.SegmentBase, attr), true
			})
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

// SplitSegmentCounters moves the segment counters of schema version 5's
// items (a shard's month in one item) to the items that keep them now
// (cellOf), shard by shard, and removes each emptied item.
func (s *Store) SplitSegmentCounters(ctx context.Context, dryRun bool) (int, error) {
	split := 0
	for shard := range loyalty.StatsShards {
		items, err := s.queryAll(ctx, legacySegmentsPK(shard))
		if err != nil {
			return split, err
		}
		for _, item := range items {
			found, err := s.splitLegacyItem(ctx, key(legacySegmentsPK(shard), item["SK"].(*types.AttributeValueMemberS).Value), dryRun)
			if err != nil {
				return split, err
			}
			if found {
				split++
			}
		}
	}
	return split, nil
}

// splitLegacyItem moves every counter of an item of schema version 5 to
// the item that keeps it now, and removes it; found is false when there is
// no such item.
func (s *Store) splitLegacyItem(ctx context.Context, k map[string]types.AttributeValue, dryRun bool) (found bool, err error) {
	pk := k["PK"].(*types.AttributeValueMemberS).Value
	shard, err := strconv.Atoi(strings.TrimPrefix(pk, "SEGS#"))
	if err != nil {
		return false, fmt.Errorf("segment counters %s: %w", pk, err)
	}
	month := legacyMonthOf(k["SK"].(*types.AttributeValueMemberS).Value)
	err = retryChanged(func() error {
		item, err := s.readItem(ctx, k)
		if found = item != nil; err != nil || item == nil || dryRun {
			return err
		}
		err = s.moveCells(ctx, k, item, func(attr string) (segmentCell, bool) {
			if attr == attrSegmentWrites {
				return segmentCell{}, false
			}
			return cellOf(shard, month, attr), true
		})
		if err != nil {
			return err
		}
		return s.deleteIfUnwritten(ctx, k, item)
	})
	return found, err
}

// moveCells moves each counter of item (the item at src, as read) that
// target places (moveCounters), grouped by the item it goes to.
func (s *Store) moveCells(ctx context.Context, src, item map[string]types.AttributeValue, target func(attr string) (segmentCell, bool)) error {
	byItem := map[[2]string]map[string]string{}
	for attr, v := range item {
		if _, counter := v.(*types.AttributeValueMemberN); !counter {
			continue
		}
		cell, ok := target(attr)
		if !ok {
			continue
		}
		dst := [2]string{cell.pk, cell.sk}
		if byItem[dst] == nil {
			byItem[dst] = map[string]string{}
		}
		byItem[dst][attr] = cell.attr
	}
	for _, dst := range slices.SortedFunc(maps.Keys(byItem), func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	}) {
		if err := s.moveCounters(ctx, src, key(dst[0], dst[1]), item, byItem[dst]); err != nil {
			return err
		}
	}
	return nil
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
