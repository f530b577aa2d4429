// Command passupdater keeps members' wallet cards current: for each change
// of a member on the table's stream that changes what the card shows, it
// pushes to the devices registered for the Apple pass and updates the
// Google Wallet object.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wire"
)

func main() {
	version.LogStart("passupdater")
	ctx := context.Background()
	cfg, err := config.Load(ctx)
	if err != nil {
		config.Fatal(err)
	}
	updater, err := wire.Updater(ctx, cfg)
	if err != nil {
		config.Fatal(err)
	}
	lambda.Start(updater.HandleStream(dynamo.StreamMember))
}
