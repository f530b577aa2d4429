package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wire"
)

func TestMemberSearch(t *testing.T) {
	f := newFixture(t)
	first := f.enroll("ada@example.com")
	f.enroll("ada.b@example.com")
	f.enroll("ada.c@example.com")
	number := first.str("memberNumber")
	search := func(query string) response {
		t.Helper()
		return f.do("GET", "/v1/admin/members?"+query, adminKey, "")
	}

	r := search("q=" + url.QueryEscape(strings.ToLower(number)))
	f.expect(r, 200, "")
	hits, _ := r.body["members"].([]any)
	if len(hits) != 1 || r.str("matchedBy") != "number" {
		t.Fatalf("search by number %q = %v", number, r.body)
	}
	hit := hits[0].(map[string]any)
	for k, want := range map[string]any{"id": first.str("id"), "name": "Ada", "memberNumber": number, "email": "ada@example.com", "tier": "bronze", "balance": float64(50)} {
		if hit[k] != want {
			t.Errorf("hit %s = %v, want %v", k, hit[k], want)
		}
	}

	r = search("q=ADA.B%40EXAMPLE.COM")
	f.expect(r, 200, "")
	if hits, _ := r.body["members"].([]any); len(hits) != 1 || r.str("matchedBy") != "email" {
		t.Fatalf("search by email = %v", r.body)
	}

	seen := map[string]bool{}
	query := "q=ad&limit=2"
	for page := 0; ; page++ {
		if page == 3 {
			t.Fatalf("three pages of 2 for 3 members")
		}
		r = search(query)
		f.expect(r, 200, "")
		hits, _ := r.body["members"].([]any)
		for _, h := range hits {
			seen[h.(map[string]any)["id"].(string)] = true
		}
		if r.str("next") == "" {
			break
		}
		query = "q=ad&limit=2&cursor=" + r.str("next")
	}
	if len(seen) != 3 {
		t.Fatalf("the pages of \"ad\" hold %d members, want 3", len(seen))
	}

	for _, bad := range []string{"", "q=", "q=ada&limit=0", "q=ada&limit=101", "q=ada&cursor=%21%21", "q=ada&cursor=eHl6", "q=" + strings.Repeat("a", 255)} {
		f.expect(search(bad), 400, "invalid_request")
	}
	staff := f.staffKey("paris")
	f.expect(f.do("GET", "/v1/admin/members?q=ada", staff, ""), 403, "forbidden")
	f.expect(f.do("GET", "/v1/admin/members?q=ada", first.str("token"), ""), 403, "forbidden")
}

func TestMigrateJob(t *testing.T) {
	f := newFixture(t)
	r := f.do("POST", "/v1/admin/jobs/migrate/runs", adminKey, `{"dryRun":true}`)
	f.expect(r, 200, "")
	if r.str("job") != "migrate" || r.body["dryRun"] != true || r.num("from") != store.SchemaVersion || r.num("to") != store.SchemaVersion {
		t.Fatalf("a dry run on a new file = %v, want nothing to do at version %d", r.body, store.SchemaVersion)
	}
	f.expect(f.do("POST", "/v1/admin/jobs/expiry/runs", adminKey, `{"dryRun":true}`), 400, "invalid_request")
}

// laterTable is a store on a table a later build upgraded, as the DynamoDB
// store finds it on its first call.
type laterTable struct{ *embedded.Store }

func (laterTable) LoadAccount(context.Context, string) (loyalty.Account, error) {
	return loyalty.Account{}, fmt.Errorf("get MEMBER#x: %w", &store.SchemaError{Found: store.SchemaVersion + 1})
}

func TestATableOfALaterVersionIsA503(t *testing.T) {
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var logs bytes.Buffer
	deps, err := wire.Deps(config.Config{Secrets: config.Secrets{AdminKey: adminKey, CodeKeys: signing.NewKeySpec("K1")}}, laterTable{s}, storetest.NewClock(storetest.Start), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, app: app, s: s}
	r := f.do("GET", "/v1/members/01KAAAAAAAAAAAAAAAAAAAAAAA", adminKey, "")
	f.expect(r, 503, "schema_too_new")
	if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), fmt.Sprintf("schema version %d", store.SchemaVersion+1)) {
		t.Fatalf("the log says %s; want an error naming the version found", logs.String())
	}
}
