// Command web serves the pages people touch: joining the program (/) and
// the staff's till (/staff), embedded in the binary.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/wire"
)

func main() {
	ctx := context.Background()
	cfg, err := config.Load(ctx)
	if err != nil {
		log.Fatal(err)
	}
	app, err := wire.API(ctx, cfg, "web")
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(app.HandleHTTP)
}
