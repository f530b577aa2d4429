// Command expiry expires what is left of lots past their date, daily.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/version"
)

func main() {
	version.LogStart("expiry")
	ctx := context.Background()
	cfg, err := config.Load(ctx)
	if err != nil {
		config.Fatal(err)
	}
	// The store alone: a job function carries none of the card-drawing code.
	s, err := dynamo.Open(ctx, cfg.DynamoDBEndpoint, cfg.Table)
	if err != nil {
		config.Fatal(err)
	}
	runner := jobs.New(loyalty.NewProgram(s, nil, nil), s)
	lambda.Start(runner.Handler(jobs.NameExpiry))
}
