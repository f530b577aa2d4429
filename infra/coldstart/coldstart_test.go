package coldstart_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/fidelio/fidelio/infra/coldstart"
	"github.com/fidelio/fidelio/infra/template"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/version"
	"github.com/fidelio/fidelio/shared/wallet/apple"
)

// The secret the sample events were recorded with (events/events_test.go).
const (
	adminKey = "fa_sample_admin_key_0000000000"
	codeKeys = "K1:c2FtcGxlIGNvZGUga2V5IGZvciByZWNvcmRlZCBldmVudHMh"
)

const root = "../.."

// lab is what every test here shares: the binaries, built once per run, and
// moto_server, started once. DynamoDB Local is the one make test starts.
var lab struct {
	err    error
	bin    string
	moto   *coldstart.Moto
	tpl    *template.Template
	dynamo string
	// A development pass certificate chain, in PEM.
	passCert, passKey, wwdrCert string
}

var stages atomic.Int64

// TestMain builds the binaries before the tests' clock starts: the first
// build of a machine compiles every dependency without file paths.
func TestMain(m *testing.M) {
	if lab.dynamo = os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"); lab.dynamo != "" {
		lab.err = prepare()
	}
	code := m.Run()
	if lab.moto != nil {
		lab.moto.Stop()
	}
	if lab.bin != "" {
		os.RemoveAll(lab.bin)
	}
	os.Exit(code)
}

func prepare() error {
	var err error
	if lab.tpl, err = template.Load(filepath.Join(root, "template.yaml")); err != nil {
		return err
	}
	if lab.bin, err = os.MkdirTemp("", "fidelio-coldstart-"); err != nil {
		return err
	}
	certs := filepath.Join(lab.bin, "certs")
	if _, err := apple.DevChain(certs, passType, teamID, time.Now()); err != nil {
		return err
	}
	for dst, name := range map[*string]string{&lab.passCert: "pass.pem", &lab.passKey: "pass.key", &lab.wwdrCert: "wwdr.pem"} {
		b, err := os.ReadFile(filepath.Join(certs, name))
		if err != nil {
			return err
		}
		*dst = string(b)
	}
	if err := coldstart.Build(root, lab.bin); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lab.moto, err = coldstart.StartMoto(ctx)
	return err
}

// setup fails or skips a test that cannot run the binaries.
func setup(t testing.TB) {
	t.Helper()
	if lab.dynamo == "" {
		if os.Getenv("FIDELIO_REQUIRE_DYNAMODB") != "" {
			t.Fatal("FIDELIO_DYNAMODB_ENDPOINT is not set, and this run requires DynamoDB Local")
		}
		t.Skip("FIDELIO_DYNAMODB_ENDPOINT is not set: `make test` starts DynamoDB Local and runs these tests")
	}
	if lab.err != nil {
		t.Fatal(lab.err)
	}
}

// stage makes a stack of its own: a secret holding secret in moto_server
// and, when withTable, its table on DynamoDB Local.
func stage(t testing.TB, secret string, withTable bool) coldstart.Stage {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("cs%d-%d", os.Getpid()%100000, stages.Add(1))
	sm := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(lab.moto.URL),
		Credentials: credentials.NewStaticCredentialsProvider("coldstart", "coldstart", ""),
	})
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("fidelio/" + name), SecretString: aws.String(secret)})
	if err != nil {
		t.Fatal(err)
	}
	params := ssm.New(ssm.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(lab.moto.URL),
		Credentials: credentials.NewStaticCredentialsProvider("coldstart", "coldstart", ""),
	})
	if _, err := params.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/fidelio/" + name + "/public-url"), Value: aws.String("https://loyalty.example.com"), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	st := coldstart.Stage{
		Template: lab.tpl,
		// The event publisher's bus is moto_server's default one.
		Parameters: map[string]string{"Stage": name, "SecretArn": aws.ToString(out.ARN), "PassTypeId": passType, "TeamId": teamID, "EventBus": "default"},
		DynamoDB:   lab.dynamo, SecretsManager: lab.moto.URL,
	}
	if withTable {
		if err := dynamo.CreateTable(ctx, functionsDB(t), "fidelio-"+name); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// functionsDB connects to DynamoDB Local with the functions' access key, so
// that it sees their tables.
func functionsDB(t testing.TB) *dynamodb.Client {
	t.Helper()
	db, err := dynamo.Connect(context.Background(), lab.dynamo)
	if err != nil {
		t.Fatal(err)
	}
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(coldstart.AccessKeyID, "coldstart", "")
	})
}

// invoke starts the binary of functions/dir on st with event; the bare
// function gets the environment of the admin function.
func invoke(t testing.TB, st coldstart.Stage, dir string, event []byte) coldstart.Run {
	t.Helper()
	envOf := dir
	if dir == "bare" {
		envOf = "admin"
	}
	env, err := st.Env(envOf)
	if err != nil {
		t.Fatal(err)
	}
	// A job's run on a loaded machine's DynamoDB Local can take tens of seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	run, err := coldstart.Invoke(ctx, filepath.Join(lab.bin, dir), env, event)
	if err != nil {
		t.Fatalf("%v\n%s", err, run.Log())
	}
	return run
}

func readEvent(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "events", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sample is one function's event and the answer it must give.
type sample struct {
	dir, event string
	check      func(t *testing.T, answer []byte)
}

// httpAnswer checks an API function's answer: its status, and that its body
// holds each of parts.
func httpAnswer(status int, parts ...string) func(*testing.T, []byte) {
	return func(t *testing.T, answer []byte) {
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(answer, &resp); err != nil {
			t.Fatalf("answer is not an HTTP API response: %v\n%s", err, answer)
		}
		if resp.StatusCode != status {
			t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, resp.Body)
		}
		for _, p := range parts {
			if !strings.Contains(resp.Body, p) {
				t.Errorf("body does not hold %q: %s", p, resp.Body)
			}
		}
	}
}

// pngAnswer checks an API function's answer: a PNG image.
func pngAnswer(t *testing.T, answer []byte) {
	httpAnswer(200)(t, answer)
	var resp events.APIGatewayV2HTTPResponse
	json.Unmarshal(answer, &resp)
	if resp.Headers["Content-Type"] != "image/png" || !resp.IsBase64Encoded {
		t.Errorf("not a PNG: %s, base64 %v", resp.Headers["Content-Type"], resp.IsBase64Encoded)
	}
}

// jobSummary checks a job function's summary: the job run, at the trigger's time.
func jobSummary(job string) func(*testing.T, []byte) {
	return func(t *testing.T, answer []byte) {
		var s struct {
			Job  string    `json:"job"`
			At   time.Time `json:"at"`
			Days []string  `json:"days"`
		}
		if err := json.Unmarshal(answer, &s); err != nil {
			t.Fatalf("answer is not a job summary: %v\n%s", err, answer)
		}
		if s.Job != job || !s.At.Equal(time.Date(2026, 11, 23, 10, 5, 0, 0, time.UTC)) || len(s.Days) == 0 {
			t.Errorf("summary %s, want job %s at 2026-11-23T10:05:00Z having read its days", answer, job)
		}
	}
}

var samples = []sample{
	{"web", "web/join-page.json", httpAnswer(200, "<form")},
	{"members", "members/enroll.json", httpAnswer(201, `"token":"fm_`, `"code":"F1.K1.`, `"name":"Ada Lovelace"`)},
	{"staff", "staff/earn-bad-amount.json", httpAnswer(400, `"code":"invalid_json"`)},
	{"admin", "admin/list-rewards.json", httpAnswer(200, "[]")},
	{"walletservice", "walletservice/device-serials.json", httpAnswer(204)},
	{"cards", "cards/wallet-image.json", pngAnswer},
	{"passupdater", "passupdater/member-earned.json", noBatchFailures},
	{"eventpublisher", "passupdater/member-earned.json", noBatchFailures},
	{"campaigns", "campaigns/page.json", noMessageFailures},
	{"birthdays", "birthdays/scheduled.json", jobSummary("birthdays")},
	{"donations", "donations/scheduled.json", jobSummary("donations")},
	{"expiry", "expiry/scheduled.json", jobSummary("expiry")},
	{"tierreview", "tierreview/scheduled.json", jobSummary("tier-review")},
	{"segments", "segments/scheduled.json", jobSummary("segments")},
}

// noBatchFailures checks a stream handler's answer: a batch response that
// reports no record failed.
func noBatchFailures(t *testing.T, answer []byte) {
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		t.Fatalf("answer is not a batch response: %v\n%s", err, answer)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("records failed: %s", answer)
	}
}

// noMessageFailures checks a queue handler's answer: a batch response that
// reports no message failed.
func noMessageFailures(t *testing.T, answer []byte) {
	var resp events.SQSEventResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		t.Fatalf("answer is not a batch response: %v\n%s", err, answer)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("messages failed: %s", answer)
	}
}

// The pass type and team the wallet samples were recorded with.
const passType, teamID = "pass.dev.fidelio.events", "EVENTSTEAM"

// goodSecret is the secret as template.yaml describes it, with a pass
// certificate, so Apple Wallet is on.
func goodSecret() string {
	b, _ := json.Marshal(map[string]string{"adminKey": adminKey, "codeKeys": codeKeys,
		"passCert": lab.passCert, "passKey": lab.passKey, "wwdrCert": lab.wwdrCert})
	return string(b)
}

// seedStaffKey stores the staff key the staff samples were recorded with.
func seedStaffKey(t *testing.T, st coldstart.Stage, event []byte) {
	t.Helper()
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(ev.Headers["authorization"], "Bearer ")
	id, _, _ := strings.Cut(strings.TrimPrefix(token, "fs_"), "_")
	s := dynamo.New(functionsDB(t), "fidelio-"+st.Parameters["Stage"])
	k := loyalty.StaffKey{ID: id, StoreID: "paris-rivoli", Name: "Till 1", Hash: loyalty.HashSecret(token), CreatedAt: time.Now()}
	if err := s.SaveStaffKey(context.Background(), k, loyalty.NewAudit(loyalty.NewRandomIDs(), k.CreatedAt, loyalty.Actor{Who: loyalty.WhoProgram}, "staff-key.create", id, "cold-start test")); err != nil {
		t.Fatal(err)
	}
}

// TestEachFunctionServesASampleEvent starts each function's binary as Lambda
// would, with its secret in Secrets Manager and its table on DynamoDB, hands
// it one sample event and checks its answer. It logs each start time beside
// the bare function's.
func TestEachFunctionServesASampleEvent(t *testing.T) {
	setup(t)
	st := stage(t, goodSecret(), true)
	times := map[string]time.Duration{}
	for _, sm := range samples {
		t.Run(sm.dir, func(t *testing.T) {
			event := readEvent(t, sm.event)
			if sm.dir == "staff" {
				seedStaffKey(t, st, event)
			}
			run := invoke(t, st, sm.dir, event)
			if run.Exited || run.Response == nil {
				t.Fatalf("no answer (exited %v with %d, error %s):\n%s", run.Exited, run.ExitCode, run.Error, run.Log())
			}
			sm.check(t, run.Response)
			assertStartLine(t, run.Stderr, sm.dir)
			assertNoSecretIn(t, run.Log(), adminKey, codeKeys, lab.passKey)
			times[sm.dir] = run.Started
		})
	}
	bare := invoke(t, st, "bare", []byte(`{"ping":1}`))
	if string(bare.Response) != `{"ping":1}` {
		t.Fatalf("the bare function answered %s:\n%s", bare.Response, bare.Log())
	}
	var report strings.Builder
	fmt.Fprintf(&report, "exec to first /invocation/next (one start each; go test -bench ColdStart for figures):\n")
	for _, sm := range samples {
		fmt.Fprintf(&report, "  %-14s %-36s %6.1f ms\n", sm.dir, sm.event, ms(times[sm.dir]))
	}
	fmt.Fprintf(&report, "  %-14s %-36s %6.1f ms\n", "bare", "(echo)", ms(bare.Started))
	t.Log(report.String())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// assertStartLine checks the first line a function logs, as it starts: it
// names the function, the release and the commit.
func assertStartLine(t *testing.T, log, dir string) {
	t.Helper()
	first, _, _ := strings.Cut(log, "\n")
	var start struct{ Msg, Function, Version, Commit string }
	if json.Unmarshal([]byte(first), &start) != nil || start.Msg != "start" {
		t.Fatalf("the first line is not the start-up line:\n%s", log)
	}
	if start.Function != dir || start.Version != version.Version || start.Commit == "" {
		t.Errorf("start-up line %s; want function %q, version %q and a commit", first, dir, version.Version)
	}
}

func assertNoSecretIn(t *testing.T, log string, values ...string) {
	t.Helper()
	for _, v := range values {
		if strings.Contains(log, v) {
			t.Errorf("the log holds a secret value %q:\n%s", v, log)
		}
	}
}

// jobFunctions are the functions that need the store alone, no secret: the
// jobs, the event publisher and the campaigns' fan-out.
var jobFunctions = map[string]bool{"birthdays": true, "donations": true, "expiry": true, "tierreview": true, "segments": true, "eventpublisher": true, "campaigns": true}

// TestDependencyFailuresAreClear gives every function that reads the secret
// or the table a broken one. Each still starts (it reads nothing at start),
// and its first event fails clearly: an API function answers 503
// problem+json, the pass updater and a job fail the invocation (so it is
// retried), and the log holds one JSON line naming the problem and no secret
// value. A job, which never reads the secret, is not troubled by a broken one.
func TestDependencyFailuresAreClear(t *testing.T) {
	setup(t)
	const wrongAdminKey = "sk_live_0123456789abcdefghijklmn"
	secret := func(fields map[string]string) string { b, _ := json.Marshal(fields); return string(b) }
	cases := []struct {
		name      string
		secret    string
		withTable bool
		message   string
		hidden    []string
	}{
		{"a secret that is not JSON", "adminKey=" + adminKey + "\ncodeKeys=" + codeKeys, true,
			"is not JSON", []string{adminKey, codeKeys, "'a'"}},
		{"a secret without codeKeys", secret(map[string]string{"adminKey": adminKey}), true,
			"codeKeys", []string{adminKey}},
		{"an admin key of the wrong form", secret(map[string]string{"adminKey": wrongAdminKey, "codeKeys": codeKeys}), true,
			"admin key must start with fa_", []string{wrongAdminKey, codeKeys}},
		{"a table that does not exist", goodSecret(), false,
			"does not exist", []string{adminKey, codeKeys}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := stage(t, c.secret, c.withTable)
			table := "fidelio-" + st.Parameters["Stage"]
			for _, sm := range samples {
				if sm.dir == "web" {
					continue // it reads neither secret nor table
				}
				t.Run(sm.dir, func(t *testing.T) {
					run := invoke(t, st, sm.dir, readEvent(t, sm.event))
					if run.Exited || run.Started == 0 {
						t.Fatalf("it did not start (exited %v with %d):\n%s", run.Exited, run.ExitCode, run.Log())
					}
					if run.Stdout != "" {
						t.Errorf("it wrote on stdout: %s", run.Stdout)
					}
					assertNoSecretIn(t, run.Log(), c.hidden...)
					assertStartLine(t, run.Stderr, sm.dir)
					lines := withoutRuntimeReports(withoutLocalArtifacts(strings.Split(strings.TrimSpace(run.Stderr), "\n")))[1:]
					if jobFunctions[sm.dir] && c.withTable {
						if run.Response == nil || strings.Contains(run.Stderr, `"level":"ERROR"`) {
							t.Fatalf("a job does not read the secret, yet it failed (answer %s, error %s):\n%s", run.Response, run.Error, run.Log())
						}
						return
					}
					switch {
					case sm.dir == "passupdater" || jobFunctions[sm.dir]:
						if run.Error == nil || run.Response != nil {
							t.Errorf("the invocation did not fail (answer %s)", run.Response)
						}
					default:
						httpAnswer(503, `"code":"unavailable"`)(t, run.Response)
						if strings.Contains(string(run.Response), table) || strings.Contains(string(run.Response), "secret") {
							t.Errorf("the answer tells the client the reason: %s", run.Response)
						}
					}
					var line struct{ Level, Msg, Error string }
					if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &line) != nil {
						t.Fatalf("want one JSON line, got:\n%s", run.Stderr)
					}
					if line.Level != "ERROR" || !strings.Contains(line.Error, c.message) {
						t.Errorf("the line does not say %q at level ERROR: %s", c.message, lines[0])
					}
					if c.withTable && strings.Contains(line.Error, "table") || !c.withTable && !strings.Contains(line.Error, table) {
						t.Errorf("the line blames the wrong thing: %s", lines[0])
					}
				})
			}
		})
	}
}

// TestNoFunctionCallsTheNetworkAtStart points every AWS endpoint at a server
// that notes when each call comes, and checks that no function calls one
// before it asks for its first event.
func TestNoFunctionCallsTheNetworkAtStart(t *testing.T) {
	setup(t)
	var mu sync.Mutex
	var calls []time.Time
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, time.Now())
		mu.Unlock()
		// A client error, which the SDK does not retry.
		http.Error(w, `{"__type":"ValidationException","message":"refused"}`, http.StatusBadRequest)
	}))
	defer aws.Close()
	st := stage(t, goodSecret(), true)
	st.DynamoDB, st.SecretsManager = aws.URL, aws.URL
	for _, sm := range samples {
		t.Run(sm.dir, func(t *testing.T) {
			mu.Lock()
			calls = nil
			mu.Unlock()
			run := invoke(t, st, sm.dir, readEvent(t, sm.event))
			if run.Started == 0 {
				t.Fatalf("it did not start:\n%s", run.Log())
			}
			mu.Lock()
			defer mu.Unlock()
			for _, at := range calls {
				if at.Before(run.Asked) {
					t.Errorf("it called AWS %v before asking for its first event", run.Asked.Sub(at))
				}
			}
		})
	}
}

// withoutLocalArtifacts drops the SDK's warning about the checksum of an
// error answer, which DynamoDB Local sends wrong (x-amz-crc32: 0) and
// DynamoDB does not.
func withoutLocalArtifacts(lines []string) []string {
	var kept []string
	for _, l := range lines {
		if !(strings.HasPrefix(l, "SDK ") && strings.Contains(l, "response did not match expected checksum, 0,")) {
			kept = append(kept, l)
		}
	}
	return kept
}

// withoutRuntimeReports drops aws-lambda-go's own line for an invocation
// that failed (a log timestamp, then its JSON error report), which it writes
// beside the function's line.
func withoutRuntimeReports(lines []string) []string {
	var kept []string
	for _, l := range lines {
		if _, report, ok := strings.Cut(l, " {\"errorMessage\":"); !ok || strings.HasPrefix(l, "{") || report == "" {
			kept = append(kept, l)
		}
	}
	return kept
}

// BenchmarkColdStart times each function's start, exec to its first GET of
// the next invocation, beside the bare aws-lambda-go function's, on one stage
// with a good secret and a table. Each round starts the bare function and
// then every function once, so a change in the machine's load falls on all
// of them alike; it reports, per function, the median start (<dir>-ms) and
// its ratio to the bare function's median (<dir>-x-bare), and the same of
// the CPU time the start used (<dir>-cpu-ms, <dir>-cpu-x-bare; Linux), which
// a machine busy with other work delays but does not grow.
func BenchmarkColdStart(b *testing.B) {
	setup(b)
	st := stage(b, goodSecret(), true)
	all := append([]sample{{dir: "bare"}}, samples...)
	events := map[string][]byte{}
	for _, sm := range all {
		events[sm.dir] = []byte(`{}`)
		if sm.event != "" {
			events[sm.dir] = readEvent(b, sm.event)
		}
	}
	starts, cpu := map[string][]float64{}, map[string][]float64{}
	for b.Loop() {
		for _, sm := range all {
			run := invoke(b, st, sm.dir, events[sm.dir])
			if run.Started == 0 {
				b.Fatalf("%s did not start:\n%s", sm.dir, run.Log())
			}
			starts[sm.dir] = append(starts[sm.dir], ms(run.Started))
			cpu[sm.dir] = append(cpu[sm.dir], ms(run.CPU))
		}
	}
	bare, bareCPU := median(starts["bare"]), median(cpu["bare"])
	for _, sm := range all {
		m := median(starts[sm.dir])
		b.ReportMetric(m, sm.dir+"-ms")
		b.ReportMetric(m/bare, sm.dir+"-x-bare")
		if bareCPU > 0 {
			c := median(cpu[sm.dir])
			b.ReportMetric(c, sm.dir+"-cpu-ms")
			b.ReportMetric(c/bareCPU, sm.dir+"-cpu-x-bare")
		}
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestBuildFlagsAreTheMakefiles holds the harness's build to make build's:
// the binaries under test are built as the ones Lambda runs, less the
// commit stamp (STAMP), which only changes what they report.
func TestBuildFlagsAreTheMakefiles(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var gobuild string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "GOBUILD := "); ok {
			gobuild = rest
		}
	}
	want := "go build " + strings.Join(coldstart.BuildFlags[:3], " ") + " -ldflags='-s -w $(STAMP)'"
	if coldstart.BuildFlags[3] != "-ldflags=-s -w" || !strings.HasSuffix(gobuild, want) {
		t.Errorf("the Makefile builds with %q; the harness with %q", gobuild, coldstart.BuildFlags)
	}
}
