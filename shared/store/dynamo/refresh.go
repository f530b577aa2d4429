package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Card refreshes are one partition (`REFRESHES` / `REFRESH#<id>`): one per
// change of the rules, of a store, or bound of a promotion.
const (
	pkRefreshes   = "REFRESHES"
	refreshPrefix = "REFRESH#"
)

func (s *Store) SaveCardRefresh(ctx context.Context, r loyalty.CardRefresh) (bool, error) {
	item, err := marshal(r, pkRefreshes, refreshPrefix+r.ID)
	if err != nil {
		return false, fmt.Errorf("marshal card refresh: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("save card refresh: %w", err)
	}
	return true, nil
}

func (s *Store) CardRefresh(ctx context.Context, id string) (loyalty.CardRefresh, error) {
	var r loyalty.CardRefresh
	err := s.get(ctx, pkRefreshes, refreshPrefix+id, &r, loyalty.ErrRefreshNotFound)
	return r, err
}

func (s *Store) AdvanceCardRefresh(ctx context.Context, r loyalty.CardRefresh, fromPages int64) error {
	item, err := marshal(r, pkRefreshes, refreshPrefix+r.ID)
	if err != nil {
		return fmt.Errorf("marshal card refresh: %w", err)
	}
	return s.putAtPage(ctx, item, fromPages, "card refresh "+r.ID)
}

// UnfinishedCardRefreshes reads the partition: the local stack's start is
// its only reader.
func (s *Store) UnfinishedCardRefreshes(ctx context.Context) ([]loyalty.CardRefresh, error) {
	out := []loyalty.CardRefresh{}
	in := &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: aws.String("PK = :pk"), FilterExpression: aws.String("attribute_not_exists(finishedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pkRefreshes)}, ConsistentRead: aws.Bool(true),
	}
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query card refreshes: %w", err)
		}
		for _, item := range page.Items {
			var r loyalty.CardRefresh
			if err := unmarshal(item, &r); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if page.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
