// Command walletservice is the Wallet web service under the pass's webServiceURL: device registrations, the list of changed passes, the latest pass, logs.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wire"
	"github.com/fidelio/fidelio/shared/wire/apiwire"
)

func main() {
	version.LogStart("walletservice")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL, the table and the cards come with the first request.
	lambda.Start(apigateway.Wrap(apiwire.API(cfg, api.WalletService, wire.WithApplePasses)))
}
