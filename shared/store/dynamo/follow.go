package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Follow reads the table's stream from now on and hands each change of a
// member to handle, in order per shard, until ctx ends: what Lambda does for
// the pass updater in AWS, for the local stack on DynamoDB Local. A change
// that handle fails is handed over again after a pause.
func (s *Store) Follow(ctx context.Context, streams *dynamodbstreams.Client, handle func(ctx context.Context, before *loyalty.Member, after loyalty.Member) error) error {
	desc, err := s.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &s.table})
	if err != nil {
		return fmt.Errorf("follow stream of %s: %w", s.table, err)
	}
	if desc.Table.LatestStreamArn == nil {
		return fmt.Errorf("follow stream: table %s has no stream", s.table)
	}
	arn := desc.Table.LatestStreamArn
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

func handleRecord(ctx context.Context, rec streamtypes.Record, handle func(context.Context, *loyalty.Member, loyalty.Member) error) error {
	if rec.Dynamodb == nil {
		return nil
	}
	after, ok, err := apiMember(rec.Dynamodb.NewImage)
	if err != nil || !ok {
		return err
	}
	before, had, err := apiMember(rec.Dynamodb.OldImage)
	if err != nil {
		return err
	}
	if !had {
		return handle(ctx, nil, after)
	}
	return handle(ctx, &before, after)
}

// apiMember reads a member from an image of the streams API.
func apiMember(image map[string]streamtypes.AttributeValue) (loyalty.Member, bool, error) {
	var m loyalty.Member
	sk, _ := image["SK"].(*streamtypes.AttributeValueMemberS)
	if sk == nil || sk.Value != skProfile {
		return m, false, nil
	}
	item := make(map[string]types.AttributeValue, len(image))
	for k, v := range image {
		c, err := fromStreamsAPI(v)
		if err != nil {
			return m, false, err
		}
		item[k] = c
	}
	return m, true, unmarshal(item, &m)
}

func fromStreamsAPI(v streamtypes.AttributeValue) (types.AttributeValue, error) {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberN:
		return &types.AttributeValueMemberN{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberNULL:
		return &types.AttributeValueMemberNULL{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberBS:
		return &types.AttributeValueMemberBS{Value: v.Value}, nil
	case *streamtypes.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(v.Value))
		for i, e := range v.Value {
			c, err := fromStreamsAPI(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case *streamtypes.AttributeValueMemberM:
		out := make(map[string]types.AttributeValue, len(v.Value))
		for k, e := range v.Value {
			c, err := fromStreamsAPI(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	}
	return nil, fmt.Errorf("stream attribute of type %T", v)
}
