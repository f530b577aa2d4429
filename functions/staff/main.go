// Command staff serves the till: scans, earnings, redemptions, reversals.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wire/apiwire"
)

func main() {
	version.LogStart("staff")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL and the table come with the first request;
	// the till's routes draw no card, so this function links no card
	// machinery.
	lambda.Start(apigateway.Wrap(apiwire.API(cfg, api.Staff)))
}
