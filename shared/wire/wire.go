// Package wire builds a function's dependencies from its configuration, once
// per cold start: the one place that knows which Store and keys a deployed
// function uses.
package wire

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// API returns the App of one HTTP function ("members", "staff", "admin",
// "walletservice") on the DynamoDB table of cfg.
func API(ctx context.Context, cfg config.Config, function string) (*api.App, error) {
	s, err := dynamo.Open(ctx, cfg.DynamoDBEndpoint, cfg.Table)
	if err != nil {
		return nil, err
	}
	deps, err := Deps(cfg, s, nil, nil)
	if err != nil {
		return nil, err
	}
	return api.New(deps, function)
}

// Deps assembles the API's dependencies on a store; a nil clock is the real
// one, a nil logger writes JSON to stderr.
func Deps(cfg config.Config, s store.Store, clock loyalty.Clock, logger *slog.Logger) (api.Deps, error) {
	codes, err := signing.NewSigner(cfg.CodeKeys)
	if err != nil {
		return api.Deps{}, fmt.Errorf("wire: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	newApple, err := appleBuilder(cfg, logger)
	if err != nil {
		return api.Deps{}, err
	}
	now := time.Now
	if clock != nil {
		now = clock.Now
	}
	branding, err := wallet.NewBranding(context.Background(), &wallet.Branding{
		Store: s, Now: now, ProgramName: cfg.ProgramName, NewApple: newApple, Logger: logger,
	})
	if err != nil {
		return api.Deps{}, fmt.Errorf("wire: %w", err)
	}
	cards := &wallet.Cards{Codes: codes, Branding: branding, ProgramName: cfg.ProgramName, PublicURL: cfg.PublicURL}
	cards.Assets, cards.Apple = branding.Current()
	cards.PassTypeID = cfg.PassTypeID
	if cards.Google, err = googleWallet(cfg, logger); err != nil {
		return api.Deps{}, err
	}
	ids := loyalty.NewRandomIDs()
	program := loyalty.NewProgram(s, clock, ids)
	return api.Deps{
		Store:        s,
		Program:      program,
		Jobs:         jobs.New(program, s),
		IDs:          ids,
		Codes:        codes,
		Cards:        cards,
		AdminKeyHash: loyalty.HashSecret(cfg.AdminKey),
		PublicURL:    cfg.PublicURL,
		Logger:       logger,
	}, nil
}

// googleWallet connects to Google Wallet; without an issuer and a service
// account it is off, which is said once in the log.
func googleWallet(cfg config.Config, logger *slog.Logger) (*wallet.GoogleWallet, error) {
	if !cfg.GoogleConfigured() {
		logger.Warn("Google Wallet is off: no issuer id and service account are configured")
		return nil, nil
	}
	// The client fetches OAuth tokens for the life of the process.
	client, err := google.NewClient(context.Background(), cfg.GoogleIssuerID, cfg.GoogleAPIURL, []byte(cfg.GoogleServiceAccount))
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	return &wallet.GoogleWallet{Client: client}, nil
}

// appleBuilder checks the pass certificate against the configured ids and
// its dates, and returns what makes the pass builder of a set of images;
// without a certificate Apple Wallet is off (nil), which is said once in the
// log.
func appleBuilder(cfg config.Config, logger *slog.Logger) (func(*design.Assets) (*apple.Builder, error), error) {
	if !cfg.AppleConfigured() {
		logger.Warn("Apple Wallet is off: no pass certificate is configured")
		return nil, nil
	}
	signer, err := apple.ParseSigner([]byte(cfg.PassCert), []byte(cfg.PassKey), []byte(cfg.WWDRCert))
	if err != nil {
		return nil, fmt.Errorf("wire: pass certificate: %w", err)
	}
	warning, err := apple.Check(signer, cfg.PassTypeID, cfg.TeamID, time.Now())
	if err != nil {
		return nil, fmt.Errorf("wire: pass certificate: %w", err)
	}
	if warning != "" {
		logger.Warn(warning)
	}
	webService := ""
	if cfg.PublicURL != "" {
		webService = cfg.PublicURL + "/wallet"
	}
	program := apple.Config{
		PassTypeID: cfg.PassTypeID, TeamID: cfg.TeamID, OrganizationName: cfg.ProgramName,
		Description: locale.Text{cfg.ProgramName + " loyalty card", "Carte de fidélité " + cfg.ProgramName},
		LogoText:    cfg.ProgramName, WebServiceURL: webService,
		Terms: locale.Text{
			"Points are personal and have no cash value. Points expire at the end of the 12th month after the month they were earned in.",
			"Les points sont personnels et n'ont pas de valeur monétaire. Ils expirent à la fin du 12e mois qui suit le mois où ils ont été gagnés.",
		},
		Contact: locale.Text{"Ask at the till of any of our shops.", "Renseignez-vous en caisse dans l'une de nos boutiques."},
	}
	return func(assets *design.Assets) (*apple.Builder, error) {
		return apple.NewBuilder(program, signer, wallet.AppleImages(assets))
	}, nil
}

// Updater returns the pass updater on the DynamoDB table of cfg.
func Updater(ctx context.Context, cfg config.Config) (*wallet.Updater, error) {
	s, err := dynamo.Open(ctx, cfg.DynamoDBEndpoint, cfg.Table)
	if err != nil {
		return nil, err
	}
	deps, err := Deps(cfg, s, nil, nil)
	if err != nil {
		return nil, err
	}
	url, roots, err := APNsTarget()
	if err != nil {
		return nil, err
	}
	return NewUpdater(cfg, deps, url, roots)
}

// NewUpdater builds the pass updater from the API's dependencies. It pushes
// to apnsURL (Apple's service when empty), trusting roots (the system's when
// nil): a test points it at its own HTTP/2 server.
func NewUpdater(cfg config.Config, deps api.Deps, apnsURL string, roots *x509.CertPool) (*wallet.Updater, error) {
	u := &wallet.Updater{Cards: deps.Cards, Accounts: deps.Store, Registrations: deps.Store, Logger: deps.Logger}
	if deps.Cards.Apple == nil {
		return u, nil
	}
	cert, err := tls.X509KeyPair([]byte(cfg.PassCert), []byte(cfg.PassKey))
	if err != nil {
		return nil, fmt.Errorf("wire: APNs certificate: %w", err)
	}
	u.Pusher = apns.New(cert, cfg.PassTypeID, cmp.Or(apnsURL, apns.ProductionURL), roots)
	return u, nil
}

// APNsTarget reads FIDELIO_APNS_URL and FIDELIO_APNS_CA_FILE, which point the
// pushes at another server than Apple's (a test's), trusting that CA.
func APNsTarget() (string, *x509.CertPool, error) {
	path := os.Getenv("FIDELIO_APNS_CA_FILE")
	if path == "" {
		return os.Getenv("FIDELIO_APNS_URL"), nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("wire: FIDELIO_APNS_CA_FILE: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return "", nil, fmt.Errorf("wire: FIDELIO_APNS_CA_FILE holds no certificate")
	}
	return os.Getenv("FIDELIO_APNS_URL"), roots, nil
}
