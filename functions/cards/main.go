// Command cards serves the routes that draw, build or sign a member's card:
// the Apple pass, the QR code and card images, the Google save link and the
// images Google fetches, the printed card (PDF), and the logo they carry. It
// is the one HTTP function that links the card machinery (the fonts, the
// drawing, the pass signing, Google's client, the PDF library), so that
// members and admin stay lean.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wallet/pdfcard"
	"github.com/fidelio/fidelio/shared/wire"
	"github.com/fidelio/fidelio/shared/wire/apiwire"
)

func main() {
	version.LogStart("cards")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL, the table and the cards come with the
	// first request.
	lambda.Start(apigateway.Wrap(apiwire.API(cfg, api.Cards, wire.WithCards, printCard)))
}

func printCard(_ context.Context, cfg config.Config, d *api.Deps) error {
	d.PrintCard = pdfcard.Printer(cfg.ProgramName)
	return nil
}
