// Package dynamostream follows the stream of a DynamoDB Local table for the
// local stack, as Lambda follows the table's stream in AWS: each record is
// handed over in the shape Lambda gives the pass updater and the event
// publisher, so that the same handlers read it. It is the only package that
// links the DynamoDB Streams client, which no function needs.
package dynamostream

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/fidelio/fidelio/shared/store/dynamo"
)

// Follow reads the stream of table on DynamoDB Local at endpoint from now on
// and hands each record to handle, in order per shard, until ctx ends. A
// record that handle fails is handed over again after a pause.
func Follow(ctx context.Context, endpoint, table string, handle func(context.Context, events.DynamoDBEventRecord) error) error {
	db, err := dynamo.Connect(ctx, endpoint)
	if err != nil {
		return err
	}
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return fmt.Errorf("follow stream of %s: %w", table, err)
	}
	if desc.Table.LatestStreamArn == nil {
		return fmt.Errorf("follow stream: table %s has no stream", table)
	}
	arn := desc.Table.LatestStreamArn
	streams := dynamodbstreams.NewFromConfig(dynamo.LocalConfig(), func(o *dynamodbstreams.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.Retryer = retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 8 })
	})
	iterators := map[string]*string{}
	start := streamtypes.ShardIteratorTypeLatest
	for ctx.Err() == nil {
		if len(iterators) == 0 {
			// New or split shards: read the ones not read yet from their start.
			out, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
			if err != nil {
				return fmt.Errorf("describe stream: %w", err)
			}
			for _, sh := range out.StreamDescription.Shards {
				it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: sh.ShardId, ShardIteratorType: start})
				if err != nil {
					return fmt.Errorf("shard iterator: %w", err)
				}
				iterators[*sh.ShardId] = it.ShardIterator
			}
			start = streamtypes.ShardIteratorTypeTrimHorizon
		}
		idle := true
		for shard, it := range iterators {
			out, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
			if err != nil {
				return fmt.Errorf("get records: %w", err)
			}
			for _, rec := range out.Records {
				idle = false
				for handleRecord(ctx, rec, handle) != nil && ctx.Err() == nil {
					time.Sleep(time.Second)
				}
			}
			if out.NextShardIterator == nil {
				delete(iterators, shard) // the shard closed; its children are read next
			} else {
				iterators[shard] = out.NextShardIterator
			}
		}
		if idle {
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

func handleRecord(ctx context.Context, rec streamtypes.Record, handle func(context.Context, events.DynamoDBEventRecord) error) error {
	if rec.Dynamodb == nil {
		return nil
	}
	newImage, err := lambdaImage(rec.Dynamodb.NewImage)
	if err != nil {
		return err
	}
	oldImage, err := lambdaImage(rec.Dynamodb.OldImage)
	if err != nil {
		return err
	}
	return handle(ctx, events.DynamoDBEventRecord{
		EventName: string(rec.EventName),
		Change:    events.DynamoDBStreamRecord{SequenceNumber: aws.ToString(rec.Dynamodb.SequenceNumber), NewImage: newImage, OldImage: oldImage},
	})
}

// lambdaImage converts an image of the streams API to the one Lambda gives.
func lambdaImage(image map[string]streamtypes.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	if image == nil {
		return nil, nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(image))
	for k, v := range image {
		c, err := lambdaValue(v)
		if err != nil {
			return nil, fmt.Errorf("stream image %s: %w", k, err)
		}
		out[k] = c
	}
	return out, nil
}

func lambdaValue(v streamtypes.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *streamtypes.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *streamtypes.AttributeValueMemberL:
		out := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			c, err := lambdaValue(e)
			if err != nil {
				return c, err
			}
			out[i] = c
		}
		return events.NewListAttribute(out), nil
	case *streamtypes.AttributeValueMemberM:
		out := make(map[string]events.DynamoDBAttributeValue, len(v.Value))
		for k, e := range v.Value {
			c, err := lambdaValue(e)
			if err != nil {
				return c, err
			}
			out[k] = c
		}
		return events.NewMapAttribute(out), nil
	}
	return events.DynamoDBAttributeValue{}, fmt.Errorf("stream attribute of type %T", v)
}
