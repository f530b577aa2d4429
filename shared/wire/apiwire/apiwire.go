// Package apiwire builds an HTTP function of the API on the deployed table:
// the secret and the public URL, the table, the program and the api.App,
// built by the first request, once (lazy), so that a cold start reads
// nothing over the network. It links no card machinery: a function that
// draws or builds cards adds it with an Option (shared/wire), and the others
// (staff, admin) do not carry it.
package apiwire

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/config/remote"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/lazy"
	"github.com/fidelio/fidelio/shared/logs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/mail"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
)

// Option adds to a function's dependencies, with the deployed configuration,
// what only that function links (its cards, the PDF printer).
type Option func(ctx context.Context, cfg config.Config, d *api.Deps) error

// API returns the handler of one HTTP function (its table of routes:
// api.Members, api.Staff, api.Admin, api.WalletService) on the DynamoDB table
// of cfg. Its first request fetches
// the secret and the public URL, reads the table and builds the App; while
// that fails, each request is answered 503 and the reason logged (NotReady).
func API(cfg config.Config, routes api.Function, with ...Option) http.Handler {
	app := lazy.New(func(ctx context.Context) (*api.App, error) {
		cfg, s, err := Deployed(ctx, cfg)
		if err != nil {
			return nil, err
		}
		deps, err := Deps(cfg, s, nil, nil)
		if err != nil {
			return nil, err
		}
		for _, add := range with {
			if err := add(ctx, cfg, &deps); err != nil {
				return nil, err
			}
		}
		return api.Serve(deps, routes)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := app.Get(r.Context())
		if err != nil {
			lazy.NotReady(r.Context(), err)
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(notReady))
			return
		}
		a.ServeHTTP(w, r)
	})
}

// notReady is the answer while a function cannot build its dependencies, in
// the API's problem+json form (shared/api/problems.go): the reason is in the
// log, not for the client.
const notReady = `{"type":"https://fidelio.dev/problems/unavailable","title":"Service Unavailable","status":503,"code":"unavailable","detail":"the service cannot reach what it needs; try again later"}` + "\n"

// WithMail gives an API function the program's mail (members: the welcome
// and the sign-in links), through Amazon SES from cfg.MailFrom; without
// MailFrom it sends nothing.
func WithMail(ctx context.Context, cfg config.Config, d *api.Deps) error {
	if cfg.MailFrom != "" {
		d.Mail = mail.SES{From: cfg.MailFrom}
	}
	return nil
}

// Deployed completes cfg (remote.Complete) and opens its table, checked.
func Deployed(ctx context.Context, cfg config.Config) (config.Config, *dynamo.Store, error) {
	cfg, err := remote.Complete(ctx, cfg)
	if err != nil {
		return cfg, nil, err
	}
	s, err := dynamo.InLambda(cfg.DynamoDBEndpoint, cfg.Table)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, s, s.Check(ctx)
}

// Deps assembles the API's dependencies on a store, without cards; a nil
// clock is the real one, a nil logger writes JSON to stderr.
func Deps(cfg config.Config, s store.Store, clock loyalty.Clock, logger *slog.Logger) (api.Deps, error) {
	if logger == nil {
		logger = logs.Default()
	}
	codes, err := signing.NewSigner(cfg.CodeKeys)
	if err != nil {
		return api.Deps{}, fmt.Errorf("wire: %w", err)
	}
	ids := loyalty.NewRandomIDs()
	program := loyalty.NewProgram(s, clock, ids)
	wallets := api.Wallets{Google: cfg.GoogleConfigured()}
	if cfg.AppleConfigured() {
		wallets.ApplePassType = cfg.PassTypeID
	}
	return api.Deps{
		Store:        s,
		Program:      program,
		Jobs:         jobs.New(program, s),
		IDs:          ids,
		Codes:        codes,
		Wallets:      wallets,
		AdminKeyHash: loyalty.HashSecret(cfg.AdminKey),
		PublicURL:    cfg.PublicURL,
		ProgramName:  cfg.ProgramName,
		Logger:       logger,
	}, nil
}
