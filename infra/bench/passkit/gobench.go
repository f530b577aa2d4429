package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"runtime"
	"syscall"
	"time"
)

// goResult is what the Go side measured.
type goResult struct {
	passes  int
	elapsed time.Duration
	// rsa is the time of as many bare RSA-2048 signatures as passes.
	rsa time.Duration
	// last is the last pass built, kept to be verified.
	last []byte
	// The timed part, passes and signatures, used cpu of CPU in wall.
	cpu, wall time.Duration
}

// round is how many passes, then as many signatures, are timed in turn.
// Alternating keeps the two measures under the same load when the machine
// is shared, so that their ratio holds even when the rates drift.
const round = 10

// timeGo builds the pass of each member with the fixture's Builder on one
// core and makes as many RSA-2048 PKCS #1 v1.5 SHA-256 signatures with the
// same key, the private-key operation inside each pass's signature, in
// alternating rounds.
func timeGo(f *fixture, members []member) (goResult, error) {
	key, ok := f.signer.Key.(*rsa.PrivateKey)
	if !ok {
		return goResult{}, fmt.Errorf("the pass key is a %T, not RSA", f.signer.Key)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	// The tier's images were prepared when the fixture built its template
	// pass, as they are after a Lambda's first pass: what is timed is the
	// pass of one more member.
	runtime.GC()
	res := goResult{passes: len(members)}
	cpuStart, err := cpuTime()
	if err != nil {
		return goResult{}, err
	}
	wallStart := time.Now()
	for len(members) > 0 {
		batch := members[:min(round, len(members))]
		members = members[len(batch):]
		start := time.Now()
		for _, m := range batch {
			pkpass, err := f.builder.Build(card(f.tier, m))
			if err != nil {
				return goResult{}, err
			}
			res.last = pkpass
		}
		res.elapsed += time.Since(start)

		start = time.Now()
		for _, m := range batch {
			digest := sha256.Sum256([]byte(m.Serial))
			if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
				return goResult{}, fmt.Errorf("rsa: %w", err)
			}
		}
		res.rsa += time.Since(start)
	}
	res.wall = time.Since(wallStart)
	cpuEnd, err := cpuTime()
	if err != nil {
		return goResult{}, err
	}
	res.cpu = cpuEnd - cpuStart
	return res, nil
}

// cpuTime is the CPU time the process has used, in user and system mode.
func cpuTime() (time.Duration, error) {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()), nil
}
