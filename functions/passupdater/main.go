// Command passupdater keeps members' wallet cards current: for each change
// of a member on the table's stream that changes what the card shows, it
// pushes to the devices registered for the Apple pass and updates the
// Google Wallet object.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wire"
)

func main() {
	version.LogStart("passupdater")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL, the table and the cards come with the first batch.
	lambda.Start(wire.PassUpdater(cfg))
}
