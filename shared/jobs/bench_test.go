package jobs_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// The benchmark's program: a cohort of benchDays × benchPerDay members is
// due on the benchmark's days (their birthday, their lot's last day), and
// every other member has a birthday and a lot somewhere else in the year.
// However large the program, a run concerns the same number of members.
var (
	benchFirstDay = loyalty.Date{Year: 2027, Month: time.March, Day: 1}
	benchZones    = []string{"UTC", "Europe/Paris", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Auckland"}
)

const (
	benchDays   = 120
	benchPerDay = 50
)

// BenchmarkJobs runs the birthday job (at noon UTC) and the expiry job (just
// after midnight) for one day on programs of 20,000 and 200,000 members, a
// new day at each iteration: examined/op and the time per op stay the same
// while the program grows tenfold. Every iteration needs a day of its own:
// keep -benchtime below benchDays iterations (20x, or the Makefile's 2s).
func BenchmarkJobs(b *testing.B) {
	for _, members := range []int{20_000, 200_000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			s, err := embedded.Open(filepath.Join(b.TempDir(), "fidelio.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			started := time.Now()
			seed(b, s, members)
			b.Logf("seeded %d members in %s", members, time.Since(started).Round(time.Millisecond))

			clock := storetest.NewClock(benchFirstDay.Time())
			program := loyalty.NewProgram(s, clock, nil)
			runner := jobs.New(program, s)
			ctx := context.Background()
			var examined, changed, runs int
			spent := map[string]time.Duration{}
			for i := 0; b.Loop(); i++ {
				d := benchFirstDay.AddDays(i % benchDays)
				birthdays := d.Time().Add(12 * time.Hour)
				expiry := d.AddDays(1).Time().Add(5 * time.Minute)
				for _, run := range []struct {
					job string
					at  time.Time
				}{{jobs.NameBirthdays, birthdays}, {jobs.NameExpiry, expiry}} {
					clock.Set(run.at)
					began := time.Now()
					sum, err := runner.Run(ctx, run.job, run.at)
					if err != nil {
						b.Fatal(err)
					}
					spent[run.job] += time.Since(began)
					examined += sum.Examined
					changed += sum.Changed
				}
				runs++
			}
			b.ReportMetric(float64(examined)/float64(runs), "examined/op")
			b.ReportMetric(float64(changed)/float64(runs), "changed/op")
			for job, d := range spent {
				b.ReportMetric(float64(d.Milliseconds())/float64(runs), job+"-ms/op")
			}
		})
	}
}

// seed writes members straight through the store, many to a transaction.
func seed(b *testing.B, s *embedded.Store, members int) {
	b.Helper()
	ctx := context.Background()
	ids := &storetest.SeqIDs{}
	rng := rand.New(rand.NewPCG(1, 2))
	joined := time.Date(2026, time.January, 10, 9, 0, 0, 0, time.UTC)
	cohort := benchDays * benchPerDay
	// The rest of the program keeps away from the cohort's days (and the
	// expiry job's catch-up window before them).
	elsewhere := func(from loyalty.Date, span int) loyalty.Date {
		return from.AddDays(rng.IntN(span))
	}
	const batch = 5000
	postings := make([]loyalty.Posting, 0, batch)
	for i := range members {
		var birthday, expires loyalty.Date
		if i < cohort {
			d := benchFirstDay.AddDays(i / benchPerDay)
			birthday = loyalty.Date{Year: 1980 + i%30, Month: d.Month, Day: d.Day}
			expires = d
		} else {
			d := elsewhere(loyalty.Date{Year: 2027, Month: time.July, Day: 1}, 240) // 1 July to 25 February
			birthday = loyalty.Date{Year: 1980 + i%30, Month: d.Month, Day: d.Day}
			expires = elsewhere(loyalty.Date{Year: 2027, Month: time.July, Day: 1}, 365)
		}
		id := ids.NewID(joined)
		points := int64(50 + rng.IntN(500))
		m := loyalty.Member{
			ID: id, Name: "Member", Email: fmt.Sprintf("m%d@bench.example", i),
			Birthday: birthday, BirthdayChangedAt: joined, TimeZone: benchZones[i%len(benchZones)], Locale: "en",
			Tier: loyalty.Bronze, ReviewedTier: loyalty.Bronze, Balance: points,
			TierReviewOn: loyalty.DateOf(joined).AddDays(365 + rng.IntN(365)),
			Version:      1, LedgerSeq: 1, Serial: ids.Secret(), TokenHash: loyalty.HashSecret(id),
			CreatedAt: joined, UpdatedAt: joined,
		}
		postings = append(postings, loyalty.Posting{
			Member: m,
			Entries: []loyalty.LedgerEntry{{
				ID: ids.NewID(joined), MemberID: id, Seq: 1, Kind: loyalty.KindWelcome,
				Points: points, BalanceAfter: points, Actor: "program", CreatedAt: joined,
			}},
			Lots: []loyalty.Lot{{ExpiresOn: expires, Remaining: points}},
		})
		if len(postings) == batch || i == members-1 {
			if err := s.CommitAll(ctx, postings); err != nil {
				b.Fatal(err)
			}
			postings = postings[:0]
		}
	}
}
