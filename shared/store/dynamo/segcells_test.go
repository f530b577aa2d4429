package dynamo

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// TestAMonthOfHeavyActivityKeepsEverySegmentItemUnderOneKilobyte commits,
// on one shard in one month, changes that together touch every segment
// counter a month's changes can touch (every day of last activity for 14
// months, every recency × frequency and spend cell of every step, every
// birthday month, 30 stores), with values of six digits, as earnings do:
// about thirty counters a change. Each item written must then cost one
// write unit, as DynamoDB Local measures it, and an earning's segment
// counters a few small items.
func TestAMonthOfHeavyActivityKeepsEverySegmentItemUnderOneKilobyte(t *testing.T) {
	endpoint := os.Getenv("FIDELIO_DYNAMODB_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("FIDELIO_REQUIRE_DYNAMODB") != "" {
			t.Fatal("FIDELIO_DYNAMODB_ENDPOINT is not set, and this run requires DynamoDB Local")
		}
		t.Skip("FIDELIO_DYNAMODB_ENDPOINT is not set: `make test` starts DynamoDB Local and runs these tests")
	}
	ctx := context.Background()
	conn, err := Connect(ctx, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.New(conn.Options(), func(o *dynamodb.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider("segcells", "local", "")
	})
	table := fmt.Sprintf("fidelio-segcells-%d", os.Getpid())
	if err := CreateTable(ctx, db, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table}) })
	s := New(db, table)

	day := loyalty.Date{Year: 2026, Month: 11, Day: 20}
	names := heavyMonth(day)
	// rewrite ADDs nothing to an item, which rewrites it: its write units are
	// its size in KB, rounded up, as DynamoDB Local counts them.
	rewrite := func(k map[string]types.AttributeValue) float64 {
		t.Helper()
		out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &table, Key: k,
			UpdateExpression:          aws.String("ADD #w :zero"),
			ExpressionAttributeNames:  map[string]string{"#w": attrSegmentWrites},
			ExpressionAttributeValues: map[string]types.AttributeValue{":zero": num(0)},
			ReturnConsumedCapacity:    types.ReturnConsumedCapacityTotal,
		})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToFloat64(out.ConsumedCapacity.CapacityUnits)
	}
	written := map[string]bool{}
	// commit commits a change's segment counters and returns the write
	// units of its transaction: twice the units of each item it wrote
	// (DynamoDB Local reports no true figure for a transaction).
	commit := func(counts map[string]int64) float64 {
		t.Helper()
		items := s.statsItems(loyalty.StatsChange{Day: day, Shard: 5, Segments: counts})
		if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
			t.Fatal(err)
		}
		units := 0.0
		for _, it := range items {
			units += 2 * rewrite(it.Update.Key)
		}
		for name := range counts {
			written[name] = true
		}
		return units
	}
	frequent, occasional := frequentEarning(), occasionalEarning()
	firstFrequent, firstOccasional := commit(frequent), commit(occasional)
	for chunk := range slices.Chunk(names, 30) {
		counts := map[string]int64{}
		for i, name := range chunk {
			counts[name] = int64(100_000 + i)
		}
		commit(counts)
	}
	lastFrequent, lastOccasional := commit(frequent), commit(occasional)
	t.Logf("%d counters; write units of a frequent buyer's earning's segment counters: %.0f at the month's start, %.0f at its end; an occasional buyer's: %.0f, %.0f",
		len(names), firstFrequent, lastFrequent, firstOccasional, lastOccasional)

	items, largest := 0, 0
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			items++
			largest = max(largest, itemSize(item))
			if units := rewrite(map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]}); units > 1 {
				t.Errorf("%v %v: %d bytes, %.0f write units", item["PK"], item["SK"], itemSize(item), units)
			}
		}
	}
	t.Logf("%d items, the largest %d bytes", items, largest)
	if lastFrequent > firstFrequent || lastOccasional > firstOccasional {
		t.Errorf("an earning's write units grew over the month: %.0f → %.0f, %.0f → %.0f", firstFrequent, lastFrequent, firstOccasional, lastOccasional)
	}
	segments, err := s.SegmentCounters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, c := range segments {
		read += len(c.Counts)
	}
	if read != len(written) {
		t.Errorf("read back %d counters, wrote %d", read, len(written))
	}
}

// heavyMonth is every segment counter the changes of day's month can add
// to on a shard, for members whose last activity was up to 14 months
// before it, in a shuffled but fixed order.
func heavyMonth(day loyalty.Date) []string {
	set := map[string]bool{"seg:donors": true, "seg:referrers": true, "seg:since:0000-00-00": true}
	for d := day.AddDays(-420); !day.Before(d); d = d.AddDays(1) {
		set["seg:since:"+d.String()] = true
	}
	cur, _ := monthNumber(loyalty.SegmentMonth(day))
	month := func(i int) string { return fmt.Sprintf("%04d-%02d", i/12, i%12+1) }
	for last := cur - 14; last <= cur; last++ {
		for eff := cur; eff <= max(cur, last+12); eff++ {
			for f := range 31 {
				set[fmt.Sprintf("seg:rf:%s:%s:%d", month(eff), month(last), f)] = true
			}
		}
	}
	for eff := cur; eff <= cur+12; eff++ {
		for m := range 21 {
			set[fmt.Sprintf("seg:m:%s:%d", month(eff), m)] = true
		}
	}
	for m := 1; m <= 12; m++ {
		set[fmt.Sprintf("seg:bday:%02d", m)] = true
	}
	for i := range 30 {
		set[fmt.Sprintf("seg:store:store-%02d", i)] = true
	}
	names := slices.Sorted(maps.Keys(set))
	for i := range names { // a fixed shuffle: earnings mix the families
		j := (i * 7919) % len(names)
		names[i], names[j] = names[j], names[i]
	}
	return names
}

// frequentEarning is what an earning of a member who buys every week adds
// to the segment counters (November 2026, last purchase in October): the
// day of last activity moves, and the steps of frequency and spend over
// the next twelve months, taken back and written again.
func frequentEarning() map[string]int64 {
	out := map[string]int64{"seg:since:2026-10-28": -1, "seg:since:2026-11-20": 1}
	bins := []int{24, 23, 23, 22, 22, 21, 20, 18, 15, 12, 8, 4, 0}
	for k, f := range bins {
		eff := fmt.Sprintf("%04d-%02d", 2026+(10+k)/12, (10+k)%12+1)
		out[fmt.Sprintf("seg:rf:%s:2026-10:%d", eff, max(0, f-1))]--
		out[fmt.Sprintf("seg:rf:%s:2026-11:%d", eff, f)]++
		out[fmt.Sprintf("seg:m:%s:%d", eff, min(20, f/2))]++
		out[fmt.Sprintf("seg:m:%s:%d", eff, min(20, f/2+1))]--
	}
	return out
}

// occasionalEarning is the same for a member who buys a few times a year.
func occasionalEarning() map[string]int64 {
	out := map[string]int64{"seg:since:2026-06-02": -1, "seg:since:2026-11-20": 1}
	for k, f := range []int{3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 0} {
		eff := fmt.Sprintf("%04d-%02d", 2026+(10+k)/12, (10+k)%12+1)
		out[fmt.Sprintf("seg:rf:%s:2026-06:%d", eff, max(0, f-1))]--
		out[fmt.Sprintf("seg:rf:%s:2026-11:%d", eff, f)]++
		out[fmt.Sprintf("seg:m:%s:%d", eff, 5+f)]++
	}
	return out
}

// itemSize is an item's size as DynamoDB bills it: each attribute's name
// and value, a number one byte per two significant digits plus one.
func itemSize(item map[string]types.AttributeValue) int {
	size := 0
	for name, v := range item {
		size += len(name)
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			size += len(v.Value)
		case *types.AttributeValueMemberN:
			digits := len(strconv.FormatInt(mustInt(v.Value), 10))
			size += (digits+1)/2 + 1
		}
	}
	return size
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return max(n, -n)
}
