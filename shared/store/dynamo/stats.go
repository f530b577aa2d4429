package dynamo

import (
	"cmp"
	"context"
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

// The program's counters (loyalty.StatsChange).
//
//	PK              SK                  item
//	STATS#<nn>      DAY#<YYYY-MM-DD>    shard nn of a UTC day's counters
//	STATS#<nn>      TOTAL               shard nn of the all-time counters
//
// (The segment counters, loyalty.SegmentCounters, live under keys of their
// own, SEGS#<nn>#<slot>: see cellOf.)
//
// Every counter is a number attribute of its own, named as loyalty names it,
// ADDed to inside the member's TransactWriteItems. A member's changes all go
// to its shard (loyalty.StatsShardOf), so the program's writes spread over
// loyalty.StatsShards partitions. "TOTAL" sorts after every "DAY#", so a
// report reads each shard with one Query from its first day on.
const skStatsTotal = "TOTAL"

func statsPK(shard int) string           { return fmt.Sprintf("STATS#%02d", shard) }
func statsDaySK(day loyalty.Date) string { return "DAY#" + day.String() }

// statsItems are the updates of a posting's counters: its shard of the
// day's, of the all-time counters and of its month's segment counters
// (segmentItems); none for a change that counts nothing.
func (s *Store) statsItems(c loyalty.StatsChange) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	if len(c.Counts) > 0 {
		items = append(items, s.addCounters(statsPK(c.Shard), statsDaySK(c.Day), c.Counts))
	}
	if allTime := c.AllTime(); len(allTime) > 0 {
		items = append(items, s.addCounters(statsPK(c.Shard), skStatsTotal, allTime))
	}
	return append(items, s.segmentItems(c)...)
}

// segmentItems are the updates of a change's segment counters: one for
// each item of its month that holds some (cellOf), each counting the write.
func (s *Store) segmentItems(c loyalty.StatsChange) []types.TransactWriteItem {
	month := loyalty.SegmentMonth(c.Day)
	byItem := map[[2]string]map[string]int64{}
	for name, n := range c.Segments {
		cell := cellOf(c.Shard, month, name)
		k := [2]string{cell.pk, cell.sk}
		if byItem[k] == nil {
			byItem[k] = map[string]int64{attrSegmentWrites: 1}
		}
		byItem[k][cell.attr] += n
	}
	var items []types.TransactWriteItem
	for _, k := range slices.SortedFunc(maps.Keys(byItem), func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	}) {
		items = append(items, s.addCounters(k[0], k[1], byItem[k]))
	}
	return items
}

// addCounters is the update that ADDs counts to the item's counters.
func (s *Store) addCounters(pk, sk string, counts map[string]int64) types.TransactWriteItem {
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var adds []string
	for i, name := range slices.Sorted(maps.Keys(counts)) {
		n, v := "#c"+strconv.Itoa(i), ":c"+strconv.Itoa(i)
		names[n], values[v] = name, num(counts[name])
		adds = append(adds, n+" "+v)
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &s.table, Key: key(pk, sk),
		UpdateExpression:          aws.String("ADD " + strings.Join(adds, ", ")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}}
}

// StatsCounters reads every shard's counters of the days from from on and
// its all-time counters: one Query a shard, all at once.
func (s *Store) StatsCounters(ctx context.Context, from loyalty.Date) ([]loyalty.StatsCounters, error) {
	shards := make([][]loyalty.StatsCounters, loyalty.StatsShards)
	errs := make([]error, loyalty.StatsShards)
	var wg sync.WaitGroup
	for shard := range loyalty.StatsShards {
		wg.Go(func() { shards[shard], errs[shard] = s.statsShard(ctx, shard, from) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return slices.Concat(shards...), nil
}

func (s *Store) statsShard(ctx context.Context, shard int, from loyalty.Date) ([]loyalty.StatsCounters, error) {
	var out []loyalty.StatsCounters
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK >= :from"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(statsPK(shard)), ":from": str(statsDaySK(from)),
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query the counters of shard %d: %w", shard, err)
		}
		for _, item := range page.Items {
			c := loyalty.StatsCounters{Shard: shard}
			if sk, _ := item["SK"].(*types.AttributeValueMemberS); sk != nil && sk.Value != skStatsTotal {
				day, err := loyalty.ParseDate(strings.TrimPrefix(sk.Value, "DAY#"))
				if err != nil {
					return nil, fmt.Errorf("counters of shard %d: %w", shard, err)
				}
				c.Day = day
			}
			if c.Counts, err = countersOf(item); err != nil {
				return nil, fmt.Errorf("counters of shard %d: %w", shard, err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// countersOf reads an item's counters: its number attributes.
func countersOf(item map[string]types.AttributeValue) (map[string]int64, error) {
	counts := map[string]int64{}
	for name, v := range item {
		n, ok := v.(*types.AttributeValueMemberN)
		if !ok {
			continue // the keys
		}
		var err error
		if counts[name], err = strconv.ParseInt(n.Value, 10, 64); err != nil {
			return nil, fmt.Errorf("counter %s: %w", name, err)
		}
	}
	return counts, nil
}
