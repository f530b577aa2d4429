// Package wire builds the dependencies of the functions that draw cards —
// the API functions and the pass updater — from their configuration: the one
// place that knows which Store, keys and card machinery a deployed function
// uses. It builds them when the first request needs them, once (lazy), so a
// cold start reads nothing over the network. A job function needs the store
// alone and does not import this package (functions/birthdays).
package wire

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/config/remote"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/lazy"
	"github.com/fidelio/fidelio/shared/logs"
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

// API returns the handler of one HTTP function ("members", "staff", "admin",
// "walletservice") on the DynamoDB table of cfg. Its first request fetches
// the secret and the public URL, reads the table and builds the App; while
// that fails, each request is answered 503 and the reason logged (NotReady).
// Each with adds to the dependencies what only that function links.
func API(cfg config.Config, function string, with ...func(*api.Deps)) http.Handler {
	app := lazy.New(func(ctx context.Context) (*api.App, error) {
		cfg, s, err := deployed(ctx, cfg)
		if err != nil {
			return nil, err
		}
		deps, err := Deps(cfg, s, nil, nil)
		if err != nil {
			return nil, err
		}
		for _, add := range with {
			add(&deps)
		}
		return api.New(deps, function)
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

// PassUpdater returns the pass updater's stream handler on the DynamoDB table
// of cfg, built by its first batch: the store and the cards, never the API.
func PassUpdater(cfg config.Config) lazy.Handler[events.DynamoDBEvent, events.DynamoDBEventResponse] {
	return lazy.Event(lazy.New(func(ctx context.Context) (lazy.Handler[events.DynamoDBEvent, events.DynamoDBEventResponse], error) {
		cfg, s, err := deployed(ctx, cfg)
		if err != nil {
			return nil, err
		}
		logger := logs.Default()
		cards, err := Cards(cfg, s, nil, logger)
		if err != nil {
			return nil, err
		}
		url, roots, err := APNsTarget()
		if err != nil {
			return nil, err
		}
		u, err := NewUpdater(cfg, cards, s, logger, url, roots)
		if err != nil {
			return nil, err
		}
		return u.HandleStream(dynamo.StreamMember), nil
	}))
}

// deployed completes cfg (remote.Complete) and opens its table, checked.
func deployed(ctx context.Context, cfg config.Config) (config.Config, *dynamo.Store, error) {
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

// Deps assembles the API's dependencies on a store; a nil clock is the real
// one, a nil logger writes JSON to stderr.
func Deps(cfg config.Config, s store.Store, clock loyalty.Clock, logger *slog.Logger) (api.Deps, error) {
	if logger == nil {
		logger = logs.Default()
	}
	cards, err := Cards(cfg, s, clock, logger)
	if err != nil {
		return api.Deps{}, err
	}
	ids := loyalty.NewRandomIDs()
	program := loyalty.NewProgram(s, clock, ids)
	return api.Deps{
		Store:        s,
		Program:      program,
		Jobs:         jobs.New(program, s),
		IDs:          ids,
		Codes:        cards.Codes,
		Cards:        cards,
		AdminKeyHash: loyalty.HashSecret(cfg.AdminKey),
		PublicURL:    cfg.PublicURL,
		Logger:       logger,
	}, nil
}

// Cards builds the card machinery on a store: the member codes' signer, the
// Apple pass builder of the logo as it is (from the pass certificate), and
// Google Wallet; a nil clock is the real one.
func Cards(cfg config.Config, s store.Store, clock loyalty.Clock, logger *slog.Logger) (*wallet.Cards, error) {
	codes, err := signing.NewSigner(cfg.CodeKeys)
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	newApple, err := appleBuilder(cfg, logger)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if clock != nil {
		now = clock.Now
	}
	branding, err := wallet.NewBranding(context.Background(), &wallet.Branding{
		Store: s, Now: now, ProgramName: cfg.ProgramName, NewApple: newApple, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	cards := &wallet.Cards{Codes: codes, Branding: branding, ProgramName: cfg.ProgramName, PublicURL: cfg.PublicURL}
	cards.Assets, cards.Apple = branding.Current()
	cards.PassTypeID = cfg.PassTypeID
	if cards.Google, err = googleWallet(cfg, logger); err != nil {
		return nil, err
	}
	return cards, nil
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
		Description: locale.Description(locale.Text{cfg.ProgramName}),
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

// NewUpdater builds the pass updater of cards on the store s. It pushes to
// apnsURL (Apple's service when empty), trusting roots (the system's when
// nil): a test points it at its own HTTP/2 server.
func NewUpdater(cfg config.Config, cards *wallet.Cards, s store.Store, logger *slog.Logger, apnsURL string, roots *x509.CertPool) (*wallet.Updater, error) {
	u := &wallet.Updater{Cards: cards, Accounts: s, Registrations: s, Logger: logger}
	if cards.Apple == nil {
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
