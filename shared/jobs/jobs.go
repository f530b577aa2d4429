// Package jobs runs Fidelio's scheduled work — birthday presents, points
// expiry, tier reviews and donations — through the store's sparse indexes,
// so that a run costs in proportion to the members it concerns, never to the
// size of the program.
//
// Every run is safe to repeat and to run twice at once: the changes are the
// loyalty.Program's, which read each account consistently, decide on what is
// committed and commit on the member's version, so that a member concerned
// twice is changed once. A run that stops early (a deadline, a failure) is
// taken up by a rerun at the same instant, which is what a schedule's retry
// sends: no continuation token is needed, because the work done has left the
// expiry, tier review and pledge indexes (a lot expired or given is gone, a
// member reviewed moves to next year's day, a pledge made or skipped to next
// month's) and a birthday present given is seen on the index entry itself
// (Member.LastBirthdayYear), without reading the account again.
//
// Expiry, tier review and donations keep a watermark, the last day they
// completed, and read every day after it, however long no run came: a
// broken schedule delays their work, it never loses it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Index is what the jobs read to find their work, the sparse indexes of
// store.Store, and where they keep the last day they completed.
type Index interface {
	BirthdayMembers(ctx context.Context, day loyalty.MonthDay, cursor string, limit int) ([]loyalty.Member, string, error)
	ExpiringLots(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error)
	TierReviewsDue(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error)
	PledgesDue(ctx context.Context, day loyalty.Date, cursor string, limit int) ([]string, string, error)
	JobWatermark(ctx context.Context, job string) (loyalty.Date, error)
	SaveJobWatermark(ctx context.Context, job string, day loyalty.Date) error
	// The segments job reads the program's counters, saves the quintiles
	// and folds the counters of months gone.
	StatsCounters(ctx context.Context, from loyalty.Date) ([]loyalty.StatsCounters, error)
	SegmentCounters(ctx context.Context) ([]loyalty.SegmentCounters, error)
	FoldSegmentCounters(ctx context.Context, shard int, month string, moves map[string]string) error
	SaveQuintiles(ctx context.Context, q loyalty.Quintiles) error
	// The expiry job ends the registrations of deleted accounts' cards
	// (store.PurgeErasedCards).
	store.ErasedCards
	PassRegistrations(ctx context.Context, serial string) ([]store.Registration, error)
	Unregister(ctx context.Context, deviceID, serial string) error
}

// The names of the jobs, as the schedules and the admin API call them.
const (
	NameBirthdays  = "birthdays"
	NameExpiry     = "expiry"
	NameTierReview = "tier-review"
	NameDonations  = "donations"
	NameSegments   = "segments"
)

var (
	// ErrUnknownJob refuses a job name that is none of the Name constants.
	ErrUnknownJob = fmt.Errorf("%w: unknown job, the jobs are %s, %s, %s, %s and %s", loyalty.ErrInvalid, NameBirthdays, NameExpiry, NameTierReview, NameDonations, NameSegments)
	// ErrUnfinished: a run stopped before its end because its deadline was
	// near; a rerun at the same instant does the rest.
	ErrUnfinished = errors.New("job run stopped before its end")
	// ErrFutureRun refuses a run as at an instant later than now (beyond
	// MaxClockSkew): it would expire points before their day and record a
	// birthday year that has not come, which a later real run then skips.
	ErrFutureRun = errors.New("a job cannot run as at a future instant")
)

// MaxClockSkew is how far past the program's clock a run's instant may be:
// the clock of whoever asks for the run (a scheduler, an operator's
// machine) may run a little ahead of ours.
const MaxClockSkew = 5 * time.Minute

// Runner runs the jobs of one program.
type Runner struct {
	program *loyalty.Program
	index   Index

	// PageSize is how many index entries are read at a time.
	PageSize int
	// Workers is how many members are worked on at once.
	Workers int
	// CatchUpDays is how far back, in days, the first run of expiry, tier
	// review and donations looks for work, when the job has no watermark yet.
	// After that a run reads from the day after its job's watermark, however
	// long ago: a day with nothing left costs one empty query.
	CatchUpDays int
	// Margin: a run starts no new work once its context's deadline is this
	// close, and returns ErrUnfinished.
	Margin time.Duration
	// TimeTravel lets Run run a job as at any instant, the future included:
	// for development and tests only (the local stack's -time-travel flag).
	TimeTravel bool
}

// New returns a Runner with the default settings.
func New(program *loyalty.Program, index Index) *Runner {
	return &Runner{program: program, index: index, PageSize: 100, Workers: 4, CatchUpDays: 31, Margin: 5 * time.Second}
}

// Summary is what one run did.
type Summary struct {
	Job string    `json:"job"`
	At  time.Time `json:"at"`
	// Days are the index partitions the run read: birthdays as MM-DD, the
	// expiry and tier review days as YYYY-MM-DD, and for donations the days
	// of pledges due as "pledges:YYYY-MM-DD" and of expired lots as
	// "expiring:YYYY-MM-DD".
	Days []string `json:"days"`
	// Examined counts the index entries the run read.
	Examined int `json:"examined"`
	// Changed counts the members the run changed.
	Changed int `json:"changed"`
	// Points sums the points of the entries posted: credited (birthdays)
	// positive, expired or given negative.
	Points int64 `json:"points"`
	// Downgraded counts the members a tier review moved down.
	Downgraded int `json:"downgraded,omitempty"`
	// Announced counts the lots an expiry run announced on cards, 30 days
	// ahead; they are not in Changed, which counts the lots it expired.
	Announced int `json:"announced,omitempty"`
	// Unregistered counts the registrations of deleted accounts' cards an
	// expiry run ended, store.ErasedCardDays after the deletion.
	Unregistered int `json:"unregistered,omitempty"`
	// Skipped counts the examined members left as they were, by reason.
	Skipped map[loyalty.Skip]int `json:"skipped,omitempty"`
	// Failed counts the members whose change failed; the run's error says why.
	Failed int `json:"failed,omitempty"`
	// Unfinished is true when the run stopped before its end.
	Unfinished bool `json:"unfinished,omitempty"`
}

// Run runs the job called name as at the instant at, which may not be later
// than the program's clock plus MaxClockSkew unless the runner time travels.
func (r *Runner) Run(ctx context.Context, name string, at time.Time) (Summary, error) {
	if now := r.program.Now(); !r.TimeTravel && at.After(now.Add(MaxClockSkew)) {
		return Summary{Job: name, At: at}, fmt.Errorf("%w: %s is after now (%s) by more than %s", ErrFutureRun,
			at.UTC().Format(time.RFC3339), now.Format(time.RFC3339), MaxClockSkew)
	}
	switch name {
	case NameBirthdays:
		return r.Birthdays(ctx, at)
	case NameExpiry:
		return r.Expiry(ctx, at)
	case NameTierReview:
		return r.TierReview(ctx, at)
	case NameDonations:
		return r.Donations(ctx, at)
	case NameSegments:
		return r.Segments(ctx, at)
	}
	return Summary{Job: name, At: at}, ErrUnknownJob
}

// Birthdays gives the members whose birthday it is, in their own time zone at
// the instant at, their present (loyalty.Program.BirthdayReward). It is meant
// to run every hour: it reads the two or three birthdays that are someone's
// local today (loyalty.BirthdayDays), and a member stays due for the 24 hours
// of their local birthday, so a missed hour is made up by the next.
func (r *Runner) Birthdays(ctx context.Context, at time.Time) (Summary, error) {
	at = at.UTC()
	s := newSummary(NameBirthdays, at)
	var err error
	for _, day := range loyalty.BirthdayDays(at) {
		s.Days = append(s.Days, day.String())
		err = sweep(ctx, r, s,
			func(cursor string, limit int) ([]loyalty.Member, string, error) {
				return r.index.BirthdayMembers(ctx, day, cursor, limit)
			},
			func(ctx context.Context, m loyalty.Member) (loyalty.Outcome, error) {
				// The index entry is the member as it was a moment ago: enough
				// to pass over the many who are not due, never enough to act on.
				if _, skip := m.BirthdayDue(at); skip != "" {
					return loyalty.Outcome{MemberID: m.ID, Skipped: skip}, nil
				}
				return r.program.BirthdayReward(ctx, m.ID, at)
			})
		if err != nil {
			break
		}
	}
	return s.done(err)
}

// Expiry expires what is left of the lots whose last day is over at the
// instant at (loyalty.Program.ExpireLot): the lots of yesterday, and those of
// every day since the last one a run completed (the job's watermark), however
// many runs were missed. It is meant to run daily, soon after midnight UTC,
// the zone of lots' days. It then announces the lots that enter the last
// ExpiryNoticeDays before they expire (loyalty.Program.NoticeExpiry), each
// once, with the automatic message when the rules say so. Last, it ends the
// registrations phones kept of deleted accounts' cards (forgetErasedCards).
func (r *Runner) Expiry(ctx context.Context, at time.Time) (Summary, error) {
	at = at.UTC()
	today := loyalty.DateOf(at)
	yesterday := today.AddDays(-1)
	s := newSummary(NameExpiry, at)
	// No lot is ever credited to a day that is over, so yesterday's
	// partition, once read, is complete.
	err := r.catchUp(ctx, s, NameExpiry, yesterday, yesterday, func(day loyalty.Date) error {
		s.Days = append(s.Days, day.String())
		return sweep(ctx, r, s,
			func(cursor string, limit int) ([]string, string, error) {
				return r.index.ExpiringLots(ctx, day, cursor, limit)
			},
			func(ctx context.Context, id string) (loyalty.Outcome, error) {
				return r.program.ExpireLot(ctx, id, day, today)
			})
	})
	if err == nil {
		// The lots that come within the notice window today: one card update each.
		notice := today.AddDays(loyalty.ExpiryNoticeDays)
		s.Days = append(s.Days, "notice:"+notice.String())
		expired := s.Changed
		err = sweep(ctx, r, s,
			func(cursor string, limit int) ([]string, string, error) {
				return r.index.ExpiringLots(ctx, notice, cursor, limit)
			},
			func(ctx context.Context, id string) (loyalty.Outcome, error) {
				return r.program.NoticeExpiry(ctx, id, notice, today)
			})
		s.Announced, s.Changed = s.Changed-expired, expired
	}
	if err == nil {
		err = r.forgetErasedCards(ctx, s, today)
	}
	return s.done(err)
}

// TierReview reviews the tiers of the members whose review day is today (the
// UTC day of the instant at) or one before it since the last day a run
// completed (loyalty.Program.ReviewTier). It is meant to run daily.
func (r *Runner) TierReview(ctx context.Context, at time.Time) (Summary, error) {
	at = at.UTC()
	today := loyalty.DateOf(at)
	s := newSummary(NameTierReview, at)
	err := r.catchUp(ctx, s, NameTierReview, today, today.AddDays(-1), func(day loyalty.Date) error {
		s.Days = append(s.Days, day.String())
		return sweep(ctx, r, s,
			func(cursor string, limit int) ([]string, string, error) {
				return r.index.TierReviewsDue(ctx, day, cursor, limit)
			},
			func(ctx context.Context, id string) (loyalty.Outcome, error) {
				return r.program.ReviewTier(ctx, id, today)
			})
	})
	return s.done(err)
}

// Donations carries out the members' donation plans as at the instant at. It
// is meant to run daily, before the expiry job of the same day (whose lots it
// reads first):
//   - the monthly pledges due today, or on a day before it since the last day
//     a donation run completed (loyalty.Program.DonateMonthly): each is made,
//     or skipped with its reason when the balance does not cover it, once a
//     month;
//   - the lots whose last day is over, as the expiry job will read them (the
//     days after its watermark): for a member whose plan says so, what is
//     left of the lot goes to the plan's charity instead of expiring
//     (loyalty.Program.DonateExpiring).
//
// The pledges go first, so that a pledge spends points about to expire
// before the fresher ones.
func (r *Runner) Donations(ctx context.Context, at time.Time) (Summary, error) {
	at = at.UTC()
	today := loyalty.DateOf(at)
	yesterday := today.AddDays(-1)
	s := newSummary(NameDonations, at)
	// A plan set today is due today: today's partition is complete tomorrow.
	err := r.catchUp(ctx, s, NameDonations, today, yesterday, func(day loyalty.Date) error {
		s.Days = append(s.Days, "pledges:"+day.String())
		return sweep(ctx, r, s,
			func(cursor string, limit int) ([]string, string, error) {
				return r.index.PledgesDue(ctx, day, cursor, limit)
			},
			func(ctx context.Context, id string) (loyalty.Outcome, error) {
				return r.program.DonateMonthly(ctx, id, today)
			})
	})
	var first loyalty.Date
	if err == nil {
		first, err = r.firstDay(ctx, NameExpiry, yesterday)
	}
	for day := first; err == nil && !yesterday.Before(day); day = day.AddDays(1) {
		s.Days = append(s.Days, "expiring:"+day.String())
		err = sweep(ctx, r, s,
			func(cursor string, limit int) ([]string, string, error) {
				return r.index.ExpiringLots(ctx, day, cursor, limit)
			},
			func(ctx context.Context, id string) (loyalty.Outcome, error) {
				return r.program.DonateExpiring(ctx, id, day, today)
			})
	}
	return s.done(err)
}

// firstDay is the first day a run of job reads: the day after the job's
// watermark, or, when it has none, CatchUpDays before last.
func (r *Runner) firstDay(ctx context.Context, job string, last loyalty.Date) (loyalty.Date, error) {
	mark, err := r.index.JobWatermark(ctx, job)
	switch {
	case err != nil:
		return loyalty.Date{}, fmt.Errorf("read the watermark of %s: %w", job, err)
	case mark.IsZero():
		return last.AddDays(-r.CatchUpDays), nil
	}
	return mark.AddDays(1), nil
}

// catchUp calls work on each day a run of job reads, oldest first, from
// firstDay through last. Each day through closed (the last day whose index
// partitions can no longer grow) becomes the job's watermark once work is
// done with it and none of its members failed, so that a run that stops
// (a deadline, a crash, a failure) is taken up from its first unfinished day.
func (r *Runner) catchUp(ctx context.Context, s *summary, job string, last, closed loyalty.Date, work func(day loyalty.Date) error) error {
	first, err := r.firstDay(ctx, job, last)
	if err != nil {
		return err
	}
	advance := true
	for day := first; !last.Before(day); day = day.AddDays(1) {
		failed := s.failed()
		if err := work(day); err != nil {
			return err
		}
		advance = advance && s.failed() == failed && !closed.Before(day)
		if advance {
			if err := r.index.SaveJobWatermark(ctx, job, day); err != nil {
				return fmt.Errorf("save the watermark of %s: %w", job, err)
			}
		}
	}
	return nil
}

// summary is a Summary being filled by the workers of a run.
type summary struct {
	Summary
	mu       sync.Mutex
	failures []error
}

func newSummary(job string, at time.Time) *summary {
	return &summary{Summary: Summary{Job: job, At: at, Days: []string{}, Skipped: map[loyalty.Skip]int{}}}
}

// failed is how many members' changes have failed so far.
func (s *summary) failed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Failed
}

func (s *summary) record(o loyalty.Outcome, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		s.Failed++
		if len(s.failures) < 5 {
			s.failures = append(s.failures, fmt.Errorf("member %s: %w", o.MemberID, err))
		}
	case !o.Changed():
		s.Skipped[o.Skipped]++
	default:
		s.Changed++
		s.Points += o.Entry.Points
		if o.Tier.Rank() < o.PreviousTier.Rank() {
			s.Downgraded++
		}
	}
}

// done closes the run: its error is the one that stopped it, or the failures
// of its members, so that a schedule retries it.
func (s *summary) done(stopped error) (Summary, error) {
	out := s.Summary
	if len(out.Skipped) == 0 {
		out.Skipped = nil
	}
	out.Unfinished = stopped != nil
	err := errors.Join(append([]error{stopped}, s.failures...)...)
	if err != nil {
		return out, fmt.Errorf("%s run at %s: %w", out.Job, out.At.Format(time.RFC3339), err)
	}
	return out, nil
}

// sweep works through one index partition, page by page, acting on each
// entry with the runner's workers. It returns the error that stopped it early.
func sweep[T any](ctx context.Context, r *Runner, s *summary, list func(cursor string, limit int) ([]T, string, error), act func(context.Context, T) (loyalty.Outcome, error)) error {
	workers := max(1, r.Workers)
	for cursor := ""; ; {
		if err := r.stop(ctx); err != nil {
			return err
		}
		items, next, err := list(cursor, r.PageSize)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.Examined += len(items)
		s.mu.Unlock()
		var wg sync.WaitGroup
		slots := make(chan struct{}, workers)
		var stopped error
		for _, item := range items {
			if stopped = r.stop(ctx); stopped != nil {
				break
			}
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				s.record(act(ctx, item))
			})
		}
		wg.Wait()
		if stopped != nil || next == "" {
			return stopped
		}
		cursor = next
	}
}

// stop tells whether a run must start no new work.
func (r *Runner) stop(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < r.Margin {
		return ErrUnfinished
	}
	return nil
}
