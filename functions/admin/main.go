// Command admin serves the operator's routes: staff keys, rewards, program rules, member search, adjustments, jobs.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wallet/pdfcard"
	"github.com/fidelio/fidelio/shared/wire"
)

func main() {
	version.LogStart("admin")
	cfg, err := config.FromEnv() // the environment alone: no network call at start
	if err != nil {
		config.Fatal(err)
	}
	// The secret, the public URL, the table and the cards come with the first
	// request; the printed card is the one function that links the PDF library.
	lambda.Start(apigateway.Wrap(wire.API(cfg, "admin", func(d *api.Deps) { d.PrintCard = pdfcard.Printer(cfg.ProgramName) })))
}
