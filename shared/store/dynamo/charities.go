package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Charities, their totals and the index of pledges.
//
//	PK                              SK                           item
//	CHARITIES                       CHARITY#<id>                 the charity (every one in one small partition, listed by a Query)
//	CHARITY#<id>                    SHARD#<nn>                   all-time totals, shard nn of loyalty.CharityShards
//	CHARITY#<id>                    MONTH#<YYYY-MM>#SHARD#<nn>   the month's totals, shard nn, with its donors and matched points
//	CHARITY#<id>                    MONTH#<YYYY-MM>#MATCHED      the month's matched points, counted once, against the cap
//	CHARITY#<id>#MONTH#<YYYY-MM>    DONOR#<member id>            what one member gave in the month
//	MEMBER#<id>                     PLAN                         GSI3 DUE#<YYYY-MM-DD>#donation: the member's next monthly gift
//
// A gift updates one shard of each period with ADD inside the member's
// TransactWriteItems, so thousands of donors giving at once spread over
// loyalty.CharityShards items instead of conflicting on one; a read of the
// totals is one Query of the shards. The MATCHED item is the one every
// matched gift of the month updates, conditioned on the room left under the
// cap: a hot key only while there is budget left, since gifts matched
// nothing once it is spent do not touch it. The PLAN item is an index entry only
// (the plan is on the member): the member item's GSI3 keys are its tier
// review's, and an item can be in an index once.
const (
	pkCharities  = "CHARITIES"
	skPlan       = "PLAN"
	dueDonation  = "donation"
	shardsAll    = "SHARD#"
	donorsPrefix = "DONOR#"
)

func charitySK(id string) string               { return "CHARITY#" + id }
func charityPK(id string) string               { return "CHARITY#" + id }
func shardSK(n int) string                     { return fmt.Sprintf("SHARD#%02d", n) }
func monthShardsPrefix(m loyalty.Month) string { return "MONTH#" + m.String() + "#SHARD#" }
func monthShardSK(m loyalty.Month, n int) string {
	return monthShardsPrefix(m) + fmt.Sprintf("%02d", n)
}
func monthMatchedSK(m loyalty.Month) string      { return "MONTH#" + m.String() + "#MATCHED" }
func donorsPK(id string, m loyalty.Month) string { return charityPK(id) + "#MONTH#" + m.String() }
func donorSK(memberID string) string             { return donorsPrefix + memberID }

// shardNumber is the shard a totals item is, -1 when it says none.
func shardNumber(item map[string]types.AttributeValue) int {
	if v, ok := item["shard"].(*types.AttributeValueMemberN); ok {
		if n, err := strconv.Atoi(v.Value); err == nil {
			return n
		}
	}
	return -1
}

func (s *Store) SaveCharity(ctx context.Context, c loyalty.Charity) error {
	return s.put(ctx, c, pkCharities, charitySK(c.ID))
}

func (s *Store) Charity(ctx context.Context, id string) (loyalty.Charity, error) {
	var c loyalty.Charity
	return c, s.get(ctx, pkCharities, charitySK(id), &c, loyalty.ErrCharityNotFound)
}

func (s *Store) Charities(ctx context.Context, activeOnly bool) ([]loyalty.Charity, error) {
	out := []loyalty.Charity{}
	err := s.query(ctx, pkCharities, "CHARITY#", false, func(item map[string]types.AttributeValue) error {
		var c loyalty.Charity
		if err := unmarshal(item, &c); err != nil {
			return err
		}
		if !activeOnly || !c.Archived {
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("query charities: %w", err)
	}
	store.SortCharities(out)
	return out, nil
}

func (s *Store) CharityMonthMatched(ctx context.Context, charityID string, month loyalty.Month) (int64, error) {
	var counter struct {
		Matched int64 `json:"matched"`
	}
	err := s.get(ctx, charityPK(charityID), monthMatchedSK(month), &counter, nil) // none yet: 0 matched
	return counter.Matched, err
}

func (s *Store) CharityTotal(ctx context.Context, charityID string) (loyalty.CharityTotals, error) {
	shards, err := s.shards(ctx, charityID, shardsAll)
	return store.SumShards(shards), err
}

func (s *Store) CharityMonth(ctx context.Context, charityID string, month loyalty.Month) (loyalty.CharityTotals, error) {
	shards, err := s.shards(ctx, charityID, monthShardsPrefix(month))
	return store.SumShards(shards), err
}

// shards reads the shards of a charity's period, whose sort keys begin with
// prefix, consistently.
func (s *Store) shards(ctx context.Context, charityID, prefix string) ([]loyalty.CharityTotals, error) {
	out := make([]loyalty.CharityTotals, loyalty.CharityShards)
	err := s.query(ctx, charityPK(charityID), prefix, true, func(item map[string]types.AttributeValue) error {
		n := shardNumber(item)
		if n < 0 || n >= len(out) {
			return fmt.Errorf("charity %s has a shard numbered %d", charityID, n)
		}
		return unmarshal(item, &out[n])
	})
	if err != nil {
		return nil, fmt.Errorf("query the shards of %s: %w", charityID, err)
	}
	return out, nil
}

func (s *Store) CharityDonors(ctx context.Context, charityID string, month loyalty.Month, cursor string, limit int) ([]loyalty.Donor, string, error) {
	pk := donorsPK(charityID, month)
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :donor)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":donor": str(donorsPrefix)},
		Limit:                     aws.Int32(int32(min(store.PageLimit(limit), 1000))),
		ConsistentRead:            aws.Bool(true),
	}
	if cursor != "" {
		in.ExclusiveStartKey = key(pk, donorSK(cursor))
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("query the donors of %s in %s: %w", charityID, month, err)
	}
	donors := make([]loyalty.Donor, len(out.Items))
	for i, item := range out.Items {
		if err := unmarshal(item, &donors[i]); err != nil {
			return nil, "", err
		}
	}
	next := ""
	if last, ok := out.LastEvaluatedKey["SK"].(*types.AttributeValueMemberS); ok {
		next = strings.TrimPrefix(last.Value, donorsPrefix)
	}
	return donors, next, nil
}

func (s *Store) PledgesDue(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	items, next, err := s.queryIndex(ctx, "GSI3", dueKey(day, dueDonation), cursor, skPlan, limit)
	if err != nil {
		return nil, "", fmt.Errorf("query pledges due on %s: %w", day, err)
	}
	return memberIDs(items, "GSI3SK"), next, nil
}

// query reads every item of a partition whose sort key begins with prefix.
// queryAll reads every item of a partition whose sort key has prefix.
func queryAll[T any](ctx context.Context, s *Store, pk, prefix string, consistent bool) ([]T, error) {
	var out []T
	err := s.query(ctx, pk, prefix, consistent, func(item map[string]types.AttributeValue) error {
		var v T
		if err := unmarshal(item, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

func (s *Store) query(ctx context.Context, pk, prefix string, consistent bool, each func(map[string]types.AttributeValue) error) error {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":prefix": str(prefix)},
		ConsistentRead:            aws.Bool(consistent),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			if err := each(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// giftItems are the updates of a gift to its charity's totals, for the
// member's transaction: the all-time shard, the month's shard and the
// member's line of the month, each an ADD so that gifts at once add up
// rather than overwrite; and when the gift is matched, the month's matched
// counter, conditioned on the room left under the cap. Its failure means
// other gifts took the budget meanwhile, and the gift is decided again.
func (s *Store) giftItems(memberID string, g loyalty.DonationPosting) []types.TransactWriteItem {
	add := func(k map[string]types.AttributeValue, set map[string]types.AttributeValue, donors bool) *types.Update {
		names := map[string]string{"#points": "points", "#matched": "matched", "#gifts": "gifts"}
		values := map[string]types.AttributeValue{":points": num(g.Points), ":matched": num(g.Matched), ":one": num(1)}
		expr := "ADD #points :points, #matched :matched, #gifts :one"
		if donors {
			names["#donors"] = "donors"
			values[":donors"] = num(0)
			if g.NewDonor {
				values[":donors"] = num(1)
			}
			expr += ", #donors :donors"
		}
		var sets []string
		for name, v := range set {
			names["#"+name], values[":"+name] = name, v
			sets = append(sets, "#"+name+" = :"+name)
		}
		if len(sets) > 0 {
			expr += " SET " + strings.Join(sets, ", ")
		}
		return &types.Update{TableName: &s.table, Key: k, UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values}
	}
	shard := map[string]types.AttributeValue{"shard": num(int64(g.Shard)), "charityId": str(g.CharityID)}
	all := add(key(charityPK(g.CharityID), shardSK(g.Shard)), shard, false)
	shard["month"] = str(g.Month.String())
	month := add(key(charityPK(g.CharityID), monthShardSK(g.Month, g.Shard)), shard, true)
	donor := add(key(donorsPK(g.CharityID, g.Month), donorSK(memberID)), map[string]types.AttributeValue{"memberId": str(memberID)}, false)
	items := []types.TransactWriteItem{{Update: all}, {Update: month}, {Update: donor}}
	if g.Matched > 0 {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                 &s.table,
			Key:                       key(charityPK(g.CharityID), monthMatchedSK(g.Month)),
			UpdateExpression:          aws.String("ADD #matched :matched"),
			ConditionExpression:       aws.String("attribute_not_exists(#matched) OR #matched <= :most"),
			ExpressionAttributeNames:  map[string]string{"#matched": "matched"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":matched": num(g.Matched), ":most": num(g.MatchedAtMost)},
		}})
	}
	return items
}
