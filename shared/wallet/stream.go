package wallet

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// MemberImage reads a member from a stream record's image (store/dynamo's
// StreamMember), kept behind a function so this package needs no SDK.
type MemberImage func(map[string]events.DynamoDBAttributeValue) (loyalty.Member, bool, error)

// HandleStream is the pass updater's Lambda handler: each record is one
// change of an item. A record that fails is reported by its SequenceNumber
// (ReportBatchItemFailures), so Lambda retries from it rather than the
// whole batch; the records after it are reported too, to keep one member's
// changes in order.
func (u *Updater) HandleStream(read MemberImage) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for i, rec := range ev.Records {
			if err := u.record(ctx, read, rec); err != nil {
				u.Logger.ErrorContext(ctx, "pass update failed", slog.String("sequenceNumber", rec.Change.SequenceNumber), slog.String("error", err.Error()))
				for _, later := range ev.Records[i:] {
					resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: later.Change.SequenceNumber})
				}
				break
			}
		}
		return resp, nil
	}
}

func (u *Updater) record(ctx context.Context, read MemberImage, rec events.DynamoDBEventRecord) error {
	after, ok, err := read(rec.Change.NewImage)
	if err != nil || !ok {
		return err
	}
	before, had, err := read(rec.Change.OldImage)
	if err != nil {
		return err
	}
	if !had {
		return u.Changed(ctx, nil, after)
	}
	return u.Changed(ctx, &before, after)
}
