// Package apigateway turns any http.Handler into the handler of an API
// Gateway HTTP API (payload 2.0) event, and back: the request an event
// carries (RequestFromEvent), the event API Gateway would send for a request
// (EventFromRequest, what the local stack hands a function) and the response
// a function's answer becomes (WriteResponse). A function that serves pages
// links only the pages and this package.
package apigateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is what lambda.Start takes for an HTTP API function.
type Handler func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Wrap answers each event with h. Client errors are answers, not errors: a
// non-nil error would make Lambda report a failure and API Gateway a 500. An
// event whose body cannot be decoded is answered 400 as problem+json.
func Wrap(h http.Handler) Handler {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		rec := &recorder{header: http.Header{}}
		r, err := RequestFromEvent(ctx, ev)
		if err != nil {
			rec.header.Set("Content-Type", "application/problem+json")
			rec.header.Set("Cache-Control", "no-store")
			rec.WriteHeader(http.StatusBadRequest)
			rec.Write([]byte(unreadable))
			return rec.response(), nil
		}
		h.ServeHTTP(rec, r)
		return rec.response(), nil
	}
}

// unreadable is the answer to an event that carries no readable request, in
// the API's problem+json form and code (shared/api/problems.go).
const unreadable = `{"type":"https://fidelio.dev/problems/invalid-request","title":"Bad Request","status":400,"code":"invalid_request","detail":"the request's method, path or body could not be read"}` + "\n"

type requestIDKey struct{}

// RequestID is the API Gateway request id of the event r came in, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// RequestFromEvent turns an API Gateway event into the request it carries;
// its context holds the event's request id (RequestID).
func RequestFromEvent(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, fmt.Errorf("event body is not base64: %w", err)
		}
	}
	target := ev.RawPath
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	ctx = context.WithValue(ctx, requestIDKey{}, ev.RequestContext.RequestID)
	r, err := http.NewRequestWithContext(ctx, ev.RequestContext.HTTP.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range ev.Headers {
		r.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	r.Host = ev.RequestContext.DomainName
	return r, nil
}

// EventFromRequest builds the event API Gateway would send for r: what the
// local stack hands to a function, so that it runs the Lambda code path.
func EventFromRequest(r *http.Request, routeKey, requestID string, pathParams map[string]string) (events.APIGatewayV2HTTPRequest, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 6<<20)) // Lambda's payload limit
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, err
	}
	headers := map[string]string{}
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.String())
	}
	query := map[string]string{}
	for k, vs := range r.URL.Query() {
		query[k] = strings.Join(vs, ",")
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Cookies: cookies, Headers: headers, PathParameters: pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: routeKey, Stage: "$default", RequestID: requestID, DomainName: r.Host,
			TimeEpoch: time.Now().UnixMilli(), Time: time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: sourceIP(r.RemoteAddr), UserAgent: r.UserAgent(),
			},
		},
	}
	if len(query) > 0 {
		ev.QueryStringParameters = query
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev, nil
}

// WriteResponse writes a function's response as API Gateway would.
func WriteResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) error {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		w.Header()[http.CanonicalHeaderKey(k)] = vs
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return fmt.Errorf("function returned a body that is not base64: %w", err)
		}
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

func sourceIP(remote string) string {
	if i := strings.LastIndexByte(remote, ':'); i > 0 {
		return strings.Trim(remote[:i], "[]")
	}
	return remote
}

// isText tells which bodies travel as text in an event; the others (PNG,
// .pkpass) are base64-encoded, as API Gateway requires of binary data.
func isText(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || strings.HasSuffix(mt, "+json") ||
		mt == "image/svg+xml" || mt == "application/javascript" || mt == "application/x-www-form-urlencoded"
}

// recorder collects a handler's response for the event it becomes.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) response() events.APIGatewayV2HTTPResponse {
	resp := events.APIGatewayV2HTTPResponse{StatusCode: r.status, Headers: map[string]string{}}
	if resp.StatusCode == 0 {
		resp.StatusCode = http.StatusOK
	}
	for k, vs := range r.header {
		if k == "Set-Cookie" {
			resp.Cookies = vs
			continue
		}
		resp.Headers[k] = strings.Join(vs, ", ")
	}
	if r.body.Len() > 0 {
		// A compressed body is bytes, whatever its media type.
		if isText(r.header.Get("Content-Type")) && r.header.Get("Content-Encoding") == "" {
			resp.Body = r.body.String()
		} else {
			resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(r.body.Bytes()), true
		}
	}
	return resp
}
