package openapi_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/openapi"
)

// TestTheDocumentIsValidOpenAPI checks openapi.json against the OpenAPI 3.1
// schema with the validator library, and that its examples fit their schemas.
func TestTheDocumentIsValidOpenAPI(t *testing.T) {
	contract, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := contract.Validate(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI  string          `json:"openapi"`
		Webhooks json.RawMessage `json:"webhooks"`
	}
	if err := json.Unmarshal(openapi.Document, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi.json is OpenAPI %s, not 3.1", doc.OpenAPI)
	}
}

// TestAnInvalidDocumentIsRefused: the validation above can fail.
func TestAnInvalidDocumentIsRefused(t *testing.T) {
	broken := strings.Replace(string(openapi.Document), `"responses": {`, `"responses": 7, "x": {`, 1)
	contract, err := openapi.Parse([]byte(broken))
	if err == nil {
		err = contract.Validate()
	}
	if err == nil {
		t.Fatal("a document whose first operation's responses is a number passed")
	}
}

// TestNoFunctionLinksTheValidator: the validator library is for tests; no
// Lambda function may link it (nor this package).
func TestNoFunctionLinksTheValidator(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "github.com/fidelio/fidelio/functions/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/pb33f/") || pkg == "github.com/fidelio/fidelio/shared/openapi" {
			t.Errorf("a function links %s", pkg)
		}
	}
}
