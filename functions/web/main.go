// Command web serves the pages people touch: joining the program (/) and
// the staff's till (/staff), embedded in the binary. The pages call the API
// from the browser, so this function needs no store and no secret: it links
// the pages and the API Gateway adapter, nothing of the API, and its cold
// start reads nothing over the network.
package main

import (
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/web"
)

func main() {
	version.LogStart("web")
	lambda.Start(apigateway.Wrap(http.HandlerFunc(web.Page)))
}
