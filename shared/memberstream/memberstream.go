// Package memberstream hands the changes of members on the table's stream to
// a consumer (the pass updater, the event publisher), one record at a time
// and in order. It links no AWS SDK: the image is read by a function the
// caller gives (store/dynamo's StreamMember). The same handler serves the
// local stack's follower of DynamoDB Local's stream.
package memberstream

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// MemberImage reads a member from a stream record's image; false when the
// image is not a member's.
type MemberImage func(map[string]events.DynamoDBAttributeValue) (loyalty.Member, bool, error)

// Changed takes one change of a member: before is nil for a new member.
type Changed func(ctx context.Context, before *loyalty.Member, after loyalty.Member) error

// Handler is a Lambda handler of the stream that hands each change of a
// member to changed (Records with Member).
func Handler(read MemberImage, changed Changed, logger *slog.Logger, failed string) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return Records(func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		return Member(ctx, read, changed, rec)
	}, logger, failed)
}

// Records is a Lambda handler of the stream that hands each record to
// handle, in order. A record that fails is reported by its SequenceNumber
// (ReportBatchItemFailures) with every record after it, so that Lambda
// hands them over again from it, keeping one member's changes in order,
// rather than the whole batch; failed names the failure in the log.
func Records(handle func(context.Context, events.DynamoDBEventRecord) error, logger *slog.Logger, failed string) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for i, rec := range ev.Records {
			if err := handle(ctx, rec); err != nil {
				logger.ErrorContext(ctx, failed, slog.String("sequenceNumber", rec.Change.SequenceNumber), slog.String("error", err.Error()))
				for _, later := range ev.Records[i:] {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: later.Change.SequenceNumber})
				}
				break
			}
		}
		return resp, nil
	}
}

// Member hands the change of a member in rec to changed; a record of
// another item is none.
func Member(ctx context.Context, read MemberImage, changed Changed, rec events.DynamoDBEventRecord) error {
	after, ok, err := read(rec.Change.NewImage)
	if err != nil || !ok {
		return err
	}
	before, had, err := read(rec.Change.OldImage)
	if err != nil {
		return err
	}
	if !had {
		return changed(ctx, nil, after)
	}
	return changed(ctx, &before, after)
}
