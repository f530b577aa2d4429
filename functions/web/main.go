// Command web serves the pages people touch: joining the program (/) and
// the staff's till (/staff), embedded in the binary. The pages call the API
// from the browser, so this function needs no store and no secret: its cold
// start reads nothing over the network.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/version"
)

func main() {
	version.LogStart("web")
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	app, err := api.New(api.Deps{Logger: logger}, "web")
	if err != nil {
		logger.Error("cannot start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(app.HandleHTTP)
}
