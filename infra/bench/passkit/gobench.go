package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"runtime"
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
}

// timeGo builds the pass of each member with the fixture's Builder on one
// core, then makes as many RSA-2048 PKCS #1 v1.5 SHA-256 signatures with the
// same key, the private-key operation inside each pass's signature.
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
	start := time.Now()
	for _, m := range members {
		pkpass, err := f.builder.Build(card(f.tier, m))
		if err != nil {
			return goResult{}, err
		}
		res.last = pkpass
	}
	res.elapsed = time.Since(start)

	runtime.GC()
	start = time.Now()
	for i := range members {
		digest := sha256.Sum256(fmt.Appendf(nil, "manifest of pass %d", i))
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err != nil {
			return goResult{}, fmt.Errorf("rsa: %w", err)
		}
	}
	res.rsa = time.Since(start)
	return res, nil
}
