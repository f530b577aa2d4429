package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Webhooks are few: one partition lists them (`WEBHOOKS` / `WEBHOOK#<id>`).
// A webhook's delivery log is its own partition (`WEBHOOK#<id>` /
// `DELIVERY#<key>`), kept deliveryTTL by DynamoDB's TTL.
const (
	pkWebhooks      = "WEBHOOKS"
	webhookPrefix   = "WEBHOOK#"
	deliveryPrefix  = "DELIVERY#"
	deliveryTTLDays = 30
)

func (s *Store) SaveWebhook(ctx context.Context, w loyalty.Webhook, audit loyalty.AuditEntry) error {
	item, err := marshal(w, pkWebhooks, webhookPrefix+w.ID)
	if err != nil {
		return fmt.Errorf("marshal webhook: %w", err)
	}
	return s.writeAudited(ctx, audit, nil, &types.Put{TableName: &s.table, Item: item})
}

func (s *Store) Webhook(ctx context.Context, id string) (loyalty.Webhook, error) {
	var w loyalty.Webhook
	return w, s.get(ctx, pkWebhooks, webhookPrefix+id, &w, loyalty.ErrWebhookNotFound)
}

func (s *Store) Webhooks(ctx context.Context) ([]loyalty.Webhook, error) {
	out, err := queryAll[loyalty.Webhook](ctx, s, pkWebhooks, webhookPrefix, true)
	if err != nil {
		return nil, fmt.Errorf("query webhooks: %w", err)
	}
	if out == nil {
		out = []loyalty.Webhook{}
	}
	return out, nil
}

func (s *Store) DeleteWebhook(ctx context.Context, id string, audit loyalty.AuditEntry) error {
	entry, err := auditItem(audit)
	if err != nil {
		return err
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{TableName: &s.table, Key: key(pkWebhooks, webhookPrefix+id), ConditionExpression: aws.String("attribute_exists(PK)")}},
		{Put: &types.Put{TableName: &s.table, Item: entry}},
	}})
	return transactionError(err, []error{loyalty.ErrWebhookNotFound})
}

func (s *Store) SaveDelivery(ctx context.Context, d loyalty.Delivery) error {
	item, err := marshal(d, webhookPrefix+d.WebhookID, deliveryPrefix+d.Key())
	if err != nil {
		return fmt.Errorf("marshal delivery: %w", err)
	}
	item["ttl"] = num(time.Now().AddDate(0, 0, deliveryTTLDays).Unix())
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("put delivery: %w", err)
	}
	return nil
}

func (s *Store) Delivery(ctx context.Context, webhookID, key string) (loyalty.Delivery, bool, error) {
	var d loyalty.Delivery
	err := s.get(ctx, webhookPrefix+webhookID, deliveryPrefix+key, &d, loyalty.ErrWebhookNotFound)
	if errors.Is(err, loyalty.ErrWebhookNotFound) {
		return d, false, nil
	}
	return d, err == nil, err
}

func (s *Store) Deliveries(ctx context.Context, webhookID, cursor string, limit int) ([]loyalty.Delivery, string, error) {
	limit = store.PageLimit(limit)
	cond := "PK = :pk AND begins_with(SK, :prefix)"
	values := map[string]types.AttributeValue{":pk": str(webhookPrefix + webhookID), ":prefix": str(deliveryPrefix)}
	if cursor != "" {
		cond = "PK = :pk AND SK BETWEEN :prefix AND :below"
		values[":below"] = str(deliveryPrefix + cursor)
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values,
		ScanIndexForward: aws.Bool(false), Limit: aws.Int32(int32(limit + 2)) /* the cursor's own item, and one to tell a next page */, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, "", fmt.Errorf("query deliveries: %w", err)
	}
	ds := make([]loyalty.Delivery, 0, len(out.Items))
	for _, item := range out.Items {
		var d loyalty.Delivery
		if err := unmarshal(item, &d); err != nil {
			return nil, "", err
		}
		if cursor != "" && d.Key() >= cursor {
			continue // BETWEEN includes the cursor's own item
		}
		ds = append(ds, d)
	}
	if len(ds) > limit {
		return ds[:limit], ds[limit-1].Key(), nil
	}
	return ds, "", nil
}
