package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Segments recomputes the program's RFM quintiles from the histograms the
// commits keep (loyalty.HistogramsOf, QuintilesOf), as at the instant at,
// and folds the segment counters of months gone into each shard's base
// item (loyalty.SegmentFolds), so they stay few. It reads the counters'
// items (and the stats' all-time ones, which may still hold counters
// written before schema version 5), never a member: its cost is the same
// for ten members or ten million. Meant to run nightly; a rerun computes
// the same quintiles and finds nothing more to fold.
func (r *Runner) Segments(ctx context.Context, at time.Time) (Summary, error) {
	at = at.UTC()
	today := loyalty.DateOf(at)
	s := newSummary(NameSegments, at)
	s.Days = append(s.Days, today.String())
	stats, err := r.index.StatsCounters(ctx, today)
	if err != nil {
		return s.done(err)
	}
	segments, err := r.index.SegmentCounters(ctx)
	if err != nil {
		return s.done(err)
	}
	q := loyalty.QuintilesOf(loyalty.HistogramsOf(loyalty.SegmentCounts(stats, segments), today), today)
	if err := r.index.SaveQuintiles(ctx, q); err != nil {
		return s.done(err)
	}
	for _, c := range segments {
		s.Examined++
		moves := loyalty.SegmentFolds(c, today)
		if len(moves) == 0 {
			continue
		}
		if err := r.index.FoldSegmentCounters(ctx, c.Shard, c.Month, moves); err != nil {
			return s.done(fmt.Errorf("fold the segment counters of shard %d, %s: %w", c.Shard, c.Month, err))
		}
		s.Changed += len(moves)
	}
	return s.done(nil)
}
