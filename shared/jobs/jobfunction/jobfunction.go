// Package jobfunction is the main of every scheduled job's Lambda function:
// the store alone, read when the first run comes.
package jobfunction

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/lazy"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/version"
)

// Start runs the job (jobs.NameBirthdays, …) as the Lambda function named
// function.
func Start(function, job string) {
	version.LogStart(function)
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The store alone: a job links neither the card machinery nor a secrets
	// client, and reads the table first when its first run comes.
	lambda.Start(lazy.Event(lazy.New(func(ctx context.Context) (lazy.Handler[jobs.Trigger, jobs.Summary], error) {
		s, err := dynamo.InLambda(cfg.DynamoDBEndpoint, cfg.Table)
		if err != nil {
			return nil, err
		}
		if err := s.Check(ctx); err != nil {
			return nil, err
		}
		return jobs.New(loyalty.NewProgram(s, nil, nil), s).Handler(job), nil
	})))
}
