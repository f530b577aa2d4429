package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Segments recomputes the program's RFM quintiles from the histograms the
// commits keep (loyalty.HistogramsOf, QuintilesOf), as at the instant at,
// and folds the counters of months gone (loyalty.FoldSegmentMoves), so they
// stay few. It reads the 64 shards' counters, never a member: its cost is
// the same for ten members or ten million. Meant to run nightly; a rerun
// computes the same quintiles and finds nothing more to fold.
func (r *Runner) Segments(ctx context.Context, at time.Time) (Summary, error) {
	at = at.UTC()
	today := loyalty.DateOf(at)
	s := newSummary(NameSegments, at)
	s.Days = append(s.Days, today.String())
	counters, err := r.index.StatsCounters(ctx, today)
	if err != nil {
		return s.done(err)
	}
	q := loyalty.QuintilesOf(loyalty.HistogramsOf(loyalty.SegmentCounts(counters), today), today)
	if err := r.index.SaveQuintiles(ctx, q); err != nil {
		return s.done(err)
	}
	for _, c := range counters {
		if !c.Day.IsZero() {
			continue
		}
		s.Examined++
		moves := loyalty.FoldSegmentMoves(c.Counts, today)
		if len(moves) == 0 {
			continue
		}
		if err := r.index.FoldStatsCounters(ctx, c.Shard, moves); err != nil {
			return s.done(fmt.Errorf("fold shard %d: %w", c.Shard, err))
		}
		s.Changed += len(moves)
	}
	return s.done(nil)
}
