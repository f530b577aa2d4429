package template_test

import (
	"context"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fidelio/fidelio/infra/template"
	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/store/dynamo"
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

	for _, id := range ids(tpl) {
		f := tpl.Functions[id]
		t.Run(id+" compiles functions/"+f.Dir+" for Lambda on arm64", func(t *testing.T) {
			t.Parallel()
			// The Makefile's build-%Function rule runs in the module root,
			// which is what SAM copies for a CodeUri of ".".
			if f.BuildMethod != "makefile" || f.CodeURI != "." {
				t.Errorf("build method %q from %q, want the Makefile from the module root, %q", f.BuildMethod, f.CodeURI, ".")
			}
			cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", os.DevNull, "./functions/"+f.Dir)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
			}
		})
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
