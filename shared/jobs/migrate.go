package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// NameMigrate is the job that brings the table's items to
// store.SchemaVersion. It is run by hand after a deploy, never on a schedule.
const NameMigrate = "migrate"

// Schema is what the migrations read and write: the table's version, where
// each migration stopped, every member, and what each migration changes.
type Schema interface {
	SchemaVersion(ctx context.Context) (int, error)
	SaveSchemaVersion(ctx context.Context, version int) error
	MigrationCursor(ctx context.Context, version int) (string, error)
	SaveMigrationCursor(ctx context.Context, version int, cursor string) error
	ExportMembers(ctx context.Context, cursor string, limit int) ([]loyalty.Member, string, error)
	AddMemberLookups(ctx context.Context, memberID string, dryRun bool) (int, error)
	ShardExpiryEntries(ctx context.Context, memberID string, dryRun bool) (int, error)
	MoveSegmentCounters(ctx context.Context, dryRun bool) (int, error)
	SplitSegmentCounters(ctx context.Context, dryRun bool) (int, error)
	Ledger(ctx context.Context, memberID string, before int64, limit int) ([]loyalty.LedgerEntry, error)
}

// Migration brings the items of every member, or of the program, from the
// version before Version to Version.
type Migration struct {
	Version int
	What    string
	// Member brings one member's items to Version and returns how many items
	// it wrote; with dryRun, how many it would write, writing nothing. It is
	// idempotent: a member already at Version needs no write.
	Member func(ctx context.Context, p *loyalty.Program, s Schema, memberID string, dryRun bool) (int, error)
	// Program, for a migration of items that belong to no member, brings
	// them to Version before the members' turn, and returns how many items
	// it wrote (would write, with dryRun); idempotent like Member, so a run
	// stopped midway does it again whole.
	Program func(ctx context.Context, s Schema, dryRun bool) (int, error)
}

// Migrations are every migration, oldest first; the last one's Version is
// store.SchemaVersion.
var Migrations = []Migration{
	{
		Version: 2,
		What:    "lookup items of member search (card number, name) for the members written before them",
		Member: func(ctx context.Context, _ *loyalty.Program, s Schema, memberID string, dryRun bool) (int, error) {
			return s.AddMemberLookups(ctx, memberID, dryRun)
		},
	},
	{
		Version: 3,
		What:    "expiry index entries of the lots written before, moved from their day's one key to the member's shard",
		Member: func(ctx context.Context, _ *loyalty.Program, s Schema, memberID string, dryRun bool) (int, error) {
			return s.ShardExpiryEntries(ctx, memberID, dryRun)
		},
	},
	{
		Version: 4,
		What:    "lookup items of referral codes for the members written before them",
		Member: func(ctx context.Context, _ *loyalty.Program, s Schema, memberID string, dryRun bool) (int, error) {
			return s.AddMemberLookups(ctx, memberID, dryRun)
		},
	},
	{
		Version: 5,
		What:    "segment counters moved from the stats' all-time items to items of their own",
		Program: func(ctx context.Context, s Schema, dryRun bool) (int, error) {
			return s.MoveSegmentCounters(ctx, dryRun)
		},
	},
	{
		Version: 6,
		What:    "activity of the members written before segments, rebuilt from their ledger and counted in the segments",
		Member: func(ctx context.Context, p *loyalty.Program, s Schema, memberID string, dryRun bool) (int, error) {
			changed, err := p.RebuildActivity(ctx, s, memberID, dryRun)
			if changed {
				return 1, err
			}
			return 0, err
		},
	},
	{
		Version: 7,
		What:    "segment counters of a shard's month split from one growing item into small ones (DynamoDB)",
		Program: func(ctx context.Context, s Schema, dryRun bool) (int, error) {
			return s.SplitSegmentCounters(ctx, dryRun)
		},
	},
}

// MigrationSummary is what one run of the migrate job did, or with DryRun
// would do.
type MigrationSummary struct {
	Job    string `json:"job"`
	DryRun bool   `json:"dryRun"`
	// From is the schema version of the table when the run began; To the
	// one it is at after it (with DryRun, would be).
	From       int              `json:"from"`
	To         int              `json:"to"`
	Migrations []MigrationCount `json:"migrations"`
	// Unfinished is true when the run stopped before its end; the next run
	// takes up where it stopped.
	Unfinished bool `json:"unfinished,omitempty"`
}

// MigrationCount is what a run did of one migration.
type MigrationCount struct {
	Version int    `json:"version"`
	What    string `json:"what"`
	// Examined counts the members read, Changed those whose items changed
	// (would change), Items the items written (that would be).
	Examined int `json:"examined"`
	Changed  int `json:"changed"`
	Items    int `json:"items"`
}

// Migrate runs, in order, the migrations the table has not had, and records
// the table's new version after each. Each migration goes through the
// members page by page and records, after every page, the cursor of the
// next: a run that stops (its deadline, a failure) is taken up by the next
// from the page it stopped in, and members already migrated need no write,
// so a run is safe to repeat and to interrupt. A dry run reads from where
// the last run stopped and writes nothing, not even its cursor; it reports
// each pending migration as it would run on the table as it is.
func (r *Runner) Migrate(ctx context.Context, s Schema, dryRun bool) (MigrationSummary, error) {
	from, err := s.SchemaVersion(ctx)
	if err != nil {
		return MigrationSummary{}, fmt.Errorf("migrate: %w", err)
	}
	sum := MigrationSummary{Job: NameMigrate, DryRun: dryRun, From: from, To: from, Migrations: []MigrationCount{}}
	if err := store.CheckSchema(from); err != nil {
		return sum, err
	}
	for _, m := range Migrations {
		if m.Version <= from {
			continue
		}
		count, err := r.migrate(ctx, s, m, dryRun)
		sum.Migrations = append(sum.Migrations, count)
		if err != nil {
			sum.Unfinished = true
			return sum, fmt.Errorf("migration to version %d: %w", m.Version, err)
		}
		if !dryRun {
			if err := s.SaveSchemaVersion(ctx, m.Version); err != nil {
				sum.Unfinished = true
				return sum, err
			}
		}
		sum.To = m.Version
	}
	return sum, nil
}

func (r *Runner) migrate(ctx context.Context, s Schema, m Migration, dryRun bool) (MigrationCount, error) {
	count := MigrationCount{Version: m.Version, What: m.What}
	if m.Program != nil {
		items, err := m.Program(ctx, s, dryRun)
		count.Items += items
		if err != nil || m.Member == nil {
			return count, err
		}
	}
	cursor, err := s.MigrationCursor(ctx, m.Version)
	if err != nil {
		return count, err
	}
	for {
		if err := r.stop(ctx); err != nil {
			return count, err
		}
		members, next, err := s.ExportMembers(ctx, cursor, r.PageSize)
		if err != nil {
			return count, err
		}
		if err := r.migratePage(ctx, s, m, members, dryRun, &count); err != nil {
			return count, err
		}
		if next == "" {
			return count, nil
		}
		if !dryRun {
			if err := s.SaveMigrationCursor(ctx, m.Version, next); err != nil {
				return count, err
			}
		}
		cursor = next
	}
}

// migratePage migrates a page's members with the runner's workers; it
// fails when any of them failed, so the page is done again by the next run.
func (r *Runner) migratePage(ctx context.Context, s Schema, m Migration, members []loyalty.Member, dryRun bool, count *MigrationCount) error {
	var mu sync.Mutex
	var failures []error
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(1, r.Workers))
	for _, member := range members {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			items, err := m.Member(ctx, r.program, s, member.ID, dryRun)
			mu.Lock()
			defer mu.Unlock()
			count.Examined++
			switch {
			case err != nil:
				failures = append(failures, fmt.Errorf("member %s: %w", member.ID, err))
			case items > 0:
				count.Changed++
				count.Items += items
			}
		})
	}
	wg.Wait()
	return errors.Join(failures...)
}
