// Command members serves the customer-facing routes: enrollment, profile, ledger.
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
	version.LogStart("members")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL, the table and the mail come with the first
	// request; the cards themselves are the cards function's (their links
	// need only the configuration), so this one links no card machinery.
	lambda.Start(apigateway.Wrap(apiwire.API(cfg, api.Members, apiwire.WithMail)))
}
