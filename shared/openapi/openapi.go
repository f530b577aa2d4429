// Package openapi holds the API's contract, openapi.json (OpenAPI 3.1), and
// holds requests and answers to it in tests with a real OpenAPI validator
// (pb33f's libopenapi-validator).
//
// No function links this package (TestNoFunctionLinksTheValidator): the web
// function serves the document from a gzipped copy made when the pages'
// assets are built (shared/web/copy-assets.mjs).
//
// A new route gets its operation in openapi.json: under "paths", the
// route's path, then its method in lower case, with "x-fidelio-function"
// naming the function that serves it, its "security" (an operator key's
// least role as in operatorRoles), its request body and every status it
// answers, problems by a $ref to "#/components/responses/…". The tests of
// shared/api hold the paths to api.Routes and every answer they receive to
// the document.
package openapi

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// Document is openapi.json.
//
//go:embed openapi.json
var Document []byte

// Contract checks requests and answers against the document.
type Contract struct {
	doc   libopenapi.Document
	model *v3.Document
	// mu serializes the validator's use: tests share one Contract.
	mu        sync.Mutex
	validator validator.Validator
}

var (
	loadOnce sync.Once
	loaded   *Contract
	loadErr  error
)

// Load parses the document once and returns its Contract.
func Load() (*Contract, error) {
	loadOnce.Do(func() { loaded, loadErr = Parse(Document) })
	return loaded, loadErr
}

// Parse reads a document (Load reads openapi.json).
func Parse(data []byte) (*Contract, error) {
	doc, err := libopenapi.NewDocument(data)
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi.json: %w", errors.Join(errs...))
	}
	return &Contract{doc: doc, model: &model.Model, validator: v}, nil
}

// Validate checks the document against the OpenAPI 3.1 schema.
func (c *Contract) Validate() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.validator.ValidateDocument(); !ok {
		return joined(errs)
	}
	return nil
}

// Operations lists the document's operations as "METHOD /path", with the
// function each names (x-fidelio-function).
func (c *Contract) Operations() map[string]string {
	ops := map[string]string{}
	for path, item := range c.model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			fn := ""
			if node, ok := op.Extensions.Get("x-fidelio-function"); ok {
				fn = node.Value
			}
			ops[strings.ToUpper(method)+" "+path] = fn
		}
	}
	return ops
}

// Security lists, for the operation "METHOD /path", each security scheme it
// takes with the roles it names ("" for none: a public operation).
func (c *Contract) Security(operation string) (map[string][]string, error) {
	method, path, _ := strings.Cut(operation, " ")
	item, ok := c.model.Paths.PathItems.Get(path)
	if !ok {
		return nil, fmt.Errorf("no path %s", path)
	}
	op, ok := item.GetOperations().Get(strings.ToLower(method))
	if !ok {
		return nil, fmt.Errorf("no operation %s", operation)
	}
	out := map[string][]string{}
	for _, req := range op.Security {
		if req.Requirements == nil {
			continue
		}
		for scheme, roles := range req.Requirements.FromOldest() {
			out[scheme] = roles
		}
	}
	return out, nil
}

// CheckRequest checks a request (its parameters, security and body) against
// its operation; it reads the body.
func (c *Contract) CheckRequest(r *http.Request) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.validator.ValidateHttpRequestSync(r); !ok {
		return joined(errs)
	}
	return nil
}

// ErrNoOperation is what CheckResponse answers for a request that is no
// operation of the document.
var ErrNoOperation = errors.New("no operation of the document")

// CheckResponse checks an answer (its status, media type and body) against
// the operation of the request it answers.
func (c *Contract) CheckResponse(r *http.Request, status int, header http.Header, body []byte) error {
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: r}
	c.mu.Lock()
	defer c.mu.Unlock()
	ok, errs := c.validator.ValidateHttpResponse(r, resp)
	if ok {
		return nil
	}
	for _, e := range errs {
		if e.IsPathMissingError() || e.IsOperationMissingError() {
			return fmt.Errorf("%w: %s", ErrNoOperation, e.Message)
		}
	}
	return joined(errs)
}

// CheckEvent checks a function's answer, an API Gateway response event, as
// CheckResponse does.
func (c *Contract) CheckEvent(r *http.Request, out events.APIGatewayV2HTTPResponse) error {
	header := http.Header{}
	for k, v := range out.Headers {
		header.Set(k, v)
	}
	for k, vs := range out.MultiValueHeaders {
		header[http.CanonicalHeaderKey(k)] = vs
	}
	body := []byte(out.Body)
	if out.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(out.Body); err != nil {
			return err
		}
	}
	if header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	return c.CheckResponse(r, out.StatusCode, header, body)
}

// joined says every mismatch, with the schema's own reasons.
func joined(errs []*verrors.ValidationError) error {
	var all []error
	for _, e := range errs {
		msg := e.Message
		if e.Reason != "" {
			msg += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			msg += fmt.Sprintf("\n\t%s (at %s)", f.Reason, f.FieldPath)
		}
		all = append(all, errors.New(msg))
	}
	return errors.Join(all...)
}
