package apigateway_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/apigateway"
)

// sampleEvents reads every HTTP API event of events/.
func sampleEvents(t *testing.T) map[string]events.APIGatewayV2HTTPRequest {
	t.Helper()
	files, err := filepath.Glob("../../events/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]events.APIGatewayV2HTTPRequest{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(`"rawPath"`)) {
			continue // a stream or schedule event
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = ev
	}
	if len(out) < 10 {
		t.Fatalf("only %d HTTP events in events/", len(out))
	}
	return out
}

// seen is what a handler saw of a request.
type seen struct {
	Method, Path, Query, Host, RemoteAddr, RequestID, Cookie string
	Header                                                   map[string]string
	Body                                                     []byte
}

func recordRequests(got *seen) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		*got = seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Host: r.Host, RemoteAddr: r.RemoteAddr,
			RequestID: apigateway.RequestID(r.Context()), Cookie: r.Header.Get("Cookie"), Header: map[string]string{}, Body: body}
		for k := range r.Header {
			got.Header[strings.ToLower(k)] = r.Header.Get(k)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func TestEverySampleEventReachesTheHandlerAsItsRequest(t *testing.T) {
	for name, ev := range sampleEvents(t) {
		t.Run(filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name), func(t *testing.T) {
			var got seen
			resp, err := apigateway.Wrap(recordRequests(&got))(context.Background(), ev)
			if err != nil || resp.StatusCode != http.StatusNoContent {
				t.Fatalf("answer %d, %v", resp.StatusCode, err)
			}
			body := []byte(ev.Body)
			if ev.IsBase64Encoded {
				if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
					t.Fatal(err)
				}
			}
			if got.Method != ev.RequestContext.HTTP.Method || got.Path != ev.RequestContext.HTTP.Path ||
				got.Query != ev.RawQueryString || got.Host != ev.RequestContext.DomainName ||
				got.RemoteAddr != ev.RequestContext.HTTP.SourceIP || got.RequestID != ev.RequestContext.RequestID {
				t.Errorf("the handler saw %+v", got)
			}
			if !bytes.Equal(got.Body, body) {
				t.Errorf("body %q, want %q", got.Body, body)
			}
			for k, v := range ev.Headers {
				if got.Header[k] != v {
					t.Errorf("header %s: %q, want %q", k, got.Header[k], v)
				}
			}
			if want := strings.Join(ev.Cookies, "; "); got.Cookie != want {
				t.Errorf("cookies %q, want %q", got.Cookie, want)
			}
		})
	}
}

func TestARequestSurvivesTheRoundTripThroughAnEvent(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00binary")
	cases := []struct {
		name        string
		contentType string
		body        []byte
		base64      bool
	}{
		{"a JSON body travels as text", "application/json", []byte(`{"amount":1250}`), false},
		{"a PNG body travels as base64", "image/png", png, true},
		{"no body", "", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("PUT", "http://api.example/v1/admin/program/logo?x=1&y=a%20b", bytes.NewReader(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			req.Header.Add("Accept", "a")
			req.Header.Add("Accept", "b")
			req.AddCookie(&http.Cookie{Name: "session", Value: "s1"})
			req.AddCookie(&http.Cookie{Name: "lang", Value: "fr"})
			ev, err := apigateway.EventFromRequest(req, "PUT /v1/admin/program/logo", "req-9", nil)
			if err != nil {
				t.Fatal(err)
			}
			if ev.IsBase64Encoded != c.base64 {
				t.Errorf("isBase64Encoded %v, want %v", ev.IsBase64Encoded, c.base64)
			}
			if len(ev.Cookies) != 2 || ev.Headers["cookie"] != "" {
				t.Errorf("cookies %q, headers %v: cookies belong in the event's cookies", ev.Cookies, ev.Headers)
			}
			var got seen
			if _, err := apigateway.Wrap(recordRequests(&got))(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Body, c.body) || got.Query != "x=1&y=a%20b" || got.Method != "PUT" || got.Path != "/v1/admin/program/logo" {
				t.Errorf("the handler saw %+v", got)
			}
			if got.Header["accept"] != "a,b" || got.Cookie != "session=s1; lang=fr" || got.RequestID != "req-9" {
				t.Errorf("headers %v, cookie %q, request id %q", got.Header, got.Cookie, got.RequestID)
			}
		})
	}
}

func TestTheResponseBecomesTheFunctionsAnswer(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00binary")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(png)
		case "/css.gz":
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(png)
		case "/json":
			http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
			http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
			w.Header().Add("Vary", "Accept")
			w.Header().Add("Vary", "Origin")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"code":"email_taken"}`))
		}
	})
	answer := func(path string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		ev := events.APIGatewayV2HTTPRequest{RawPath: path, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}}
		resp, err := apigateway.Wrap(h)(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	t.Run("a binary body is base64 with its status", func(t *testing.T) {
		resp := answer("/png")
		if resp.StatusCode != 200 || !resp.IsBase64Encoded || resp.Body != base64.StdEncoding.EncodeToString(png) {
			t.Errorf("%+v", resp)
		}
		w := httptest.NewRecorder()
		if err := apigateway.WriteResponse(w, resp); err != nil || !bytes.Equal(w.Body.Bytes(), png) {
			t.Errorf("written back: %q, %v", w.Body.Bytes(), err)
		}
	})
	t.Run("a compressed text body is base64", func(t *testing.T) {
		resp := answer("/css.gz")
		if !resp.IsBase64Encoded || resp.Body != base64.StdEncoding.EncodeToString(png) || resp.Headers["Content-Encoding"] != "gzip" {
			t.Errorf("%+v", resp)
		}
	})
	t.Run("cookies, joined headers and a text body", func(t *testing.T) {
		resp := answer("/json")
		if resp.StatusCode != 409 || resp.IsBase64Encoded || resp.Body != `{"code":"email_taken"}` {
			t.Errorf("%+v", resp)
		}
		if len(resp.Cookies) != 2 || resp.Cookies[0] != "a=1" || resp.Headers["Set-Cookie"] != "" || resp.Headers["Vary"] != "Accept, Origin" {
			t.Errorf("cookies %q, headers %v", resp.Cookies, resp.Headers)
		}
		w := httptest.NewRecorder()
		apigateway.WriteResponse(w, resp)
		if w.Code != 409 || len(w.Result().Cookies()) != 2 {
			t.Errorf("written back: %d, cookies %v", w.Code, w.Result().Cookies())
		}
	})
}

func TestAnEventWithABrokenBodyIsABadRequest(t *testing.T) {
	called := false
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })
	ev := events.APIGatewayV2HTTPRequest{RawPath: "/v1/earnings", Body: "not base64!", IsBase64Encoded: true,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}}
	resp, err := apigateway.Wrap(h)(context.Background(), ev)
	if err != nil || called {
		t.Fatalf("err %v, handler called %v", err, called)
	}
	var p struct {
		Status int
		Code   string
	}
	if resp.StatusCode != 400 || resp.Headers["Content-Type"] != "application/problem+json" || json.Unmarshal([]byte(resp.Body), &p) != nil || p.Code != "invalid_request" || p.Status != 400 {
		t.Errorf("%+v", resp)
	}
}
