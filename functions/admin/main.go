// Command admin serves the operator's routes: staff keys, rewards, program rules, member search, adjustments, jobs, campaigns.
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/awsenv"
	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wire/apiwire"
)

func main() {
	version.LogStart("admin")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL and the table come with the first request;
	// the logo and the printed card are the cards function's, so this one
	// links no card machinery.
	lambda.Start(apigateway.Wrap(apiwire.API(cfg, api.Admin, startCampaigns)))
}

// startCampaigns sends a new campaign's first page, and a card refresh's,
// to the campaigns function's queue.
func startCampaigns(_ context.Context, _ config.Config, d *api.Deps) error {
	aws, err := awsenv.Load()
	if err != nil {
		return err
	}
	f := &campaigns.Fanout{Program: d.Program, Queue: &campaigns.SQS{Config: aws, QueueURL: os.Getenv("FIDELIO_CAMPAIGN_QUEUE"), Client: http.DefaultClient}}
	d.StartCampaign = f.Start
	d.RefreshCards = func(ctx context.Context, r loyalty.CardRefresh) error { return f.StartRefresh(ctx, d.Store, r) }
	return nil
}
