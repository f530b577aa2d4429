package events_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/openapi"
)

// TestSampleRequestsFitTheContract checks every sample event's request — its
// path and query parameters, headers, credentials and body — against its
// operation in the OpenAPI document. A sample recorded to be refused as
// malformed (400) must be refused by the document too.
func TestSampleRequestsFitTheContract(t *testing.T) {
	contract, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range samples {
		data, err := os.ReadFile(sm.file)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		req, err := apigateway.RequestFromEvent(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		err = contract.CheckRequest(req)
		switch {
		case sm.status == http.StatusBadRequest && err == nil:
			t.Errorf("%s (%s): the API refuses it as malformed, the OpenAPI document takes it", sm.file, ev.RouteKey)
		case sm.status != http.StatusBadRequest && err != nil:
			t.Errorf("%s (%s) does not fit the OpenAPI document: %v", sm.file, ev.RouteKey, err)
		}
	}
}
