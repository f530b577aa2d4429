package wallet

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/memberstream"
)

// RulesImage reads the program's rules from a stream record's image; false
// when the image is of another item (store/dynamo's StreamRules).
type RulesImage func(map[string]events.DynamoDBAttributeValue) (loyalty.Rules, bool, error)

// HandleStream is the pass updater's Lambda handler: each record, in order,
// is a change of a member, handed to Changed, or of the program's rules,
// handed to ProgramSaved (memberstream.Records).
func (u *Updater) HandleStream(member memberstream.MemberImage, rules RulesImage) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return memberstream.Records(u.Record(member, rules), u.Logger, "pass update failed")
}

// Record hands one record of the stream to ProgramSaved or Changed.
func (u *Updater) Record(member memberstream.MemberImage, rules RulesImage) func(context.Context, events.DynamoDBEventRecord) error {
	return func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		saved, ok, err := rules(rec.Change.NewImage)
		if err != nil {
			return err
		}
		if ok {
			return u.ProgramSaved(ctx, saved)
		}
		return memberstream.Member(ctx, member, u.Changed, rec)
	}
}
