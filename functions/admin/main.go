// Command admin serves the operator's routes: staff keys, rewards, program rules, member search, adjustments, jobs.
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
	version.LogStart("admin")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL and the table come with the first request,
	// with what a saved logo or name needs (the Google Wallet classes) but no pass
	// builder; the printed card is the one function that links the PDF
	// library.
	lambda.Start(apigateway.Wrap(apiwire.API(cfg, api.Admin, wire.WithGoogleClasses, printCard)))
}

func printCard(_ context.Context, cfg config.Config, d *api.Deps) error {
	d.PrintCard = pdfcard.Printer(cfg.ProgramName)
	return nil
}
