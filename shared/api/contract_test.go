package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/openapi"
)

// serve sends req through the Lambda path and holds the answer to the
// OpenAPI document: every test that asks the API something is a contract
// test too.
func (f *fixture) serve(req *http.Request) events.APIGatewayV2HTTPResponse {
	f.t.Helper()
	ev, err := apigateway.EventFromRequest(req, req.Method+" "+req.URL.Path, "req-1", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := apigateway.Wrap(f.app)(context.Background(), ev)
	if err != nil {
		f.t.Fatalf("%s %s returned an error instead of a response: %v", req.Method, req.URL.Path, err)
	}
	f.holdToContract(req, out)
	return out
}

// routePatterns finds the route a request is for, to name it when its
// answer breaks the contract.
var routePatterns = func() *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range api.Routes("") {
		mux.Handle(r.Method+" "+api.MuxPath(r.Path), http.NotFoundHandler())
	}
	return mux
}()

// holdToContract fails the test when the answer is not one the document
// allows the request's operation; an answer to a request that is no route
// must be a problem.
func (f *fixture) holdToContract(req *http.Request, out events.APIGatewayV2HTTPResponse) {
	f.t.Helper()
	contract, err := openapi.Load()
	if err != nil {
		f.t.Fatal(err)
	}
	_, pattern := routePatterns.Handler(req)
	route := req.Method + " " + req.URL.Path + " (no route)"
	if pattern != "" {
		route = pattern
	}
	err = contract.CheckEvent(req, out)
	if errors.Is(err, openapi.ErrNoOperation) && pattern == "" {
		if out.StatusCode != http.StatusNotFound || out.Headers["Content-Type"] != "application/problem+json" {
			f.t.Errorf("%s answered %d %s, not a problem", route, out.StatusCode, out.Headers["Content-Type"])
		}
		return
	}
	if err != nil {
		f.t.Errorf("%s answered %d outside the OpenAPI document: %v\nbody: %.500s", route, out.StatusCode, err, out.Body)
	}
}

// TestTheDocumentDescribesEveryRouteAndNoOther holds openapi.json's paths to
// api.Routes both ways, with the function that serves each.
func TestTheDocumentDescribesEveryRouteAndNoOther(t *testing.T) {
	contract, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	documented := contract.Operations()
	routes := map[string]bool{}
	for _, r := range api.Routes("") {
		key := r.Method + " " + r.Path
		routes[key] = true
		fn, ok := documented[key]
		switch {
		case !ok:
			t.Errorf("%s (function %s) is not in openapi.json", key, r.Function)
		case fn != r.Function:
			t.Errorf("openapi.json says %s is served by %q (x-fidelio-function), api.Routes by %q", key, fn, r.Function)
		}
	}
	for key := range documented {
		if !routes[key] {
			t.Errorf("openapi.json documents %s, which is no route", key)
		}
	}
}

// TestTheDocumentStatesWhoMayCallEachRoute: an operation an operator key may
// call names the route's least role (operatorRoles), and no other does.
func TestTheDocumentStatesWhoMayCallEachRoute(t *testing.T) {
	contract, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range api.Routes("") {
		key := r.Method + " " + r.Path
		schemes, err := contract.Security(key)
		if err != nil {
			continue // TestTheDocumentDescribesEveryRouteAndNoOther says so
		}
		roles, takesOperators := schemes["operatorKey"]
		if takesOperators && !slices.Equal(roles, []string{string(r.OperatorRole())}) {
			t.Errorf("%s: openapi.json names the roles %v, operatorRoles %s", key, roles, r.OperatorRole())
		}
		if !takesOperators && r.Function == "admin" {
			t.Errorf("%s: an admin route that takes no operator key in openapi.json", key)
		}
		if r.OperatorRole() != loyalty.RoleOwner && !takesOperators {
			t.Errorf("%s: operatorRoles lets a %s call it; openapi.json takes no operator key", key, r.OperatorRole())
		}
	}
}

// TestAnswersOutsideTheDocumentFail shows the hook is not a formality: an
// answer the document does not allow is reported with its route.
func TestAnswersOutsideTheDocumentFail(t *testing.T) {
	contract, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "/v1/program", nil)
	json := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"a field of the wrong type", 200, `{"name":{},"currency":"EUR","pointsPerUnit":"10","welcomeBonus":0,"birthdayBonus":0,"thresholds":{},"multiplierPercent":{}}`},
		{"a field the document does not know", 200, `{"name":{},"currency":"EUR","pointsPerUnit":10,"welcomeBonus":0,"birthdayBonus":0,"thresholds":{},"multiplierPercent":{},"secret":"x"}`},
		{"a status the operation does not answer", 409, `{"type":"https://fidelio.dev/problems/email-taken","title":"Conflict","status":409,"code":"email_taken"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := contract.CheckResponse(req, tc.status, json, []byte(tc.body)); err == nil {
				t.Fatal("the answer passed")
			}
		})
	}
	problem := http.Header{"Content-Type": {"application/problem+json"}}
	if err := contract.CheckResponse(req, 503, problem, []byte(`{"type":"https://fidelio.dev/problems/unavailable","title":"Service Unavailable","status":503,"code":"no_such_code"}`)); err == nil || !strings.Contains(err.Error(), "code") {
		t.Fatalf("an undocumented problem code passed: %v", err)
	}
}
