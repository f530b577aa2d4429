package dynamo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Campaigns are few: one partition lists them (`CAMPAIGNS` /
// `CAMPAIGN#<id>`). The pass updater counts each delivery's pushes on one
// of 16 shards of the campaign's own partition (`CAMPAIGN#<id>` /
// `PUSHES#nn`, by the member), so a fan-out of thousands of members a
// second does not write one item, and a page recorded never overwrites
// them. A card's notifying messages of a day are one item of its pass
// (`PASS#<serial>` / `MESSAGES#<day>`, the ids as a string set) that
// DynamoDB's TTL removes after two days.
const (
	pkCampaigns          = "CAMPAIGNS"
	campaignPrefix       = "CAMPAIGN#"
	campaignPushesPrefix = "PUSHES#"
	campaignPushShards   = 16
	cardMessagesPrefix   = "MESSAGES#"
)

func (s *Store) SaveCampaign(ctx context.Context, c loyalty.Campaign, audit loyalty.AuditEntry) error {
	item, err := marshal(c, pkCampaigns, campaignPrefix+c.ID)
	if err != nil {
		return fmt.Errorf("marshal campaign: %w", err)
	}
	return s.writeAudited(ctx, audit, nil, &types.Put{TableName: &s.table, Item: item})
}

func (s *Store) SaveCampaignOnce(ctx context.Context, c loyalty.Campaign, rec loyalty.IdempotencyRecord, audit loyalty.AuditEntry) error {
	item, err := marshal(c, pkCampaigns, campaignPrefix+c.ID)
	if err != nil {
		return fmt.Errorf("marshal campaign: %w", err)
	}
	keyed, err := s.idempotencyPut(rec)
	if err != nil {
		return err
	}
	return s.writeAudited(ctx, audit, []error{loyalty.ErrKeyTaken}, keyed, &types.Put{TableName: &s.table, Item: item})
}

func (s *Store) Campaign(ctx context.Context, id string) (loyalty.Campaign, error) {
	var c loyalty.Campaign
	if err := s.get(ctx, pkCampaigns, campaignPrefix+id, &c, loyalty.ErrCampaignNotFound); err != nil {
		return c, err
	}
	return c, s.addPushes(ctx, &c)
}

func (s *Store) Campaigns(ctx context.Context, limit int) ([]loyalty.Campaign, error) {
	limit = min(store.PageLimit(limit), store.MaxCampaigns)
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pkCampaigns), ":prefix": str(campaignPrefix)},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("query campaigns: %w", err)
	}
	cs := make([]loyalty.Campaign, len(out.Items))
	for i, item := range out.Items {
		if err := unmarshal(item, &cs[i]); err != nil {
			return nil, err
		}
		if err := s.addPushes(ctx, &cs[i]); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// addPushes sums the campaign's push shards into c.
func (s *Store) addPushes(ctx context.Context, c *loyalty.Campaign) error {
	c.Pushed, c.PushFailed = 0, 0
	err := s.query(ctx, campaignPrefix+c.ID, campaignPushesPrefix, true, func(item map[string]types.AttributeValue) error {
		var shard struct {
			Pushed int64 `json:"pushed"`
			Failed int64 `json:"failed"`
		}
		if err := unmarshal(item, &shard); err != nil {
			return err
		}
		c.Pushed += shard.Pushed
		c.PushFailed += shard.Failed
		return nil
	})
	if err != nil {
		return fmt.Errorf("query the pushes of campaign %s: %w", c.ID, err)
	}
	return nil
}

func (s *Store) AdvanceCampaign(ctx context.Context, c loyalty.Campaign, fromPages int64) error {
	c.Pushed, c.PushFailed = 0, 0 // counted apart
	item, err := marshal(c, pkCampaigns, campaignPrefix+c.ID)
	if err != nil {
		return fmt.Errorf("marshal campaign: %w", err)
	}
	return s.putAtPage(ctx, item, fromPages, "campaign "+c.ID)
}

// putAtPage writes a fan-out's progress (a campaign's or a card refresh's)
// if its stored item is still at page fromPages, so two workers advancing
// the same page cannot both succeed.
func (s *Store) putAtPage(ctx context.Context, item map[string]types.AttributeValue, fromPages int64, what string) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: item,
		ConditionExpression:       aws.String("pages = :from"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": num(fromPages)},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fmt.Errorf("%w: %s is no longer at page %d", loyalty.ErrVersionConflict, what, fromPages)
	}
	if err != nil {
		return fmt.Errorf("advance %s: %w", what, err)
	}
	return nil
}

func (s *Store) CountCampaignPushes(ctx context.Context, campaignID, memberID string, pushed, failed int64) error {
	h := fnv.New32a()
	h.Write([]byte(memberID))
	shard := fmt.Sprintf("%s%02d", campaignPushesPrefix, h.Sum32()%campaignPushShards)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(campaignPrefix+campaignID, shard),
		UpdateExpression:          aws.String("ADD pushed :p, failed :f"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": num(pushed), ":f": num(failed)},
	})
	if err != nil {
		return fmt.Errorf("count campaign pushes: %w", err)
	}
	return nil
}

func (s *Store) ClaimCardMessage(ctx context.Context, serial string, day loyalty.Date, messageID string, most int) (claimed, notify bool, err error) {
	k := key(passPK(serial), cardMessagesPrefix+day.String())
	values := map[string]types.AttributeValue{
		":ids": &types.AttributeValueMemberSS{Value: []string{messageID}}, ":id": str(messageID),
		":ttl": num(day.Time().AddDate(0, 0, 2).Unix()),
	}
	names := map[string]string{"#ttl": "ttl"}
	notYet := "(attribute_not_exists(ids) OR NOT contains(ids, :id))"
	// First with a notification, while the day has fewer than most; else
	// without; a message recorded before fails both.
	withNotify := maps.Clone(values)
	withNotify[":most"] = num(int64(most))
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: k, UpdateExpression: aws.String("ADD ids :ids, notified :ids SET #ttl = :ttl"),
		ConditionExpression:      aws.String(notYet + " AND (attribute_not_exists(notified) OR size(notified) < :most)"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: withNotify,
	})
	var failed *types.ConditionalCheckFailedException
	if err == nil {
		return true, true, nil
	}
	if !errors.As(err, &failed) {
		return false, false, fmt.Errorf("claim card message: %w", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: k, UpdateExpression: aws.String("ADD ids :ids SET #ttl = :ttl"),
		ConditionExpression: aws.String(notYet), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	if errors.As(err, &failed) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("claim card message: %w", err)
	}
	return true, false, nil
}

func (s *Store) ReleaseCardMessage(ctx context.Context, serial string, day loyalty.Date, messageID string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(passPK(serial), cardMessagesPrefix+day.String()),
		UpdateExpression:          aws.String("DELETE ids :ids, notified :ids"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":ids": &types.AttributeValueMemberSS{Value: []string{messageID}}},
	})
	if err != nil {
		return fmt.Errorf("release card message: %w", err)
	}
	return nil
}
