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

// Promotions are few: one partition lists them (`PROMOTIONS` /
// `PROMOTION#<id>`), which each instance reads at most once per
// loyalty.RulesMaxAge.
const (
	pkPromotions    = "PROMOTIONS"
	promotionPrefix = "PROMOTION#"
)

func (s *Store) CreatePromotion(ctx context.Context, p loyalty.Promotion, audit loyalty.AuditEntry) error {
	item, err := marshal(p, pkPromotions, promotionPrefix+p.ID)
	if err != nil {
		return fmt.Errorf("marshal promotion: %w", err)
	}
	put := &types.Put{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}
	return s.writeAudited(ctx, audit, []error{loyalty.ErrPromotionExists}, put)
}

func (s *Store) Promotion(ctx context.Context, id string) (loyalty.Promotion, error) {
	var p loyalty.Promotion
	return p, s.get(ctx, pkPromotions, promotionPrefix+id, &p, loyalty.ErrPromotionNotFound)
}

func (s *Store) Promotions(ctx context.Context) ([]loyalty.Promotion, error) {
	out, err := queryAll[loyalty.Promotion](ctx, s, pkPromotions, promotionPrefix, true)
	if err != nil {
		return nil, fmt.Errorf("query promotions: %w", err)
	}
	if out == nil {
		out = []loyalty.Promotion{}
	}
	return out, nil
}

// EndPromotion writes the end on the condition that the promotion's end is
// still the one read, so that of two operators ending it at once, one ends
// it and is audited, and the other is told how it ended.
func (s *Store) EndPromotion(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.Promotion, error) {
	for {
		read, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pkPromotions, promotionPrefix+id), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return loyalty.Promotion{}, fmt.Errorf("get promotion: %w", err)
		}
		if read.Item == nil {
			return loyalty.Promotion{}, loyalty.ErrPromotionNotFound
		}
		var p loyalty.Promotion
		if err := unmarshal(read.Item, &p); err != nil {
			return loyalty.Promotion{}, err
		}
		ended, changed := p.Ended(audit.At)
		if !changed {
			return p, nil
		}
		item, err := marshal(ended, pkPromotions, promotionPrefix+id)
		if err != nil {
			return loyalty.Promotion{}, fmt.Errorf("marshal promotion: %w", err)
		}
		put := &types.Put{TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(endedAt)")}
		if prev, ok := read.Item["endedAt"]; ok {
			put.ConditionExpression = aws.String("endedAt = :prev")
			put.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": prev}
		}
		err = s.writeAudited(ctx, audit, []error{errEndRaced}, put)
		if !errors.Is(err, errEndRaced) && !errors.Is(err, loyalty.ErrVersionConflict) {
			return ended, err
		}
	}
}

// errEndRaced: another end was written between the read and the write.
var errEndRaced = errors.New("promotion ended meanwhile")
