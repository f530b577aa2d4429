// Command staff serves the till: scans, earnings, redemptions, reversals.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wire"
)

func main() {
	version.LogStart("staff")
	ctx := context.Background()
	cfg, err := config.Load(ctx) // env and secrets read once per cold start
	if err != nil {
		config.Fatal(err)
	}
	app, err := wire.API(ctx, cfg, "staff")
	if err != nil {
		config.Fatal(err)
	}
	lambda.Start(apigateway.Wrap(app)) // events.APIGatewayV2HTTPRequest in, response out
}
