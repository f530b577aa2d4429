// Command passkit times the building of a new member's Apple Wallet pass on
// one core, with apple.Builder and with passkit-generator, the Node library
// most used for the job, from the same images and certificates in one run,
// and prints both rates, their ratio and the share of a Go pass that is the
// RSA signature.
//
//	go run ./infra/bench/passkit [-n 500] [-tier gold] [-keep]
//
// It installs passkit-generator from package-lock.json (npm ci) the first
// time. It fails when either side fails or makes a pass that does not
// verify, never on the figures: they depend on the machine.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func main() {
	n := flag.Int("n", 500, "passes to build on each side")
	tier := flag.String("tier", "gold", "tier whose images the passes carry")
	keep := flag.Bool("keep", false, "keep the work folder (certificates, model, last passes) and print its path")
	flag.Parse()
	if err := run(*n, *tier, *keep, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "passkit bench:", err)
		os.Exit(1)
	}
}

func run(n int, tierName string, keep bool, out io.Writer) error {
	if n < 1 {
		return errors.New("-n must be 1 or more")
	}
	tier, err := loyalty.ParseTier(tierName)
	if err != nil {
		return err
	}
	dir, err := scriptDir()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "fidelio-bench-passkit-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintln(os.Stderr, "work folder:", work)
	} else {
		defer os.RemoveAll(work)
	}

	install, err := installNode(dir)
	if err != nil {
		return err
	}
	f, err := newFixture(work, tier)
	if err != nil {
		return err
	}
	members := make([]member, n)
	for i := range members {
		members[i] = newMember(i + 1)
	}
	job := nodeJob{
		Model: f.model, SignerCert: f.signerCert, SignerKey: f.signerKey, WWDR: f.wwdr,
		Members: filepath.Join(work, "members.json"), Out: filepath.Join(work, "node.pkpass"),
	}
	if err := writeJSON(job.Members, members); err != nil {
		return err
	}

	fmt.Fprintf(os.Stderr, "building %d passes with apple.Builder...\n", n)
	g, err := timeGo(f, members)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	if err := os.WriteFile(filepath.Join(work, "go.pkpass"), g.last, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "building %d passes with passkit-generator...\n", n)
	js, err := runNode(dir, work, job)
	if err != nil {
		return err
	}
	nodePass, err := os.ReadFile(job.Out)
	if err != nil {
		return err
	}
	want := members[n-1].Serial
	for side, pkpass := range map[string][]byte{"apple.Builder": g.last, js.Library: nodePass} {
		serial, err := verifyPass(pkpass, f.root)
		if err != nil {
			return fmt.Errorf("the last pass of %s does not verify: %w", side, err)
		}
		if serial != want {
			return fmt.Errorf("the last pass of %s is for %q, not the last member %q", side, serial, want)
		}
	}
	report(out, f, g, js, install)
	return nil
}

// report prints the table.
func report(out io.Writer, f *fixture, g goResult, js nodeResult, install time.Duration) {
	goPerPass := g.elapsed.Seconds() / float64(g.passes)
	goRSA := g.rsa.Seconds() / float64(g.passes)
	nodePerPass := js.Seconds / float64(js.Passes)
	nodeRSA := js.RSASeconds / float64(js.RSASignatures)

	fmt.Fprintf(out, "A new member's pass, %s tier (%d KiB of images), RSA-2048, one core; both passes verify.\n\n",
		f.tier.Title(), f.imageBytes/1024)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\tpasses\tpasses/s\tms/pass\tRSA ms\tRSA share\tCPU/wall\t")
	fmt.Fprintf(w, "Go apple.Builder\t%d\t%.0f\t%.3f\t%.3f\t%.0f%%\t%.2f\t\n",
		g.passes, 1/goPerPass, 1000*goPerPass, 1000*goRSA, 100*goRSA/goPerPass, g.cpu.Seconds()/g.wall.Seconds())
	fmt.Fprintf(w, "%s (node %s)\t%d\t%.1f\t%.3f\t%.3f\t%.0f%%\t%.2f\t\n",
		js.Library, js.Node, js.Passes, 1/nodePerPass, 1000*nodePerPass, 1000*nodeRSA, 100*nodeRSA/nodePerPass, js.CPUSeconds/js.WallSeconds)
	w.Flush()
	fmt.Fprintf(out, "\nratio: Go builds %.1fx as many passes per second as %s\n", nodePerPass/goPerPass, js.Library)
	fmt.Fprintf(out, "Go RSA share: %.0f%% of a pass is the RSA-2048 signature\n", 100*goRSA/goPerPass)
	fmt.Fprintln(out, "CPU/wall is CPU time over wall time while timing: well under 1, other work shared the core and the rates read low.")
	if install > 0 {
		fmt.Fprintf(out, "npm ci (node_modules was missing): %.1f s\n", install.Seconds())
	}
}

// scriptDir finds this command's folder, which holds bench.mjs and
// node_modules, from the module root above the working directory, so that
// the command runs from any folder of the repository.
func scriptDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, "infra", "bench", "passkit")
			if _, err := os.Stat(filepath.Join(dir, "bench.mjs")); err != nil {
				return "", fmt.Errorf("bench.mjs not found in %s: run from the fidelio repository", dir)
			}
			return dir, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: run from the fidelio repository", wd)
		}
	}
}
