package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// The jobs' queries on the sparse indexes. A GSI query cannot be consistent:
// an entry may be a moment stale, and the jobs read an account again,
// consistently, before they act on it. A page's cursor is the member id of
// its last item, from which the exclusive start key is rebuilt: each index
// holds a member once per partition, so the id alone says where a page ended.
// The expiry index is walked over several partitions a day, and its cursor
// names the partition too (expiry.go).

func (s *Store) BirthdayMembers(ctx context.Context, day loyalty.MonthDay, cursor string, limit int) ([]loyalty.Member, string, error) {
	items, next, err := s.queryIndex(ctx, "GSI1", birthdayKey(day), cursor, skProfile, limit)
	if err != nil {
		return nil, "", fmt.Errorf("query birthdays on %s: %w", day, err)
	}
	members := make([]loyalty.Member, len(items))
	for i, item := range items {
		if err := unmarshal(item, &members[i]); err != nil {
			return nil, "", fmt.Errorf("birthday index item: %w", err)
		}
	}
	return members, next, nil
}

func (s *Store) TierReviewsDue(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error) {
	items, next, err := s.queryIndex(ctx, "GSI3", dueKey(day, dueTierReview), cursor, skProfile, limit)
	if err != nil {
		return nil, "", fmt.Errorf("query tier reviews due on %s: %w", day, err)
	}
	return memberIDs(items, "GSI3SK"), next, nil
}

// queryIndex reads one page of an index partition, whose sort key is the
// member's PK; sk is the table sort key of the items the partition holds.
func (s *Store) queryIndex(ctx context.Context, index, partition, cursor, sk string, limit int) ([]map[string]types.AttributeValue, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": index + "PK"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(partition)},
		Limit:                     aws.Int32(int32(min(store.PageLimit(limit), 1000))),
	}
	if cursor != "" {
		in.ExclusiveStartKey = key(memberPK(cursor), sk)
		in.ExclusiveStartKey[index+"PK"], in.ExclusiveStartKey[index+"SK"] = str(partition), str(memberPK(cursor))
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if last, ok := out.LastEvaluatedKey[index+"SK"].(*types.AttributeValueMemberS); ok {
		next = strings.TrimPrefix(last.Value, "MEMBER#")
	}
	return out.Items, next, nil
}

func memberIDs(items []map[string]types.AttributeValue, attr string) []string {
	ids := make([]string, 0, len(items))
	for _, item := range items {
		if v, ok := item[attr].(*types.AttributeValueMemberS); ok {
			ids = append(ids, strings.TrimPrefix(v.Value, "MEMBER#"))
		}
	}
	return ids
}

// A job's watermark is one small item beside the program's settings.
func watermarkSK(job string) string { return "WATERMARK#" + job }

func (s *Store) JobWatermark(ctx context.Context, job string) (loyalty.Date, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pkProgram, watermarkSK(job)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return loyalty.Date{}, fmt.Errorf("read the watermark of %s: %w", job, err)
	}
	var day loyalty.Date
	if v, ok := out.Item["day"].(*types.AttributeValueMemberS); ok {
		err = day.UnmarshalText([]byte(v.Value))
	}
	return day, err
}

func (s *Store) SaveJobWatermark(ctx context.Context, job string, day loyalty.Date) error {
	item := key(pkProgram, watermarkSK(job))
	item["day"] = str(day.String())
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item:      item,
		// ISO dates order as strings.
		ConditionExpression:       aws.String("attribute_not_exists(#day) OR #day < :day"),
		ExpressionAttributeNames:  map[string]string{"#day": "day"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":day": item["day"]},
	})
	var moreRecent *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &moreRecent) {
		return fmt.Errorf("save the watermark of %s: %w", job, err)
	}
	return nil
}
