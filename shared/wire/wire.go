// Package wire builds a function's dependencies from its configuration, once
// per cold start: the one place that knows which Store and keys a deployed
// function uses.
package wire

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/qrcode"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
)

// API returns the App of one API function ("members", "staff", "admin") on
// the DynamoDB table of cfg.
func API(ctx context.Context, cfg config.Config, function string) (*api.App, error) {
	db, err := dynamo.Connect(ctx, cfg.DynamoDBEndpoint)
	if err != nil {
		return nil, err
	}
	deps, err := Deps(cfg.Secrets, dynamo.New(db, cfg.Table), nil)
	if err != nil {
		return nil, err
	}
	deps.PublicURL = cfg.PublicURL
	return api.New(deps, function)
}

// Deps assembles the API's dependencies on a store; clock nil is the real one.
func Deps(secrets config.Secrets, s store.Store, clock loyalty.Clock) (api.Deps, error) {
	codes, err := qrcode.NewSigner(secrets.CodeKeys)
	if err != nil {
		return api.Deps{}, fmt.Errorf("wire: %w", err)
	}
	ids := loyalty.NewRandomIDs()
	return api.Deps{
		Store:        s,
		Program:      loyalty.NewProgram(s, clock, ids),
		IDs:          ids,
		Codes:        codes,
		AdminKeyHash: loyalty.HashSecret(secrets.AdminKey),
		Logger:       slog.New(slog.NewJSONHandler(os.Stderr, nil)),
	}, nil
}
