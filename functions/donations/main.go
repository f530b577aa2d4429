// Command donations carries out members' donation plans, daily before the expiry job: monthly pledges, and points about to expire given instead of lost.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/wire"
)

func main() {
	ctx := context.Background()
	cfg, err := config.Load(ctx)
	if err != nil {
		log.Fatal(err)
	}
	runner, err := wire.Jobs(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(runner.Handler(jobs.NameDonations))
}
