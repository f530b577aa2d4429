package wallet

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/memberstream"
)

// HandleStream is the pass updater's Lambda handler: each record is one
// change of an item, handed to Changed in order (memberstream.Handler).
func (u *Updater) HandleStream(read memberstream.MemberImage) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return memberstream.Handler(read, u.Changed, u.Logger, "pass update failed")
}
