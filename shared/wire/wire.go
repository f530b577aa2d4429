// Package wire builds the card machinery of the functions that need it, from
// their configuration: the whole of it for the cards function (WithCards),
// the Apple passes for walletservice (WithApplePasses), the APNs client and
// Google Wallet for the pass updater; and every dependency at once for the
// local stack and the tests (Deps). An API function is built by apiwire,
// with these as options, when its first request needs it, once (lazy), so a
// cold start reads nothing over the network. The members, staff and admin
// functions and the jobs need no card and do not import this package.
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

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
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
	"github.com/fidelio/fidelio/shared/wire/apiwire"
)

// WithCards gives an API function the card machinery (the cards function):
// the member codes' signer's cards, the Apple pass builder of the logo as it
// is, and Google Wallet.
func WithCards(ctx context.Context, cfg config.Config, d *api.Deps) error {
	cards, err := Cards(ctx, cfg, d.Store, d.Codes, d.Program.Now, d.Logger)
	if err != nil {
		return err
	}
	d.Cards, d.ProgramChanged = cards, cards.ProgramChanged
	return nil
}

// WithApplePasses gives the walletservice function what Wallet's web service
// serves: the Apple pass builder of the logo as it is. It connects no Google
// Wallet, so that the function links no Google client.
func WithApplePasses(ctx context.Context, cfg config.Config, d *api.Deps) error {
	cards, err := applePasses(ctx, cfg, d.Store, d.Codes, d.Program.Now, d.Logger)
	if err != nil {
		return err
	}
	d.Cards = cards
	return nil
}

// PassUpdater returns the pass updater's stream handler on the DynamoDB table
// of cfg, built by its first batch: the store, Google Wallet and the APNs
// client; never the API, nor the pass builder (a push carries no pass).
func PassUpdater(cfg config.Config) lazy.Handler[events.DynamoDBEvent, events.DynamoDBEventResponse] {
	return lazy.Event(lazy.New(func(ctx context.Context) (lazy.Handler[events.DynamoDBEvent, events.DynamoDBEventResponse], error) {
		cfg, s, err := apiwire.Deployed(ctx, cfg)
		if err != nil {
			return nil, err
		}
		logger := logs.Default()
		codes, err := signing.NewSigner(cfg.CodeKeys)
		if err != nil {
			return nil, fmt.Errorf("wire: %w", err)
		}
		cards := &wallet.Cards{Codes: codes, ProgramName: cfg.ProgramName, PublicURL: cfg.PublicURL, Promotions: loyalty.NewPromotionsCache(s, nil)}
		if cards.Google, err = googleWallet(cfg, logger); err != nil {
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
		return u.HandleStream(dynamo.StreamMember, dynamo.StreamRules), nil
	}))
}

// Deps assembles every dependency of the API on a store, the cards
// included, for the local stack and the tests; a nil clock is the real one,
// a nil logger writes JSON to stderr.
func Deps(cfg config.Config, s store.Store, clock loyalty.Clock, logger *slog.Logger) (api.Deps, error) {
	deps, err := apiwire.Deps(cfg, s, clock, logger)
	if err != nil {
		return api.Deps{}, err
	}
	if err := apiwire.WithMail(context.Background(), cfg, &deps); err != nil {
		return api.Deps{}, err
	}
	return deps, WithCards(context.Background(), cfg, &deps)
}

// Cards builds the card machinery on a store: the cards of the member codes'
// signer, the Apple pass builder of the logo as it is (from the pass
// certificate), and Google Wallet.
func Cards(ctx context.Context, cfg config.Config, s store.Store, codes *signing.Signer, now func() time.Time, logger *slog.Logger) (*wallet.Cards, error) {
	cards, err := applePasses(ctx, cfg, s, codes, now, logger)
	if err != nil {
		return nil, err
	}
	if cards.Google, err = googleWallet(cfg, logger); err != nil {
		return nil, err
	}
	return cards, nil
}

// applePasses builds the cards without Google Wallet.
func applePasses(ctx context.Context, cfg config.Config, s store.Store, codes *signing.Signer, now func() time.Time, logger *slog.Logger) (*wallet.Cards, error) {
	newApple, err := appleBuilder(cfg, logger)
	if err != nil {
		return nil, err
	}
	branding, err := wallet.NewBranding(ctx, &wallet.Branding{
		Store: s, Now: now, ProgramName: cfg.ProgramName, NewApple: newApple, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	// The promotions on a card are read on the program's clock, which
	// decides their windows.
	var clock loyalty.Clock
	if now != nil {
		clock = clockFunc(now)
	}
	cards := &wallet.Cards{Codes: codes, Branding: branding, ProgramName: cfg.ProgramName, PublicURL: cfg.PublicURL, Shops: s,
		Promotions: loyalty.NewPromotionsCache(s, clock)}
	cards.Assets, cards.Apple = branding.Current()
	return cards, nil
}

// clockFunc is a clock reading now.
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

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
	u := &wallet.Updater{Cards: cards, Accounts: s, Registrations: s, Campaigns: s, Logo: s, Logger: logger}
	if !cfg.AppleConfigured() {
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
