// Package stack is Fidelio's local stack: a store, the functions of
// template.yaml, and an HTTP handler that routes requests to them as API
// Gateway does (request -> API Gateway v2 event -> function -> response).
// Command infra/local serves it; tests start it in-process.
package stack

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/infra/local/dynamostream"
	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/mail"
	"github.com/fidelio/fidelio/shared/memberstream"
	"github.com/fidelio/fidelio/shared/publish"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/pdfcard"
	"github.com/fidelio/fidelio/shared/web"
	"github.com/fidelio/fidelio/shared/wire"
)

// Options configure a Stack.
type Options struct {
	Addr             string
	DataDir          string
	Store            string // "embedded" or "dynamodb"
	DynamoDBEndpoint string
	Table            string
	Template         string
	PublicURL        string
	Demo             bool
	// Clock, when set, replaces the real clock (tests choose the date).
	Clock loyalty.Clock
	// TimeTravel lets the admin API run a job as at a future instant
	// (jobs.Runner.TimeTravel): for development and tests, off by default.
	TimeTravel bool
	// Logger, when set, replaces the functions' JSON logs on stderr.
	Logger *slog.Logger
	// APNSURL and APNSRoots point the pass updater's pushes at a test's own
	// server (else FIDELIO_APNS_URL and FIDELIO_APNS_CA_FILE are read).
	APNSURL   string
	APNSRoots *x509.CertPool
	// Google Wallet, when an issuer is set (else FIDELIO_GOOGLE_ISSUER_ID,
	// FIDELIO_GOOGLE_SA_FILE and FIDELIO_GOOGLE_API_URL are read).
	GoogleIssuerID, GoogleServiceAccount, GoogleAPIURL string
}

// Stack is the local stack: a store, the functions of template.yaml, and an
// HTTP handler that routes to them as API Gateway would.
type Stack struct {
	Store   store.Store
	Secrets config.Secrets
	Demo    *Demo
	opts    Options
	mux     *http.ServeMux
	nRoutes int
	fnNames []string
	updater *wallet.Updater
	// publisher sends the program's events to the operator's webhooks.
	publisher *publish.Publisher
	// Campaigns are the campaigns' fan-out through the in-process queue
	// the campaigns function's SQS queue is in AWS.
	Campaigns *campaigns.Local
	fanout    *campaigns.Fanout
	// The template's schedules and the runner of their jobs.
	jobs     *jobs.Runner
	schedule []scheduledJob
	logger   *slog.Logger
}

// New opens the store, loads or makes the dev secrets, and mounts every
// route the template declares on the function that serves it.
func New(ctx context.Context, o Options) (*Stack, error) {
	if err := config.CheckPublicURL(o.PublicURL, false); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	s, err := openStore(ctx, o)
	if err != nil {
		return nil, err
	}
	st := &Stack{Store: s, opts: o, mux: http.NewServeMux()}
	if st.Secrets, err = devSecrets(o.DataDir); err != nil {
		s.Close()
		return nil, err
	}
	cfg, err := st.config()
	if err != nil {
		s.Close()
		return nil, err
	}
	deps, err := wire.Deps(cfg, s, o.Clock, o.Logger)
	if err != nil {
		s.Close()
		return nil, err
	}
	routes, scheduled, err := loadTemplate(o.Template, time.Now())
	if err != nil {
		s.Close()
		return nil, err
	}
	deps.Jobs.TimeTravel = o.TimeTravel
	deps.Pages = http.HandlerFunc(web.Page)
	outbox := mail.Outbox{Dir: filepath.Join(o.DataDir, "outbox")}
	deps.Mail = outbox
	deps.PrintCard = pdfcard.Printer(cfg.ProgramName)
	st.jobs, st.schedule, st.logger = deps.Jobs, scheduled, deps.Logger
	if v, err := s.SchemaVersion(ctx); err == nil && v < store.SchemaVersion {
		st.logger.Warn("the data predates this version of Fidelio: run the migrate job (POST /v1/admin/jobs/migrate/runs) to bring it up to date",
			slog.Int("schemaVersion", v), slog.Int("current", store.SchemaVersion))
	}
	apnsURL, roots := o.APNSURL, o.APNSRoots
	if apnsURL == "" {
		if apnsURL, roots, err = wire.APNsTarget(); err != nil {
			s.Close()
			return nil, err
		}
	}
	if st.updater, err = wire.NewUpdater(cfg, deps.Cards.(*wallet.Cards), deps.Store, deps.Logger, apnsURL, roots); err != nil {
		s.Close()
		return nil, err
	}
	st.publisher = newPublisher(s, deps.Logger)
	st.Campaigns = campaigns.NewLocal(deps.Logger)
	st.fanout = &campaigns.Fanout{Store: s, Program: deps.Program, Queue: st.Campaigns, PageSize: campaigns.PageSize, Workers: campaigns.Workers, Logger: deps.Logger}
	st.Campaigns.Handle = st.fanout.Handle
	deps.StartCampaign = st.fanout.Start
	deps.RefreshCards = func(ctx context.Context, r loyalty.CardRefresh) error { return st.fanout.StartRefresh(ctx, s, r) }
	functions := map[string]apigateway.Handler{}
	for _, r := range routes {
		fn, ok := functions[r.Function]
		if !ok {
			app, err := api.New(deps, r.Function)
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("template route %s %s: %w", r.Method, r.Path, err)
			}
			fn = apigateway.Wrap(app)
			functions[r.Function] = fn
			st.fnNames = append(st.fnNames, r.Function)
		}
		st.mux.Handle(r.Method+" "+api.MuxPath(r.Path), gateway(r.Method+" "+r.Path, r.Path, fn))
		st.nRoutes++
	}
	// The emails the stack sent, for the developer: never a route in AWS.
	st.mux.Handle("GET /dev/outbox", outbox)
	if o.Demo {
		if st.Demo, err = seedDemo(ctx, st, deps); err != nil {
			s.Close()
			return nil, err
		}
	}
	return st, nil
}

func (st *Stack) ServeHTTP(w http.ResponseWriter, r *http.Request) { st.mux.ServeHTTP(w, r) }

// Close closes the store.
func (st *Stack) Close() error { return st.Store.Close() }

var pathParam = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// gateway does what API Gateway does for one route: builds the v2 event with
// its route key and path parameters, invokes the function, writes its answer.
func gateway(routeKey, path string, fn apigateway.Handler) http.Handler {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		names = append(names, m[1])
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var params map[string]string
		for _, n := range names {
			if params == nil {
				params = map[string]string{}
			}
			params[n] = r.PathValue(n)
		}
		ev, err := apigateway.EventFromRequest(r, routeKey, requestID(), params)
		if err != nil {
			http.Error(w, `{"message":"Bad Request"}`, http.StatusBadRequest)
			return
		}
		resp, err := fn(r.Context(), ev)
		if err != nil {
			// What API Gateway answers when a function fails.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintln(w, `{"message":"Internal Server Error"}`)
			return
		}
		apigateway.WriteResponse(w, resp)
	})
}

func requestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func openStore(ctx context.Context, o Options) (store.Store, error) {
	switch o.Store {
	case "embedded", "":
		return embedded.Open(filepath.Join(o.DataDir, "fidelio.db"))
	case "dynamodb":
		if o.DynamoDBEndpoint == "" {
			return nil, errors.New("-store dynamodb needs -dynamodb-endpoint (or FIDELIO_DYNAMODB_ENDPOINT)")
		}
		db, err := dynamo.Connect(ctx, o.DynamoDBEndpoint)
		if err != nil {
			return nil, err
		}
		if err := dynamo.CreateTable(ctx, db, o.Table); err != nil {
			return nil, err
		}
		return dynamo.New(db, o.Table), nil
	}
	return nil, fmt.Errorf("-store must be embedded or dynamodb, not %q", o.Store)
}

// devSecrets reads the secrets from the environment, or from files in the
// data folder, generating them the first time.
func devSecrets(dir string) (config.Secrets, error) {
	var s config.Secrets
	var err error
	if s.AdminKey, err = envOrFile("FIDELIO_ADMIN_KEY", filepath.Join(dir, "admin-key"), func() string { return "fa_" + loyalty.NewRandomIDs().Secret() }); err != nil {
		return s, err
	}
	if s.CodeKeys, err = envOrFile("FIDELIO_CODE_KEYS", filepath.Join(dir, "code-keys"), func() string { return signing.NewKeySpec("K1") }); err != nil {
		return s, err
	}
	return s, s.Validate()
}

func envOrFile(env, path string, generate func() string) (string, error) {
	if v := os.Getenv(env); v != "" {
		return v, nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	v := generate()
	return v, os.WriteFile(path, []byte(v+"\n"), 0o600)
}

// Dev ids of the Apple pass certificate the stack makes when none is given.
const (
	devPassTypeID = "pass.dev.fidelio.local"
	devTeamID     = "FIDELIODEV"
)

// config is the functions' configuration for the stack. Without a pass
// certificate in the environment (FIDELIO_PASS_CERT_FILE, _KEY_FILE,
// FIDELIO_WWDR_CERT_FILE, FIDELIO_PASS_TYPE_ID, FIDELIO_TEAM_ID) it makes a
// dev chain in <data>/certs, so passes are signed for real: openssl verifies
// them against certs/root.pem, though no iPhone trusts that root.
func (st *Stack) config() (config.Config, error) {
	cfg := config.Config{
		Table: st.opts.Table, PublicURL: st.opts.PublicURL, ProgramName: "Fidelio Demo",
		PassTypeID: cmp.Or(os.Getenv("FIDELIO_PASS_TYPE_ID"), devPassTypeID), TeamID: cmp.Or(os.Getenv("FIDELIO_TEAM_ID"), devTeamID),
		Secrets:        st.Secrets,
		GoogleIssuerID: cmp.Or(st.opts.GoogleIssuerID, os.Getenv("FIDELIO_GOOGLE_ISSUER_ID")),
		GoogleAPIURL:   cmp.Or(st.opts.GoogleAPIURL, os.Getenv("FIDELIO_GOOGLE_API_URL")),
	}
	cfg.GoogleServiceAccount = st.opts.GoogleServiceAccount
	if path := os.Getenv("FIDELIO_GOOGLE_SA_FILE"); cfg.GoogleServiceAccount == "" && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("google service account: %w", err)
		}
		cfg.GoogleServiceAccount = string(b)
	}
	files := map[*string]string{
		&cfg.PassCert: os.Getenv("FIDELIO_PASS_CERT_FILE"), &cfg.PassKey: os.Getenv("FIDELIO_PASS_KEY_FILE"), &cfg.WWDRCert: os.Getenv("FIDELIO_WWDR_CERT_FILE"),
	}
	if files[&cfg.PassCert] == "" {
		dir := filepath.Join(st.opts.DataDir, "certs")
		if _, err := apple.DevChain(dir, cfg.PassTypeID, cfg.TeamID, time.Now()); err != nil {
			return cfg, fmt.Errorf("dev pass certificates: %w", err)
		}
		files = map[*string]string{&cfg.PassCert: filepath.Join(dir, "pass.pem"), &cfg.PassKey: filepath.Join(dir, "pass.key"), &cfg.WWDRCert: filepath.Join(dir, "wwdr.pem")}
	}
	for field, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("pass certificate: %w", err)
		}
		*field = string(b)
	}
	return cfg, nil
}

// RunUpdater feeds every committed change of a member to the pass updater
// and the event publisher until ctx ends, in order, as the DynamoDB stream
// feeds those functions in AWS, and the program's rules when saved to the
// pass updater: from the embedded store's change feed, or from the stream
// of the DynamoDB (Local) table. A change that fails is tried again after a
// pause; handled changes of the feed are forgotten.
func (st *Stack) RunUpdater(ctx context.Context) {
	switch s := st.Store.(type) {
	case *dynamo.Store:
		err := dynamostream.Follow(ctx, st.opts.DynamoDBEndpoint, st.opts.Table, st.streamRecord)
		if err != nil && ctx.Err() == nil {
			st.logger.Error("the pass updater stopped following the stream", slog.String("error", err.Error()))
		}
	case *embedded.Store:
		st.followFeed(ctx, s)
	}
}

// streamRecord hands a record of DynamoDB Local's stream to the pass
// updater, then to the event publisher, as their functions read it in AWS.
func (st *Stack) streamRecord(ctx context.Context, rec events.DynamoDBEventRecord) error {
	if err := st.updater.Record(dynamo.StreamMember, dynamo.StreamRules)(ctx, rec); err != nil {
		return err
	}
	return memberstream.Member(ctx, dynamo.StreamMember, st.publisher.Changed, rec)
}

// followFeed hands the embedded store's changes of members to changed, and
// the rules to the pass updater when their version moved: the feed carries
// members only, so the rules are read at each tick, once a second (not at
// each wake, which comes with every group of earnings).
func (st *Stack) followFeed(ctx context.Context, feed *embedded.Store) {
	var last uint64
	rules, err := feed.Rules(ctx)
	if err != nil {
		st.logger.Error("the rules could not be read; the pass updater takes the next ones saved", slog.String("error", err.Error()))
	}
	rulesVersion, checkRules := rules.Version, false
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		changes, err := feed.Changes(ctx, last, 100)
		for _, ch := range changes {
			if err = st.changed(ctx, ch.Before, ch.After); err != nil {
				break
			}
			last = ch.Seq
		}
		if err == nil && len(changes) > 0 {
			err = feed.Forget(ctx, last)
		}
		if err == nil && checkRules {
			if rules, err = feed.Rules(ctx); err == nil && rules.Version != rulesVersion {
				if err = st.updater.ProgramSaved(ctx, rules); err == nil {
					rulesVersion = rules.Version
				}
			}
			checkRules = err != nil
		}
		if err != nil {
			st.logger.Error("pass update failed; trying again", slog.String("error", err.Error()))
		}
		if err == nil && len(changes) == 100 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-feed.Changed():
		case <-tick.C:
			checkRules = true
		}
	}
}

// RunCampaigns does the campaigns' and the card refreshes' fan-outs until
// ctx ends, as the campaigns function does from its queue in AWS: first
// those a stop cut short.
func (st *Stack) RunCampaigns(ctx context.Context) {
	st.Campaigns.Run(ctx)
	cs, err := st.Store.Campaigns(ctx, store.MaxCampaigns)
	if err == nil {
		err = st.fanout.Resume(ctx, cs)
	}
	if err == nil {
		var rs []loyalty.CardRefresh
		if rs, err = st.Store.UnfinishedCardRefreshes(ctx); err == nil {
			err = st.fanout.ResumeRefreshes(ctx, rs)
		}
	}
	if err != nil {
		st.logger.Error("the campaigns cut short were not resumed", slog.String("error", err.Error()))
	}
}

// RunSchedules runs the template's schedules until ctx ends: each job at the
// instants EventBridge Scheduler would run it, with that instant as the
// run's time, one run at a time.
func (st *Stack) RunSchedules(ctx context.Context) {
	if len(st.schedule) == 0 {
		return
	}
	for {
		now := time.Now()
		var due scheduledJob
		var at time.Time
		for _, sj := range st.schedule {
			if n := sj.schedule.next(now); !n.IsZero() && (at.IsZero() || n.Before(at)) {
				due, at = sj, n
			}
		}
		if at.IsZero() {
			return
		}
		timer := time.NewTimer(time.Until(at))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		summary, err := st.jobs.Run(ctx, due.Job, at)
		if err != nil {
			st.logger.Error("scheduled job failed", slog.String("job", due.Job), slog.Time("at", at), slog.String("error", err.Error()))
			continue
		}
		st.logger.Info("scheduled job ran", slog.String("job", due.Job), slog.Time("at", at), slog.Int("examined", summary.Examined), slog.Int("changed", summary.Changed))
	}
}

// Welcome is what the stack prints at start.
func (st *Stack) Welcome() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fidelio %s (commit %s) local stack on %s (%s store, %d routes of %s, functions %s)\n",
		version.Version, version.Commit(), st.opts.PublicURL, cmp.Or(st.opts.Store, "embedded"), st.nRoutes, st.opts.Template, strings.Join(st.fnNames, ", "))
	fmt.Fprintf(&b, "  admin key:  %s\n", st.Secrets.AdminKey)
	if st.opts.TimeTravel {
		b.WriteString("  time travel: on, jobs run as at any instant asked, the future included\n")
	}
	for _, sj := range st.schedule {
		fmt.Fprintf(&b, "  schedule:   %-15s %s, next %s\n", sj.Job, sj.Expression, sj.schedule.next(time.Now()).Format(time.RFC3339))
	}
	if st.Demo != nil {
		b.WriteString(st.Demo.Describe(st.opts.PublicURL))
	}
	return b.String()
}
