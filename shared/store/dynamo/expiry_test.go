package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// expiringTable enrolls n members, whose welcome lots all expire on
// 2027-11-30, and returns the store, its table and the members' ids.
func expiringTable(t *testing.T, db *dynamodb.Client, n int) (*dynamo.Store, string, []string) {
	t.Helper()
	table := newTable(t, db)
	s := dynamo.New(db, table)
	p := loyalty.NewProgram(s, storetest.NewClock(storetest.Start), nil)
	var ids []string
	for i := range n {
		en, err := p.Enroll(context.Background(), loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: fmt.Sprintf("m%d@example.com", i)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, en.Member.ID)
	}
	return s, table, ids
}

func lotKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "MEMBER#" + id},
		"SK": &types.AttributeValueMemberS{Value: "LOT#2027-11-30"},
	}
}

func expiryPartition(t *testing.T, db *dynamodb.Client, table, id string) string {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &table, Key: lotKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := out.Item["GSI2PK"].(*types.AttributeValueMemberS)
	if pk == nil {
		t.Fatalf("the lot of %s has no GSI2PK: %v", id, out.Item)
	}
	return pk.Value
}

func TestLotsExpiringOnOneDaySpreadOverManyIndexPartitions(t *testing.T) {
	t.Parallel()
	db := local(t)
	_, table, ids := expiringTable(t, db, 64)
	sharded := regexp.MustCompile(`^EXP#2027-11-30#([0-2][0-9]|3[01])$`)
	keys := map[string]int{}
	for _, id := range ids {
		pk := expiryPartition(t, db, table, id)
		if !sharded.MatchString(pk) {
			t.Fatalf("the lot of %s is indexed under %q, want EXP#2027-11-30#<shard 00-31>", id, pk)
		}
		if again := expiryPartition(t, db, table, id); again != pk {
			t.Fatalf("the lot of %s moved from %q to %q", id, pk, again)
		}
		keys[pk]++
	}
	// 64 random ids over 32 shards fill about 28 of them; fewer than 16 has a
	// chance below one in a billion.
	if len(keys) < 16 {
		t.Fatalf("64 members' lots of one day share %d index partition keys: %v", len(keys), keys)
	}
}

// Only a month's last day, the day every lot expires on, is sharded: a lot of
// any other day is under the day's one key, listed with one query.
func TestALotOfAnotherDayKeepsTheDaysOneKey(t *testing.T) {
	t.Parallel()
	db := local(t)
	s, table, ids := expiringTable(t, db, 1)
	ctx := context.Background()
	acct, err := s.LoadAccount(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	m := acct.Member
	m.Version++
	m.Balance += 10
	mid := loyalty.Date{Year: 2027, Month: time.November, Day: 15}
	if err := s.Commit(ctx, loyalty.Posting{Member: m, PrevVersion: acct.Member.Version, Lots: []loyalty.Lot{{ExpiresOn: mid, Remaining: 10}}}); err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "MEMBER#" + ids[0]},
		"SK": &types.AttributeValueMemberS{Value: "LOT#2027-11-15"},
	}, ConsistentRead: aws.Bool(true)})
	if pk, _ := out.Item["GSI2PK"].(*types.AttributeValueMemberS); err != nil || pk == nil || pk.Value != "EXP#2027-11-15" {
		t.Fatalf("a lot expiring mid-month is indexed under %v, %v; want EXP#2027-11-15", out.Item["GSI2PK"], err)
	}
	if got, next, err := s.ExpiringLots(ctx, mid, "", 10); err != nil || fmt.Sprint(got) != fmt.Sprint(ids) || next != "" {
		t.Fatalf("lots expiring on %s = %v, %q, %v; want %v", mid, got, next, err, ids)
	}
}

// The lots written before the sharding are indexed under EXP#<day> alone:
// they are still listed, and expired once.
func TestLotsIndexedBeforeTheShardingStillExpire(t *testing.T) {
	t.Parallel()
	db := local(t)
	s, table, ids := expiringTable(t, db, 12)
	legacy := ids[:5]
	for _, id := range legacy {
		_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
			TableName:                 &table,
			Key:                       lotKey(id),
			UpdateExpression:          aws.String("SET GSI2PK = :legacy"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":legacy": &types.AttributeValueMemberS{Value: "EXP#2027-11-30"}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var listed []string
	for cursor := ""; ; {
		page, next, err := s.ExpiringLots(context.Background(), loyalty.Date{Year: 2027, Month: time.November, Day: 30}, cursor, 2)
		if err != nil || len(page) > 2 {
			t.Fatalf("page after %q = %v, %v", cursor, page, err)
		}
		listed = append(listed, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	slices.Sort(listed)
	slices.Sort(ids)
	if fmt.Sprint(listed) != fmt.Sprint(ids) {
		t.Fatalf("listed %v, want every member, those of the old key too: %v", listed, ids)
	}

	at := time.Date(2027, time.December, 1, 0, 5, 0, 0, time.UTC)
	runner := jobs.New(loyalty.NewProgram(s, storetest.NewClock(at), nil), s)
	runner.PageSize = 2
	sum, err := runner.Run(context.Background(), jobs.NameExpiry, at)
	if err != nil || sum.Changed != len(ids) {
		t.Fatalf("expiry run = %+v, %v; want all %d lots expired", sum, err, len(ids))
	}
	if again, err := runner.Run(context.Background(), jobs.NameExpiry, at); err != nil || again.Changed != 0 {
		t.Fatalf("a rerun = %+v, %v; want nothing changed", again, err)
	}
}

func TestExpiringLotsRefusesACursorNoPageGave(t *testing.T) {
	t.Parallel()
	db := local(t)
	s, _, ids := expiringTable(t, db, 3)
	day := loyalty.Date{Year: 2027, Month: time.November, Day: 30}
	page, next, err := s.ExpiringLots(context.Background(), day, "", 1)
	if err != nil || len(page) != 1 || next == "" {
		t.Fatalf("first page = %v, %q, %v", page, next, err)
	}
	if _, _, err := s.ExpiringLots(context.Background(), day, next, 1); err != nil {
		t.Fatalf("the cursor of a page %q: %v", next, err)
	}
	other := ""
	for shard := range 32 {
		if c := fmt.Sprintf("%d:%s", shard, page[0]); c != next {
			other = c
			break
		}
	}
	for _, bad := range []string{page[0], "x", ":", "-1:", "33:", "01:", "7:not-an-id", other, ids[1] + ":0"} {
		if _, _, err := s.ExpiringLots(context.Background(), day, bad, 1); !errors.Is(err, loyalty.ErrInvalid) {
			t.Errorf("cursor %q: %v, want loyalty.ErrInvalid", bad, err)
		}
	}
	// A day other than a month's last has no shards: a cursor naming one
	// comes from another day's pages.
	if _, _, err := s.ExpiringLots(context.Background(), day.AddDays(-1), next, 1); !errors.Is(err, loyalty.ErrInvalid) {
		t.Errorf("cursor %q of a month end on the day before: %v, want loyalty.ErrInvalid", next, err)
	}
}

// failingShards fails the move of every member's entries after the first after.
type failingShards struct {
	store.Store
	after, done int
}

func (f *failingShards) ShardExpiryEntries(ctx context.Context, id string, dryRun bool) (int, error) {
	if f.done == f.after {
		return 0, errors.New("the table is out of reach")
	}
	f.done++
	return f.Store.ShardExpiryEntries(ctx, id, dryRun)
}

// TestMigrationMovesTheExpiryEntriesToTheirShards migrates a table written
// in schema 1, whose six lots of 2027-11-30 are under EXP#2027-11-30: a dry
// run counts them and moves none, a run that fails half-way is taken up from
// where it stopped, and every entry ends on its shard.
func TestMigrationMovesTheExpiryEntriesToTheirShards(t *testing.T) {
	t.Parallel()
	db := local(t)
	table := newTable(t, db)
	loadItems(t, db, table, "testdata/schema1.golden")
	s := dynamo.New(db, table)
	ids := []string{"01M83XJ8800000000000000001", "01M84103W00000000000000001", "01M84103W00000000000000004", "01M84103W00000000000000007", "01M84103W0000000000000000A", "01M84103W0000000000000000D"}
	sharded := regexp.MustCompile(`^EXP#2027-11-30#([0-2][0-9]|3[01])$`)
	onShards := func() int {
		n := 0
		for _, id := range ids {
			switch pk := expiryPartition(t, db, table, id); {
			case sharded.MatchString(pk):
				n++
			case pk != "EXP#2027-11-30":
				t.Fatalf("the lot of %s is indexed under %q", id, pk)
			}
		}
		return n
	}
	if n := onShards(); n != 0 {
		t.Fatalf("%d lots of the fixture are on shards before the migration", n)
	}
	runner := jobs.New(loyalty.NewProgram(s, storetest.NewClock(storetest.Start), nil), s)
	runner.PageSize, runner.Workers = 1, 1

	dry, err := runner.Migrate(context.Background(), s, true)
	if err != nil || len(dry.Migrations) != store.SchemaVersion-1 {
		t.Fatalf("dry run = %+v, %v; want a migration to each version from 2", dry, err)
	}
	if c := dry.Migrations[1]; c.Version != 3 || c.Examined != 6 || c.Changed != 6 || c.Items != 6 {
		t.Fatalf("the dry run of the migration to 3 counted %+v, want 6 members and 6 entries", c)
	}
	if n := onShards(); n != 0 {
		t.Fatalf("the dry run moved %d entries", n)
	}

	first, err := runner.Migrate(context.Background(), &failingShards{Store: s, after: 3}, false)
	if err == nil || !first.Unfinished || first.To != 2 {
		t.Fatalf("a run whose fourth move fails = %+v, %v; want it unfinished at version 2", first, err)
	}
	if n := onShards(); n != 3 {
		t.Fatalf("the interrupted run moved %d entries, want 3", n)
	}
	rest, err := runner.Migrate(context.Background(), s, false)
	if err != nil || rest.From != 2 || rest.To != store.SchemaVersion || len(rest.Migrations) != store.SchemaVersion-2 {
		t.Fatalf("the resumed run = %+v, %v; want 2 → %d", rest, err, store.SchemaVersion)
	}
	if moved := first.Migrations[1].Items + rest.Migrations[0].Items; moved != 6 {
		t.Fatalf("the runs moved %d entries in all, want 6", moved)
	}
	if n := onShards(); n != 6 {
		t.Fatalf("%d of 6 entries on their shards after the migration", n)
	}
}
