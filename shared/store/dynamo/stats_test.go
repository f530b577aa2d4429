package dynamo_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// callLog records the calls a client makes: each operation, the items
// Queries return, and each transaction's items with the write units it
// consumed.
type callLog struct {
	mu           sync.Mutex
	ops          []string
	itemsQueried int
	writes       [][]types.TransactWriteItem
	units        []float64
}

func (l *callLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops, l.itemsQueried, l.writes, l.units = nil, 0, nil, nil
}

func (l *callLog) client(db *dynamodb.Client) *dynamodb.Client {
	record := middleware.InitializeMiddlewareFunc("RecordCalls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if tx, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok {
			tx.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
		}
		out, md, err := next.HandleInitialize(ctx, in)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.ops = append(l.ops, awsmiddleware.GetOperationName(ctx))
		switch res := out.Result.(type) {
		case *dynamodb.QueryOutput:
			l.itemsQueried += int(res.Count)
		case *dynamodb.TransactWriteItemsOutput:
			l.writes = append(l.writes, in.Parameters.(*dynamodb.TransactWriteItemsInput).TransactItems)
			var units float64
			for _, c := range res.ConsumedCapacity {
				if c.CapacityUnits != nil {
					units += *c.CapacityUnits
				}
			}
			l.units = append(l.units, units)
		}
		return out, md, err
	})
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error { return s.Initialize.Add(record, middleware.After) })
	})
}

// TestStatsReadNeverScans: a report of 30 days is one consistent read of the
// rules and one Query a shard, returning at most a shard's item for each
// day read and for all time, however many members changed.
func TestStatsReadNeverScans(t *testing.T) {
	t.Parallel()
	db := local(t)
	var log callLog
	s := dynamo.New(log.client(db), newTable(t, db))
	clock := storetest.NewClock(storetest.Start)
	p := loyalty.NewProgram(s, clock, nil)
	ctx := context.Background()
	const members = 40
	for day := range 3 {
		clock.Set(storetest.Start.AddDate(0, 0, 10*day))
		for i := range members {
			en, err := p.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "M", Email: fmt.Sprintf("m%d-%d@example.com", day, i)}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Earn(ctx, loyalty.EarnRequest{MemberID: en.Member.ID, Amount: loyalty.Money{Value: 1000, Currency: "EUR"}, StoreID: "paris", ReceiptID: fmt.Sprint("R-", day, "-", i), Actor: storetest.Till}); err != nil {
				t.Fatal(err)
			}
		}
	}
	from := loyalty.DateOf(storetest.Start)
	log.reset()
	if _, err := store.StatsReport(ctx, s, from, from.AddDays(29)); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, op := range log.ops {
		counts[op]++
	}
	if counts["Query"] != loyalty.StatsShards || counts["GetItem"] != 1 || len(counts) != 2 {
		t.Errorf("a report made the calls %v, want %d Queries and one GetItem (the rules)", counts, loyalty.StatsShards)
	}
	// Three days with changes, and all time: at most one item a shard each.
	if most := 4 * loyalty.StatsShards; log.itemsQueried > most {
		t.Errorf("a report read %d items for %d members, more than %d", log.itemsQueried, 3*members, most)
	}
	t.Logf("a 30-day report of %d members read %d counter items in %v", 3*members, log.itemsQueried, counts)
}

// TestEarningWritesTwoCounterItems counts what the counters add to an
// earning's transaction: one shard of the day and one of all time.
func TestEarningWritesTwoCounterItems(t *testing.T) {
	t.Parallel()
	db := local(t)
	var log callLog
	s := dynamo.New(log.client(db), newTable(t, db))
	p := loyalty.NewProgram(s, storetest.NewClock(storetest.Start), nil)
	ctx := context.Background()
	en, err := p.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "M", Email: "m@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	log.reset()
	if _, err := p.Earn(ctx, loyalty.EarnRequest{MemberID: en.Member.ID, Amount: loyalty.Money{Value: 1000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R", Actor: storetest.Till}); err != nil {
		t.Fatal(err)
	}
	if len(log.writes) != 1 {
		t.Fatalf("an earning made %d transactions", len(log.writes))
	}
	counters := 0
	for _, it := range log.writes[0] {
		if it.Update != nil && strings.HasPrefix(it.Update.Key["PK"].(*types.AttributeValueMemberS).Value, "STATS#") {
			counters++
		}
	}
	if counters != 2 {
		t.Errorf("an earning's transaction updates %d counter items, want 2 (its day's shard and all time's)", counters)
	}
	t.Logf("an earning's transaction writes %d items, %d of them counters; DynamoDB Local reports %v write units", len(log.writes[0]), counters, log.units[0])
}
