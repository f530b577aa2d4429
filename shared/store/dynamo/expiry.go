package dynamo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// expiryShards is how many GSI2 partition keys share the lots of a month's
// last day. Every lot earned in a month expires on that day
// (loyalty.Rules.LotExpiry), so the whole chain's earnings write its
// entries: at 10,000 earnings a second, 32 keys take about 313 writes a
// second each, under a third of a partition's 1,000, which leaves room for
// peaks three times that rate (16 keys would take 625, too near the limit for
// a burst). What it costs is 32 small queries to read the day instead of one.
const expiryShards = 32

// expiryShard is the shard of a member's lots: FNV-1a of the member id, which
// no Go release or process changes, so a put of a lot keeps its entry where
// it is.
func expiryShard(memberID string) int {
	h := fnv.New32a()
	h.Write([]byte(memberID))
	return int(h.Sum32() % expiryShards)
}

// monthEnd tells the days whose lots are sharded: the only days lots expire
// on under the rules. Any other day keeps one key, dayExpiryKey, read in one
// query, so a job reading every day pays the shards once a month.
func monthEnd(d loyalty.Date) bool { return d.AddDays(1).Day == 1 }

// expiryKey is the GSI2 partition key of a member's lot expiring on d.
func expiryKey(d loyalty.Date, memberID string) string {
	if !monthEnd(d) {
		return dayExpiryKey(d)
	}
	return shardExpiryKey(d, expiryShard(memberID))
}

func shardExpiryKey(d loyalty.Date, shard int) string { return fmt.Sprintf("EXP#%s#%02d", d, shard) }

// dayExpiryKey is the one key of a day that is not a month's last, and
// where the lots of every day were indexed before the sharding: ExpiringLots
// reads it after a month end's shards, so those lots still expire until a
// put of the lot or the migration to schema version 3 (ShardExpiryEntries)
// moves them to their shard, and whether or not that migration has run.
func dayExpiryKey(d loyalty.Date) string { return "EXP#" + d.String() }

// The steps of ExpiringLots' walk of a month end: each shard in order, then
// the day's one key; any other day has only that last step.
const dayStep = expiryShards

func stepKey(d loyalty.Date, step int) string {
	if step == dayStep {
		return dayExpiryKey(d)
	}
	return shardExpiryKey(d, step)
}

// ExpiringLots walks the day's keys in order. Its cursor is
// "<step>:<member id>": the step to go on in, after the member named, or
// from the step's start when none is.
func (s *Store) ExpiringLots(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	step, after, err := parseExpiryCursor(cursor)
	switch {
	case err != nil:
		return nil, "", err
	case monthEnd(day):
	case cursor != "" && step != dayStep:
		return nil, "", fmt.Errorf("%w: the cursor %q names a shard, and the lots expiring on %s have none", loyalty.ErrInvalid, cursor, day)
	default:
		step = dayStep
	}
	limit = store.PageLimit(limit)
	var ids []string
	for ; step <= dayStep; step, after = step+1, "" {
		items, next, err := s.queryIndex(ctx, "GSI2", stepKey(day, step), after, lotSK(day), limit-len(ids))
		if err != nil {
			return nil, "", fmt.Errorf("query lots expiring on %s: %w", day, err)
		}
		ids = append(ids, memberIDs(items, "GSI2SK")...)
		switch {
		case next != "":
			return ids, expiryCursor(step, next), nil
		case len(ids) == limit && step < dayStep:
			return ids, expiryCursor(step+1, ""), nil
		}
	}
	return ids, "", nil
}

func expiryCursor(step int, memberID string) string { return strconv.Itoa(step) + ":" + memberID }

// parseExpiryCursor refuses a cursor no page of ExpiringLots gave: a member
// named in a shard must belong to it.
func parseExpiryCursor(cursor string) (step int, memberID string, err error) {
	if cursor == "" {
		return 0, "", nil
	}
	bad := fmt.Errorf("%w: the cursor %q of lots expiring is not one a page gave", loyalty.ErrInvalid, cursor)
	n, memberID, ok := strings.Cut(cursor, ":")
	if !ok {
		return 0, "", bad
	}
	step, err = strconv.Atoi(n)
	switch {
	case err != nil || step < 0 || step > dayStep || strconv.Itoa(step) != n:
		return 0, "", bad
	case memberID != "" && (!loyalty.IsID(memberID) || step < dayStep && expiryShard(memberID) != step):
		return 0, "", bad
	}
	return step, memberID, nil
}

// ShardExpiryEntries moves the expiry entries of a member's lots that are not
// under the key expiryKey gives (a month end's lots put before the sharding,
// under the day's one key) to it, each on the condition that the entry is
// still where it was read: a put of the lot since (an earning, a spending)
// has moved it, and a lot gone has no entry to move.
func (s *Store) ShardExpiryEntries(ctx context.Context, memberID string, dryRun bool) (int, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :lot)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(memberPK(memberID)), ":lot": str("LOT#")},
		ProjectionExpression:      aws.String("SK, GSI2PK"),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("read the lots of %s: %w", memberID, err)
	}
	moved := 0
	for _, item := range out.Items {
		sk, _ := item["SK"].(*types.AttributeValueMemberS)
		indexed, _ := item["GSI2PK"].(*types.AttributeValueMemberS)
		if sk == nil || indexed == nil {
			continue
		}
		day, err := loyalty.ParseDate(strings.TrimPrefix(sk.Value, "LOT#"))
		if err != nil {
			return moved, fmt.Errorf("the lot %s of %s: %w", sk.Value, memberID, err)
		}
		want := expiryKey(day, memberID)
		if indexed.Value == want {
			continue
		}
		if !dryRun {
			_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:                 &s.table,
				Key:                       key(memberPK(memberID), sk.Value),
				UpdateExpression:          aws.String("SET GSI2PK = :want"),
				ConditionExpression:       aws.String("GSI2PK = :was"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":want": str(want), ":was": indexed},
			})
			var since *types.ConditionalCheckFailedException
			if errors.As(err, &since) {
				continue
			}
			if err != nil {
				return moved, fmt.Errorf("move the expiry entry of the lot %s of %s: %w", sk.Value, memberID, err)
			}
		}
		moved++
	}
	return moved, nil
}
