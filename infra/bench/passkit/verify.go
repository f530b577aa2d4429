package main

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/smallstep/pkcs7"
)

// verifyPass checks what Wallet checks of a .pkpass, but for the root: every
// file is in manifest.json with its SHA-1 and nothing else is, and signature
// is a PKCS #7 signature of the manifest that chains to the root in rootPEM.
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
	p7, err := pkcs7.Parse(files["signature"])
	if err != nil {
		return "", fmt.Errorf("signature: %w", err)
	}
	p7.Content = files["manifest.json"]
	roots, err := loadRoots(rootPEM)
	if err != nil {
		return "", err
	}
	if err := p7.VerifyWithChain(roots); err != nil {
		return "", fmt.Errorf("signature: %w", err)
	}
	var pass struct {
		SerialNumber string `json:"serialNumber"`
	}
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		return "", fmt.Errorf("pass.json: %w", err)
	}
	return pass.SerialNumber, nil
}

func loadRoots(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no certificate", path)
	}
	return pool, nil
}
