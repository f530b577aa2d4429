package template_test

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/fidelio/fidelio/infra/template"
	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/version"
)

// root is the repository's root, where template.yaml and go.mod are.
const root = "../.."

// deployed loads the project's own template.
func deployed(t *testing.T) *template.Template {
	t.Helper()
	tpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Functions) == 0 {
		t.Fatal("template.yaml declares no function")
	}
	return tpl
}

// ids lists the functions in a stable order, for stable test output.
func ids(tpl *template.Template) []string {
	var out []string
	for id := range tpl.Functions {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// TestFunctionsBuildAsSAMBuildsThem runs, for every function of
// template.yaml, what sam build runs for one with BuildMethod makefile
// (aws-lambda-builders' CustomMakeAction): `make --makefile Makefile
// build-<LogicalId>` in the function's CodeUri, with ARTIFACTS_DIR, an
// existing folder, in the environment. Each must leave there the bootstrap
// Lambda runs: a static, stripped linux/arm64 binary of the function's
// command, built with lambda.norpc and stamped with the commit.
func TestFunctionsBuildAsSAMBuildsThem(t *testing.T) {
	tpl := deployed(t)

	t.Run("every command under functions/ is deployed", func(t *testing.T) {
		entries, err := os.ReadDir(filepath.Join(root, "functions"))
		if err != nil {
			t.Fatal(err)
		}
		deployed := map[string]bool{}
		for _, f := range tpl.Functions {
			deployed[f.Dir] = true
		}
		for _, e := range entries {
			if e.IsDir() && !deployed[e.Name()] {
				t.Errorf("functions/%s is built by no function of template.yaml", e.Name())
			}
		}
	})

	makefile, err := filepath.Abs(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	artifacts := t.TempDir()
	build := func(id string) ([]byte, error) {
		dir := filepath.Join(artifacts, id)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
		cmd := exec.Command("make", "--makefile", makefile, "build-"+id)
		// The Makefile's rule builds from the module root, which is what
		// SAM copies for a CodeUri of ".".
		cmd.Dir = filepath.Join(root, tpl.Functions[id].CodeURI)
		// The commit as a sam build from a copy without .git is given it.
		cmd.Env = append(os.Environ(), "ARTIFACTS_DIR="+dir, "FIDELIO_COMMIT="+testCommit)
		return cmd.CombinedOutput()
	}
	// The first build alone compiles the shared packages into Go's cache
	// (and installs the web assets if they are stale); the others, a few at
	// a time as sam build --parallel runs them, then mostly link.
	functions := ids(tpl)
	outputs := make([][]byte, len(functions))
	errs := make([]error, len(functions))
	outputs[0], errs[0] = build(functions[0])
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.NumCPU())
	for i, id := range functions[1:] {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			outputs[i+1], errs[i+1] = build(id)
		})
	}
	wg.Wait()

	t.Run("in a checkout the commit stamped is the checkout's", func(t *testing.T) {
		head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatalf("git rev-parse HEAD: %v", err)
		}
		cmd := exec.Command("make", "--makefile", makefile, "--dry-run", "build-"+functions[0])
		cmd.Dir = root
		cmd.Env = append(slices.DeleteFunc(os.Environ(), func(v string) bool { return strings.HasPrefix(v, "FIDELIO_COMMIT=") }), "ARTIFACTS_DIR="+artifacts)
		out, err := cmd.CombinedOutput()
		if want := "version.commit=" + string(head[:12]); err != nil || !strings.Contains(string(out), want) {
			t.Errorf("make --dry-run build-%s: %v\n%s\nwant %s", functions[0], err, out, want)
		}
	})

	for i, id := range functions {
		f := tpl.Functions[id]
		t.Run(id+" is built by make build-"+id+" into a bootstrap for Lambda on arm64", func(t *testing.T) {
			if f.BuildMethod != "makefile" || f.CodeURI != "." {
				t.Errorf("build method %q from %q, want the Makefile from the module root, %q", f.BuildMethod, f.CodeURI, ".")
			}
			if errs[i] != nil {
				t.Fatalf("make build-%s: %v\n%s", id, errs[i], outputs[i])
			}
			checkBootstrap(t, filepath.Join(artifacts, id, "bootstrap"), f.Dir)
		})
	}
}

// sizeLimit is the most a function's stripped binary may weigh: 9.5 MiB,
// the web function 6 MiB (issue 18).
func sizeLimit(dir string) int64 {
	if dir == "web" {
		return 6 << 20
	}
	return 9.5 * (1 << 20)
}

// testCommit is the commit the test builds stamp, to be found in each binary.
const testCommit = "5a3b-build-test-commit"

// checkBootstrap checks that the binary at path is what provided.al2023
// runs on arm64, built from functions/<dir> as the Makefile's GOBUILD says.
func checkBootstrap(t *testing.T, path, dir string) {
	t.Helper()
	bin, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	if bin.Machine != elf.EM_AARCH64 || bin.Type != elf.ET_EXEC {
		t.Errorf("a %v %v, want an executable for arm64 (%v)", bin.Type, bin.Machine, elf.EM_AARCH64)
	}
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("dynamically linked, which the OS-only runtime may not run: want CGO_ENABLED=0")
		}
	}
	if bin.Section(".symtab") != nil {
		t.Error("not stripped: want -ldflags -s -w")
	}
	if st, err := os.Stat(path); err != nil {
		t.Error(err)
	} else if limit := sizeLimit(dir); st.Size() > limit {
		t.Errorf("%.2f MiB, over its %.2f MiB: see what it links with go tool nm -size -sort size", float64(st.Size())/(1<<20), float64(limit)/(1<<20))
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/fidelio/fidelio/functions/" + dir; info.Path != want {
		t.Errorf("built from %s, want %s", info.Path, want)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for key, want := range map[string]string{"GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "0", "-tags": "lambda.norpc", "-trimpath": "true"} {
		if settings[key] != want {
			t.Errorf("built with %s=%q, want %q", key, settings[key], want)
		}
	}
	// -trimpath keeps -ldflags out of the build information: the stamp is
	// looked for in the binary itself.
	if b, err := os.ReadFile(path); err != nil || !bytes.Contains(b, []byte(testCommit)) {
		t.Errorf("the commit %q (FIDELIO_COMMIT) is not stamped in the binary (%v)", testCommit, err)
	}
}

func TestFunctionsRunBootstrapOnProvidedAL2023ForArm64(t *testing.T) {
	tpl := deployed(t)
	for _, id := range ids(tpl) {
		f := tpl.Functions[id]
		t.Run(id+" runs a bootstrap binary on the OS-only runtime on Graviton", func(t *testing.T) {
			if f.Runtime != "provided.al2023" {
				t.Errorf("runtime %q, want provided.al2023", f.Runtime)
			}
			if f.Handler != "bootstrap" {
				t.Errorf("handler %q, want bootstrap, the file the runtime executes", f.Handler)
			}
			if !slices.Equal(f.Architectures, []string{"arm64"}) {
				t.Errorf("architectures %q, want exactly [arm64], which the Makefile builds for", f.Architectures)
			}
		})
	}
}

func TestRoutesAreTheOnesTheAPIServes(t *testing.T) {
	tpl := deployed(t)
	owner := map[string]string{} // route key → logical id of the function declaring it
	byDir := map[string]bool{}
	for _, id := range ids(tpl) {
		f := tpl.Functions[id]
		byDir[f.Dir] = true
		t.Run(id+" declares exactly the routes functions/"+f.Dir+" serves", func(t *testing.T) {
			declared := map[string]bool{}
			for _, r := range f.Routes {
				key := r.Method + " " + r.Path
				if other, ok := owner[key]; ok {
					t.Errorf("%s is declared twice, by %s and %s", key, other, id)
				}
				owner[key], declared[key] = id, true
			}
			served := map[string]bool{}
			for _, r := range api.Routes(f.Dir) {
				served[r.Method+" "+r.Path] = true
			}
			for key := range served {
				if !declared[key] {
					t.Errorf("%s is served by functions/%s but template.yaml does not declare it", key, f.Dir)
				}
			}
			for key := range declared {
				if !served[key] {
					t.Errorf("%s is declared in template.yaml but functions/%s does not serve it", key, f.Dir)
				}
			}
		})
	}
	t.Run("every route the API serves belongs to a deployed function", func(t *testing.T) {
		all := api.Routes("")
		if len(all) == 0 {
			t.Fatal("api.Routes lists no route at all")
		}
		for _, r := range all {
			if !byDir[r.Function] {
				t.Errorf("%s %s is served by %q, which template.yaml does not deploy", r.Method, r.Path, r.Function)
			}
		}
	})
}

func TestAPIFunctionsAreConfigured(t *testing.T) {
	tpl := deployed(t)
	var tables []string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::DynamoDB::Table" {
			tables = append(tables, id)
		}
	}
	if len(tables) != 1 {
		t.Fatalf("tables %v, want the single table", tables)
	}
	for _, id := range ids(tpl) {
		f := tpl.Functions[id]
		if len(f.Routes) == 0 {
			continue
		}
		t.Run(id+" sets every variable config.Deployed lists", func(t *testing.T) {
			for _, name := range config.Deployed {
				if f.Env[name] == "" {
					t.Errorf("%s is not set", name)
				}
			}
			if got, want := f.Env["FIDELIO_TABLE"], "!Ref "+tables[0]; got != want {
				t.Errorf("FIDELIO_TABLE is %q, want %q", got, want)
			}
		})
	}
}

// table is what both template.yaml and dynamo.CreateTable say about the
// table, in the shape both use: CloudFormation's property names are the
// DynamoDB API's.
type table struct {
	AttributeDefinitions   []attribute
	KeySchema              []keyElement
	GlobalSecondaryIndexes []struct {
		IndexName  string
		KeySchema  []keyElement
		Projection struct{ ProjectionType string }
	}
	BillingMode             string
	StreamSpecification     struct{ StreamViewType string }
	TimeToLiveSpecification struct {
		AttributeName string
		Enabled       bool
	}
}

type (
	attribute  struct{ AttributeName, AttributeType string }
	keyElement struct{ AttributeName, KeyType string }
)

func TestTableIsTheOneTheStoreCreates(t *testing.T) {
	tpl := deployed(t)
	props := tpl.Resources["Table"].Properties
	if props == nil {
		t.Fatal("template.yaml has no Table with properties")
	}
	// Through JSON, whose field matching ignores case, as the store's
	// requests are JSON too.
	var raw map[string]any
	if err := props.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var declared table
	if b, err := json.Marshal(raw); err != nil || json.Unmarshal(b, &declared) != nil {
		t.Fatalf("the Table's properties do not read as a table: %v", err)
	}
	created := createdByStore(t)

	for _, spec := range []*table{&declared, &created} {
		// DynamoDB does not care in which order attributes are defined.
		slices.SortFunc(spec.AttributeDefinitions, func(a, b attribute) int {
			return strings.Compare(a.AttributeName, b.AttributeName)
		})
	}
	if !reflect.DeepEqual(declared, created) {
		d, _ := json.MarshalIndent(declared, "", "  ")
		c, _ := json.MarshalIndent(created, "", "  ")
		t.Errorf("template.yaml declares\n%s\nbut dynamo.CreateTable creates\n%s", d, c)
	}

	t.Run("the deployed table keeps point-in-time recovery on", func(t *testing.T) {
		pitr, _ := raw["PointInTimeRecoverySpecification"].(map[string]any)
		if pitr["PointInTimeRecoveryEnabled"] != true {
			t.Errorf("PointInTimeRecoverySpecification = %v", raw["PointInTimeRecoverySpecification"])
		}
	})
}

// createdByStore runs dynamo.CreateTable against a stand-in for DynamoDB and
// returns what it asked for: the table, and the TTL it turns on once the
// table is active.
func createdByStore(t *testing.T) table {
	t.Helper()
	var (
		mu       sync.Mutex
		created  table
		requests []string
	)
	replies := map[string]string{
		"CreateTable":      `{"TableDescription":{"TableStatus":"CREATING"}}`,
		"DescribeTable":    `{"Table":{"TableStatus":"ACTIVE"}}`,
		"UpdateTimeToLive": `{}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
		body, err := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, op)
		if op == "CreateTable" || op == "UpdateTimeToLive" {
			if err == nil {
				err = json.Unmarshal(body, &created)
			}
			if err != nil {
				t.Errorf("%s request: %v", op, err)
			}
		}
		status, reply := http.StatusOK, replies[op]
		if reply == "" {
			status, reply = http.StatusBadRequest, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		// DynamoDB sends a CRC32 of each answer, and the SDK checks it.
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(reply))), 10))
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	defer srv.Close()

	ctx := context.Background()
	db, err := dynamo.Connect(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := dynamo.CreateTable(ctx, db, "fidelio-template-test"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(requests, "CreateTable") || !slices.Contains(requests, "UpdateTimeToLive") {
		t.Fatalf("the store sent %v, want a CreateTable and an UpdateTimeToLive", requests)
	}
	return created
}

// TestTemplateCanBePublishedToTheServerlessApplicationRepository holds the
// template's AWS::ServerlessRepo::Application metadata to what the
// repository accepts (CreateApplication's limits), to the files it names and
// to the one version, shared/version's.
func TestTemplateCanBePublishedToTheServerlessApplicationRepository(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Metadata struct {
			App struct {
				Name            string   `yaml:"Name"`
				Description     string   `yaml:"Description"`
				Author          string   `yaml:"Author"`
				SpdxLicenseID   string   `yaml:"SpdxLicenseId"`
				LicenseURL      string   `yaml:"LicenseUrl"`
				ReadmeURL       string   `yaml:"ReadmeUrl"`
				Labels          []string `yaml:"Labels"`
				HomePageURL     string   `yaml:"HomePageUrl"`
				SourceCodeURL   string   `yaml:"SourceCodeUrl"`
				SemanticVersion string   `yaml:"SemanticVersion"`
			} `yaml:"AWS::ServerlessRepo::Application"`
		} `yaml:"Metadata"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatal(err)
	}
	app := tpl.Metadata.App
	fields := []struct {
		name, value, pattern string
		max                  int
	}{
		{"Name", app.Name, `^[a-zA-Z0-9-]+$`, 140},
		{"Description", app.Description, `.`, 256},
		{"Author", app.Author, `^[a-z0-9](([a-z0-9]|-[a-z0-9])*)?$`, 127},
		{"SpdxLicenseId", app.SpdxLicenseID, `^Apache-2\.0$`, 16},
		{"HomePageUrl", app.HomePageURL, `^https://`, 1024},
		{"SourceCodeUrl", app.SourceCodeURL, `^https://`, 1024},
		{"SemanticVersion", app.SemanticVersion, `^` + regexp.QuoteMeta(version.Version) + `$`, 64},
	}
	for _, f := range fields {
		if !regexp.MustCompile(f.pattern).MatchString(f.value) || len(f.value) > f.max {
			t.Errorf("%s is %q, want it to match %s (at most %d characters)", f.name, f.value, f.pattern, f.max)
		}
	}
	if len(app.Labels) == 0 || len(app.Labels) > 10 {
		t.Errorf("%d labels, want 1 to 10", len(app.Labels))
	}
	for _, l := range app.Labels {
		if !regexp.MustCompile(`^[a-zA-Z0-9+\-_:/@]{1,127}$`).MatchString(l) {
			t.Errorf("label %q is not one the repository accepts", l)
		}
	}
	for name, file := range map[string]string{"LicenseUrl": app.LicenseURL, "ReadmeUrl": app.ReadmeURL} {
		if file == "" || filepath.IsAbs(file) {
			t.Errorf("%s is %q, want a file of the repository for sam package to upload", name, file)
			continue
		}
		if _, err := os.Stat(filepath.Join(root, file)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if licence, err := os.ReadFile(filepath.Join(root, app.LicenseURL)); err != nil || !strings.Contains(string(licence), "Apache License\n                           Version 2.0") {
		t.Errorf("LicenseUrl %s is not the Apache License 2.0 (%v)", app.LicenseURL, err)
	}
}
