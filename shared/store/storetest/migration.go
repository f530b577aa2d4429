package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// The members of the schema 1 fixtures (testdata/schema1.golden of each
// store: Populate and five enrollments, written by the stores before schema
// versions existed), by id.
var schema1Members = map[string]string{
	"01M83XJ8800000000000000001": "Ada Lovelace",
	"01M84103W00000000000000001": "Émile Zola",
	"01M84103W00000000000000004": "Zoë Dupont",
	"01M84103W00000000000000007": "Ada Byron",
	"01M84103W0000000000000000A": "Grace Hopper",
	"01M84103W0000000000000000D": "Jean-Pierre Rampal",
}

// RunMigration checks the migrate job on a table written in schema 1:
// open returns a store holding the store's schema 1 fixture.
func RunMigration(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("a dry run reports the backfill and changes nothing", func(t *testing.T) {
		e := migrationEnv(t, open(t))
		sum, err := e.runner.Migrate(e.ctx, e.store, true)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.DryRun || sum.From != 1 || sum.To != store.SchemaVersion || len(sum.Migrations) != store.SchemaVersion-1 {
			t.Fatalf("dry run = %+v, want 1 → %d with a migration a version", sum, store.SchemaVersion)
		}
		// Every member lacks its number, its referral code and its name
		// keys: two for a name of two words, three for Jean-Pierre Rampal's.
		if c := sum.Migrations[0]; c.Examined != 6 || c.Changed != 6 || c.Items != 25 {
			t.Fatalf("dry run counted %+v, want 6 members examined, 6 changed, 25 items", c)
		}
		e.wantSchema(1, "")
		e.wantUnfound()
	})

	t.Run("an interrupted migration resumes where it stopped, then re-runs as a no-op", func(t *testing.T) {
		e := migrationEnv(t, open(t))
		e.wantUnfound()
		failing := &failingLookups{Store: e.store, after: 2}
		sum, err := e.runner.Migrate(e.ctx, failing, false)
		if err == nil || !sum.Unfinished {
			t.Fatalf("a run whose third member fails = %+v, %v; want unfinished with an error", sum, err)
		}
		first := sum.Migrations[0]
		if first.Examined != 3 || first.Changed != 2 {
			t.Fatalf("the interrupted run counted %+v, want 3 examined, 2 changed", first)
		}
		cursor, err := e.store.MigrationCursor(e.ctx, 2)
		if err != nil || cursor == "" {
			t.Fatalf("cursor after the interrupted run = %q, %v; want one", cursor, err)
		}
		e.wantSchema(1, cursor)

		sum, err = e.runner.Migrate(e.ctx, e.store, false)
		if err != nil || sum.From != 1 || sum.To != store.SchemaVersion || sum.Unfinished {
			t.Fatalf("the resumed run = %+v, %v", sum, err)
		}
		// It starts at the page that failed: the two members before it are
		// not read again.
		if c := sum.Migrations[0]; c.Examined != 4 || c.Changed != 4 || first.Items+c.Items != 25 {
			t.Fatalf("the resumed run counted %+v after %+v, want 4 examined, 4 changed, 25 items in all", c, first)
		}
		if v, err := e.store.SchemaVersion(e.ctx); err != nil || v != store.SchemaVersion {
			t.Fatalf("schema version after the resumed run = %d, %v; want %d", v, err, store.SchemaVersion)
		}
		e.wantFound()

		sum, err = e.runner.Migrate(e.ctx, e.store, false)
		if err != nil || sum.From != store.SchemaVersion || sum.To != store.SchemaVersion || len(sum.Migrations) != 0 {
			t.Fatalf("a run at version %d = %+v, %v; want nothing to do", store.SchemaVersion, sum, err)
		}
		for id := range schema1Members {
			if n, err := e.store.AddMemberLookups(e.ctx, id, false); err != nil || n != 0 {
				t.Fatalf("the backfill again on %s wrote %d items, %v; want none", id, n, err)
			}
			if n, err := e.store.ShardExpiryEntries(e.ctx, id, false); err != nil || n != 0 {
				t.Fatalf("the expiry entries of %s moved again: %d, %v; want none", id, n, err)
			}
		}
	})

	t.Run("after the migration every lot of the fixture is listed and expires once", func(t *testing.T) {
		e := migrationEnv(t, open(t))
		if _, err := e.runner.Migrate(e.ctx, e.store, false); err != nil {
			t.Fatal(err)
		}
		lotDay := loyalty.Date{Year: 2027, Month: time.November, Day: 30}
		var listed []string
		for cursor := ""; ; {
			page, next, err := e.store.ExpiringLots(e.ctx, lotDay, cursor, 2)
			if err != nil || len(page) > 2 {
				t.Fatalf("lots expiring on %s after %q = %v, %v", lotDay, cursor, page, err)
			}
			listed = append(listed, page...)
			if next == "" {
				break
			}
			cursor = next
		}
		slices.Sort(listed)
		if want := slices.Sorted(maps.Keys(schema1Members)); !slices.Equal(listed, want) {
			t.Fatalf("lots expiring on %s = %v, want every member of the fixture %v", lotDay, listed, want)
		}
		at := time.Date(2027, time.December, 1, 0, 5, 0, 0, time.UTC)
		runner := jobs.New(loyalty.NewProgram(e.store, NewClock(at), nil), e.store)
		runner.PageSize = 2
		for _, want := range []int{len(schema1Members), 0} {
			if sum, err := runner.Run(e.ctx, jobs.NameExpiry, at); err != nil || sum.Changed != want {
				t.Fatalf("expiry run = %+v, %v; want %d lots expired", sum, err, want)
			}
		}
	})

	t.Run("the members written before segments count in them once, after the migration and again", func(t *testing.T) {
		e := migrationEnv(t, open(t))
		clock := NewClock(Start.AddDate(0, 1, 0))
		program := loyalty.NewProgram(e.store, clock, nil)
		env := &env{t: t, store: e.store, program: program, clock: clock, ctx: e.ctx}
		runner := jobs.New(program, e.store)
		// A change after the deploy, before the migration: it counted the
		// member from what it was as written.
		env.earn("01M84103W00000000000000004", "after-the-deploy", 2500)
		sum, err := runner.Migrate(e.ctx, e.store, true)
		i := slices.IndexFunc(sum.Migrations, func(c jobs.MigrationCount) bool { return c.Version == 6 })
		if err != nil || i < 0 || sum.Migrations[i].Changed != len(schema1Members) {
			t.Fatalf("dry run = %+v, %v; want every member of the fixture to rebuild", sum, err)
		}
		if _, err := runner.Migrate(e.ctx, e.store, false); err != nil {
			t.Fatal(err)
		}
		for id := range schema1Members {
			m, err := e.store.Member(e.ctx, id)
			bought := id == "01M83XJ8800000000000000001" || id == "01M84103W00000000000000004"
			if err != nil || !m.Activity.Complete || m.Activity.HasPurchased() != bought {
				t.Fatalf("%s after the migration: %+v, %v; want it complete, with purchases %v", id, m.Activity, err, bought)
			}
		}
		env.checkSegmentsOf(runner, false)
		for id := range schema1Members {
			if again, err := program.RebuildActivity(e.ctx, e.store, id, false); err != nil || again {
				t.Fatalf("the rebuild of %s again = %v, %v; want nothing to do", id, again, err)
			}
		}
		env.checkSegmentsOf(runner, false)
		clock.Set(Start.AddDate(0, 3, 0))
		env.earn("01M84103W00000000000000004", "later-1", 4000)
		env.earn("01M83XJ8800000000000000001", "later-2", 700)
		env.checkSegmentsOf(runner, false)
	})

	t.Run("a table at a later version is refused", func(t *testing.T) {
		e := migrationEnv(t, open(t))
		if err := e.store.SaveSchemaVersion(e.ctx, store.SchemaVersion+1); err != nil {
			t.Fatal(err)
		}
		if err := e.store.SaveSchemaVersion(e.ctx, 1); err != nil {
			t.Fatal(err)
		}
		if v, err := e.store.SchemaVersion(e.ctx); err != nil || v != store.SchemaVersion+1 {
			t.Fatalf("schema version = %d, %v; want %d (it never moves back)", v, err, store.SchemaVersion+1)
		}
		if _, err := e.runner.Migrate(e.ctx, e.store, false); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Fatalf("migrate a later table: %v, want ErrSchemaTooNew", err)
		}
	})
}

type migrationTest struct {
	t      *testing.T
	ctx    context.Context
	store  store.Store
	runner *jobs.Runner
}

func migrationEnv(t *testing.T, s store.Store) *migrationTest {
	runner := jobs.New(loyalty.NewProgram(s, NewClock(Start), nil), s)
	runner.PageSize, runner.Workers = 1, 1 // a page a member: interruptions fall between them
	return &migrationTest{t: t, ctx: context.Background(), store: s, runner: runner}
}

func (e *migrationTest) wantSchema(version int, cursor string) {
	e.t.Helper()
	v, err := e.store.SchemaVersion(e.ctx)
	if err != nil || v != version {
		e.t.Fatalf("schema version = %d, %v; want %d", v, err, version)
	}
	c, err := e.store.MigrationCursor(e.ctx, 2)
	if err != nil || c != cursor {
		e.t.Fatalf("migration cursor = %q, %v; want %q", c, err, cursor)
	}
}

// wantUnfound checks that the members of schema 1 have no lookup items:
// found by email (their enrollment claim), never by number or name.
func (e *migrationTest) wantUnfound() {
	e.t.Helper()
	for id, name := range schema1Members {
		m, err := e.store.Member(e.ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if found, err := e.store.MemberByEmail(e.ctx, strings.ToUpper(m.Email)); err != nil || found.ID != id {
			e.t.Fatalf("%s by email = %s, %v", name, found.ID, err)
		}
		if found, err := e.store.MembersByNumber(e.ctx, m.NumberKey()); err != nil || len(found) != 0 {
			e.t.Fatalf("%s by number before the migration = %d members, %v; want none", name, len(found), err)
		}
		if found, _, err := e.store.MembersByName(e.ctx, store.FoldName(name), "", 10); err != nil || len(found) != 0 {
			e.t.Fatalf("%s by name before the migration = %d members, %v; want none", name, len(found), err)
		}
	}
}

// wantFound checks that search finds every member of schema 1.
func (e *migrationTest) wantFound() {
	e.t.Helper()
	for id, name := range schema1Members {
		m, err := e.store.Member(e.ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		last := strings.Fields(name)[len(strings.Fields(name))-1]
		for _, q := range []string{strings.ToLower(m.Number()), strings.ReplaceAll(m.Number(), " ", ""), name, strings.ToUpper(last[:3])} {
			found, err := store.SearchMembers(e.ctx, e.store, q, "", 10)
			if err != nil || !slices.Contains(memberIDsOf(found.Members), id) {
				e.t.Fatalf("search %q = %v, %v; want %s (%s) in it", q, memberIDsOf(found.Members), err, id, name)
			}
		}
	}
	found, err := store.SearchMembers(e.ctx, e.store, "ada", "", 10)
	if want := []string{"01M83XJ8800000000000000001", "01M84103W00000000000000007"}; err != nil || !slices.Equal(memberIDsOf(found.Members), want) {
		e.t.Fatalf(`search "ada" = %v, %v; want %v`, memberIDsOf(found.Members), err, want)
	}
}

// failingLookups fails the backfill of every member after the first after.
type failingLookups struct {
	store.Store
	after int
	done  int
}

func (f *failingLookups) AddMemberLookups(ctx context.Context, id string, dryRun bool) (int, error) {
	if f.done == f.after {
		return 0, errors.New("the table is out of reach")
	}
	f.done++
	return f.Store.AddMemberLookups(ctx, id, dryRun)
}
