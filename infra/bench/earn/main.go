// Command earn drives earnings through the local stack's whole HTTP path on
// the embedded store, and the same load against a yardstick: a server that
// makes one fsync'd bbolt write per request and nothing else, what the disk
// allows a store without group commit. Both run in one process, one after
// the other, so the ratio holds on a shared and loaded machine.
//
//	go run ./infra/bench/earn [-clients 16] [-members 64] [-d 10s] [-lone 300]
//
// It prints each target's requests per second, p50 and p99 with the clients
// at once, the ratio of the two rates, and the latency of a lone caller that
// sends one earning after the other. It fails when a request fails, never on
// a figure: they depend on the machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	var o options
	flag.IntVar(&o.clients, "clients", 16, "clients sending at once")
	flag.IntVar(&o.members, "members", 64, "members the earnings are spread over")
	flag.DurationVar(&o.duration, "d", 10e9, "how long the clients drive each target")
	flag.IntVar(&o.lone, "lone", 300, "earnings the lone caller sends, one after the other, to each target")
	flag.StringVar(&o.template, "template", "template.yaml", "the SAM template whose routes the stack serves")
	flag.Parse()
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "earn bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	if o.clients < 1 || o.members < 1 || o.lone < 1 || o.duration <= 0 {
		return fmt.Errorf("-clients, -members, -lone and -d must be positive")
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

	var loaded, alone [2]figures
	for i, t := range []target{yard, earn} {
		if loaded[i], err = drive(t, o.clients, o.duration); err != nil {
			return fmt.Errorf("%s: %w", t.name(), err)
		}
	}
	for i, t := range []target{yard, earn} {
		if alone[i], err = sequential(t, o.lone); err != nil {
			return fmt.Errorf("%s, lone caller: %w", t.name(), err)
		}
	}
	fmt.Fprintf(out, "%d clients over %d members, %s each; lone caller %d requests\n", o.clients, o.members, o.duration, o.lone)
	fmt.Fprintf(out, "%-38s %8s %10s %8s %8s\n", "target", "requests", "req/s", "p50 ms", "p99 ms")
	for i, t := range []target{yard, earn} {
		fmt.Fprintf(out, "%-38s %s\n", t.name(), loaded[i])
	}
	for i, t := range []target{yard, earn} {
		fmt.Fprintf(out, "%-38s %s\n", t.name()+", lone caller", alone[i])
	}
	fmt.Fprintf(out, "earnings / yardstick: %.2fx\n", loaded[1].rate/loaded[0].rate)
	return nil
}
