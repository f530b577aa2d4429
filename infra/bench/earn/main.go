// Command earn drives earnings through the local stack's whole HTTP path on
// the embedded store, and the same load against a yardstick: a server that
// makes one fsync'd bbolt write per request and nothing else, what the disk
// allows a store without group commit. Both run in one process, one after
// the other, so the ratio holds on a shared and loaded machine.
//
//	go run ./infra/bench/earn [-clients 16] [-members 64] [-d 10s] [-lone 300] [-rounds 5] [-cpuprofile file]
//
// It prints each target's requests per second, p50 and p99 with the clients
// at once, the ratio of the two rates, and the latency of a lone caller that
// sends one earning after the other; the process's CPU time per request
// (the clients' included, the same for both); and the disk syncs and pages
// each target wrote per request, which a loaded machine disturbs least. It
// fails when a request fails, never on a figure: they depend on the machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"
)

func main() {
	var o options
	flag.IntVar(&o.clients, "clients", 16, "clients sending at once")
	flag.IntVar(&o.members, "members", 64, "members the earnings are spread over")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "how long the clients drive each target")
	flag.IntVar(&o.lone, "lone", 300, "earnings the lone caller sends, one after the other, to each target")
	flag.IntVar(&o.rounds, "rounds", 5, "turns the targets take, each for its share of -d and -lone")
	flag.StringVar(&o.template, "template", "template.yaml", "the SAM template whose routes the stack serves")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (both targets, clients included) to this file")
	flag.Parse()
	if err := profiled(*cpuProfile, func() error { return run(context.Background(), o, os.Stdout) }); err != nil {
		fmt.Fprintln(os.Stderr, "earn bench:", err)
		os.Exit(1)
	}
}

// profiled runs f, with a CPU profile written to path unless it is "".
func profiled(path string, f func() error) error {
	if path == "" {
		return f()
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return f()
}

func run(ctx context.Context, o options, out io.Writer) error {
	if o.clients < 1 || o.members < 1 || o.rounds < 1 || o.lone < o.rounds || o.duration <= 0 {
		return fmt.Errorf("-clients, -members, -rounds and -d must be positive, and -lone at least -rounds")
	}
	dir, err := os.MkdirTemp("", "fidelio-bench-earn-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	yard, err := startYardstick(dir)
	if err != nil {
		return err
	}
	defer yard.close()
	earn, err := startStack(ctx, dir, o)
	if err != nil {
		return err
	}
	defer earn.close()

	// Rounds take turns, so that both targets see the machine as it is.
	targets := []target{yard, earn}
	var loaded, alone [2]sample
	for range o.rounds {
		for i, t := range targets {
			s, err := drive(t, o.clients, o.duration/time.Duration(o.rounds))
			if err != nil {
				return fmt.Errorf("%s: %w", t.name(), err)
			}
			loaded[i].add(s)
		}
		for i, t := range targets {
			s, err := sequential(t, o.lone/o.rounds)
			if err != nil {
				return fmt.Errorf("%s, lone caller: %w", t.name(), err)
			}
			alone[i].add(s)
		}
	}
	fmt.Fprintf(out, "%d clients over %d members for %s, a lone caller for %d requests, on each target in %d rounds\n", o.clients, o.members, o.duration, o.lone, o.rounds)
	fmt.Fprintf(out, "%-38s %8s %10s %8s %8s %8s %8s %8s\n", "target", "requests", "req/s", "p50 ms", "p99 ms", "CPU µs", "syncs", "pages")
	for i, t := range targets {
		fmt.Fprintf(out, "%-38s %s\n", t.name(), loaded[i])
	}
	for i, t := range targets {
		fmt.Fprintf(out, "%-38s %s\n", t.name()+", lone caller", alone[i])
	}
	fmt.Fprintf(out, "earnings / yardstick: %.2fx\n", loaded[1].rate()/loaded[0].rate())
	return nil
}
