// Command campaigns does campaigns' fan-outs: each message of the campaign
// queue is a page of members to deliver a campaign to (shared/campaigns).
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/awsenv"
	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/lazy"
	"github.com/fidelio/fidelio/shared/logs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/version"
)

func main() {
	version.LogStart("campaigns")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	queue := os.Getenv("FIDELIO_CAMPAIGN_QUEUE")
	// The table and the queue: no secret, no card machinery (the pass
	// updater tells the phones, from the stream).
	lambda.Start(lazy.Event(lazy.New(func(ctx context.Context) (lazy.Handler[events.SQSEvent, events.SQSEventResponse], error) {
		s, err := dynamo.InLambda(cfg.DynamoDBEndpoint, cfg.Table)
		if err != nil {
			return nil, err
		}
		if err := s.Check(ctx); err != nil {
			return nil, err
		}
		aws, err := awsenv.Load()
		if err != nil {
			return nil, err
		}
		f := &campaigns.Fanout{
			Store: s, Program: loyalty.NewProgram(s, nil, nil), Queue: &campaigns.SQS{Config: aws, QueueURL: queue, Client: http.DefaultClient},
			PageSize: campaigns.PageSize, Workers: campaigns.Workers, Logger: logs.Default(),
		}
		return f.HandleSQS, nil
	})))
}
