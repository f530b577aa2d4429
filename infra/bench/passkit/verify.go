package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// verifyPass checks what Wallet checks of a .pkpass, but for the root: every
// file is in manifest.json with its SHA-1 and nothing else is, and signature
// is a PKCS #7 signature of the manifest that chains to the root in the
// rootPEM file.
// It returns the pass's serial number, so that a caller can tell whose pass
// it is. A timing of passes that Wallet would refuse would compare nothing.
func verifyPass(pkpass []byte, rootPEM string) (serial string, err error) {
	files, err := unzip(pkpass)
	if err != nil {
		return "", err
	}
	var manifest map[string]string
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		return "", fmt.Errorf("manifest.json: %w", err)
	}
	for name, data := range files {
		if name == "manifest.json" || name == "signature" {
			continue
		}
		sum := sha1.Sum(data)
		if manifest[name] != hex.EncodeToString(sum[:]) {
			return "", fmt.Errorf("%s is not in the manifest with its SHA-1", name)
		}
	}
	for name := range manifest {
		if _, ok := files[name]; !ok {
			return "", fmt.Errorf("the manifest lists %s, which the pass lacks", name)
		}
	}
	if _, ok := manifest["icon.png"]; !ok {
		return "", errors.New("icon.png is missing")
	}
	if err := opensslVerify(files["signature"], files["manifest.json"], rootPEM); err != nil {
		return "", err
	}
	var pass struct {
		SerialNumber string `json:"serialNumber"`
	}
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		return "", fmt.Errorf("pass.json: %w", err)
	}
	return pass.SerialNumber, nil
}

// opensslVerify checks signature against manifest and the root with
// openssl, which hashes the signed attributes as they were sent, as Wallet
// does. The Go verifier of smallstep/pkcs7 encodes them again before hashing,
// and so refuses passkit-generator's signatures: node-forge writes the signed
// attributes in the order it was given rather than DER's sorted order, and
// signs those bytes.
func opensslVerify(signature, manifest []byte, rootPEM string) error {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		return fmt.Errorf("openssl is needed to check signatures (apt-get install openssl): %w", err)
	}
	dir, err := os.MkdirTemp("", "fidelio-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	sigFile, manifestFile := filepath.Join(dir, "signature"), filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(sigFile, signature, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(manifestFile, manifest, 0o600); err != nil {
		return err
	}
	// -purpose any: a pass certificate's only extended key usage is Apple's
	// pass signing, which openssl does not know and would refuse for S/MIME.
	out, err := exec.Command(bin, "smime", "-verify", "-binary", "-inform", "DER", "-in", sigFile,
		"-content", manifestFile, "-CAfile", rootPEM, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
	if err != nil {
		return fmt.Errorf("openssl smime -verify: %w: %s", err, bytes.TrimSpace(out))
	}
	return nil
}
