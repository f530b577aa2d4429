package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// BenchmarkEarn measures earns through a Program on s: "one-member" earns in
// sequence on one account (every earn reads and rewrites it), "members"
// earns in parallel, each goroutine on an account of its own. It reports the
// reads of the rules item per earning, rules-reads/op.
func BenchmarkEarn(b *testing.B, s store.Store) {
	ctx := context.Background()
	book := &rulesReads{Store: s}
	program := loyalty.NewProgram(book, nil, nil)
	var n atomic.Int64
	enroll := func() string {
		en, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Bench", Email: fmt.Sprintf("bench%d@example.com", n.Add(1))}})
		if err != nil {
			b.Fatal(err)
		}
		return en.Member.ID
	}
	earn := func(id string) {
		_, err := program.Earn(ctx, loyalty.EarnRequest{MemberID: id, Amount: loyalty.Money{Value: 1250, Currency: "EUR"}, StoreID: "bench", ReceiptID: fmt.Sprint("r", n.Add(1)), Actor: Till})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("one-member", func(b *testing.B) {
		id := enroll()
		before := book.reads.Load()
		for b.Loop() {
			earn(id)
		}
		b.ReportMetric(float64(book.reads.Load()-before)/float64(b.N), "rules-reads/op")
	})
	b.Run("members", func(b *testing.B) {
		before := book.reads.Load()
		b.RunParallel(func(pb *testing.PB) {
			id := enroll()
			for pb.Next() {
				earn(id)
			}
		})
		b.ReportMetric(float64(book.reads.Load()-before)/float64(b.N), "rules-reads/op")
	})
}

// BenchmarkStatsRead measures a 30-day report (store.StatsReport) on s after
// 30 days of a program in which 32 members a day enroll and earn at three
// stores: every day's counters are on most of the shards, as in a busy
// program, since what a report reads follows its days and shards, never
// the members.
func BenchmarkStatsRead(b *testing.B, s store.Store) {
	ctx := context.Background()
	clock := NewClock(Start)
	program := loyalty.NewProgram(s, clock, nil)
	stores := []string{"paris", "lyon", "nice"}
	for day := range 30 {
		clock.Set(Start.AddDate(0, 0, day))
		for i := range 32 {
			en, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Bench", Email: fmt.Sprintf("bench%d-%d@example.com", day, i)}})
			if err != nil {
				b.Fatal(err)
			}
			_, err = program.Earn(ctx, loyalty.EarnRequest{MemberID: en.Member.ID, Amount: loyalty.Money{Value: 1250, Currency: "EUR"}, StoreID: stores[i%3], ReceiptID: fmt.Sprint("r", day, "-", i), Actor: Till})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	from := loyalty.DateOf(Start)
	for b.Loop() {
		if _, err := store.StatsReport(ctx, s, from, from.AddDays(29)); err != nil {
			b.Fatal(err)
		}
	}
}
