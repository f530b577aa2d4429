// Package api serves Fidelio's HTTP API: routing, authentication, request
// validation and the problem+json errors. An App is an http.Handler: Lambda
// functions serve it through shared/apigateway, the local stack too.
package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/mail"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
)

// Deps are what the handlers use, built once per cold start.
type Deps struct {
	Store   store.Store
	Program *loyalty.Program
	Codes   *signing.Signer
	// Cards draws and builds members' wallet cards; nil in a function that
	// serves no card (see CardMaker).
	Cards CardMaker
	// Wallets are the wallets the cards are offered in, from the
	// configuration, in every function.
	Wallets Wallets
	// ProgramChanged takes up a logo the operator just saved (the images
	// are drawn again and the Google Wallet classes move to it); nil when
	// nothing needs to.
	ProgramChanged func(ctx context.Context, baseURL string, rules loyalty.Rules) error
	// Jobs runs the scheduled jobs on demand.
	Jobs *jobs.Runner
	// AdminKeyHash is loyalty.HashSecret of the admin key.
	AdminKeyHash string
	// PublicURL is the API's base URL for the links it hands out; empty means
	// the URL the request came to.
	PublicURL string
	// ProgramName is the name the deployment gives the program, which the
	// rules' name replaces when the operator sets one.
	ProgramName string
	// PrintCard prints a member's physical card (a PDF) under rules, with
	// their current code; set only where the cards are served, so that no
	// other function links the PDF library.
	PrintCard func(m loyalty.Member, rules loyalty.Rules, code string) ([]byte, error)
	// IDs makes staff keys; nil means the real randomness.
	IDs    loyalty.IDs
	Logger *slog.Logger
	// Mail sends the members' emails (the welcome, sign-in links); nil
	// where the program sends none.
	Mail mail.Mailer
	// StartCampaign starts a new campaign's fan-out (campaigns.Fanout.Start);
	// nil where campaigns are not served.
	StartCampaign func(ctx context.Context, c loyalty.Campaign) error
	// RefreshCards starts a card refresh's fan-out
	// (campaigns.Fanout.StartRefresh); nil where the cards take a change of
	// the rules, the stores or a promotion's bound at their next update.
	RefreshCards func(ctx context.Context, r loyalty.CardRefresh) error
	// Pages serves the web pages (shared/web.Page) where the App serves
	// them (the local stack); nil in AWS, where the web function serves them
	// itself, so that the API functions do not carry them.
	Pages http.Handler
}

// App serves the routes of one HTTP function (its table: Members, Staff,
// WalletService, Web, Admin, Cards), or of all of them (New with "").
type App struct {
	Deps
	mux *http.ServeMux
	// failures counts failed pass authentications per address and pass;
	// walletLogs counts Wallet's log reports per address.
	failures, walletLogs minuteCounter
	// signIns counts the sign-in emails asked for per address.
	signIns minuteCounter
}

// New returns the App of one function by its name ("" for all of them), for
// the local stack and the tests: it links every function's handlers.
func New(deps Deps, function string) (*App, error) {
	app, err := Serve(deps, Routes(function))
	if err != nil {
		return nil, fmt.Errorf("api: no routes for function %q", function)
	}
	return app, nil
}

// Serve returns the App of one function's table (api.Staff...), linking the
// handlers of that table only.
func Serve(deps Deps, routes Function) (*App, error) {
	if len(routes) == 0 {
		return nil, errors.New("api: no routes")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.IDs == nil {
		deps.IDs = loyalty.NewRandomIDs()
	}
	a := &App{Deps: deps, mux: http.NewServeMux()}
	for _, r := range routes {
		a.mux.Handle(r.Method+" "+MuxPath(r.Path), a.wrap(withRouteRole(r.handle, r.OperatorRole())))
	}
	a.mux.Handle("/", a.wrap(func(*App, *http.Request) (reply, error) { return reply{}, errNoRoute }))
	return a, nil
}

// MuxPath writes an API Gateway route path as a ServeMux pattern: "/" is the
// root only ("/{$}"), not every path, and a greedy {proxy+} is {proxy...}.
func MuxPath(path string) string {
	if path == "/" {
		return "/{$}"
	}
	return strings.ReplaceAll(path, "+}", "...}")
}

func requestID(r *http.Request) string { return apigateway.RequestID(r.Context()) }

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// reply is what a handler answers when it succeeds: body as JSON, or raw
// bytes (a PNG, a .pkpass) with the header's Content-Type.
type reply struct {
	status int
	body   any
	raw    []byte
	header http.Header
}

type handler func(*App, *http.Request) (reply, error)

// wrap turns a handler into an http.Handler: errors become problems, panics
// become a 500 that is logged, and every request is logged once.
func (a *App) wrap(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, logged := withRequestLog(r)
		rep, err := func() (rep reply, err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			return h(a, r)
		}()
		status := cmp.Or(rep.status, http.StatusOK)
		if err != nil {
			status = a.writeProblem(w, r, err)
		} else {
			for k, vs := range rep.header {
				w.Header()[k] = vs
			}
			if rep.raw != nil {
				w.WriteHeader(status)
				w.Write(rep.raw)
			} else {
				writeJSON(w, status, rep.body)
			}
		}
		if id := r.PathValue("id"); logged.memberID == "" && loyalty.IsID(id) && strings.Contains(r.Pattern, "/members/{id}") {
			logged.memberID = id
		}
		a.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("requestId", requestID(r)), slog.String("route", r.Pattern), slog.String("method", r.Method),
			slog.String("path", loggedPath(r.URL.Path)), slog.Int("status", status),
			slog.Float64("latencyMs", float64(time.Since(start).Microseconds())/1000), slog.String("memberId", logged.memberID))
	})
}

// maxLogged bounds what a log line repeats of a request: a path can be as
// long as the client likes, and no route of ours is longer.
const maxLogged = 200

// logged is s as a log line shows it: cut at maxLogged bytes.
func loggedPath(s string) string {
	if len(s) <= maxLogged {
		return s
	}
	return strings.ToValidUTF8(s[:maxLogged], "") + "…"
}
