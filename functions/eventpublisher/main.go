// Command eventpublisher sends the program's business events out: for each
// change of a member on the table's stream, it puts the change's events on
// the EventBridge bus the template makes and delivers them to the
// operator's webhooks, signed (shared/publish).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/awsenv"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/lazy"
	"github.com/fidelio/fidelio/shared/logs"
	"github.com/fidelio/fidelio/shared/publish"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/version"
)

func main() {
	version.LogStart("eventpublisher")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	bus := os.Getenv("FIDELIO_EVENT_BUS")
	// The table and the bus: no secret, no card machinery.
	lambda.Start(lazy.Event(lazy.New(func(ctx context.Context) (lazy.Handler[events.DynamoDBEvent, events.DynamoDBEventResponse], error) {
		s, err := dynamo.InLambda(cfg.DynamoDBEndpoint, cfg.Table)
		if err != nil {
			return nil, err
		}
		if err := s.Check(ctx); err != nil {
			return nil, err
		}
		logger := logs.Default()
		p := &publish.Publisher{Ledger: s, Hooks: publish.NewHooks(s, logger, false), Logger: logger}
		if bus != "" {
			aws, err := awsenv.Load()
			if err != nil {
				return nil, err
			}
			p.Bus = publish.NewEventBridge(aws, bus)
		}
		return p.HandleStream(dynamo.StreamMember), nil
	})))
}
