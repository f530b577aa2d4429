package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// nodeJob is the job file bench.mjs reads.
type nodeJob struct {
	Model      string `json:"model"`
	SignerCert string `json:"signerCert"`
	SignerKey  string `json:"signerKey"`
	WWDR       string `json:"wwdr"`
	Members    string `json:"members"`
	// Out receives the last pass built, for verifyPass.
	Out string `json:"out"`
}

// nodeResult is what bench.mjs prints.
type nodeResult struct {
	Library string `json:"library"`
	Node    string `json:"node"`
	// Passes passes took Seconds.
	Passes  int     `json:"passes"`
	Seconds float64 `json:"seconds"`
	// RSASignatures bare node-forge RSA-2048 signatures took RSASeconds.
	RSASignatures int     `json:"rsaSignatures"`
	RSASeconds    float64 `json:"rsaSeconds"`
	// The timed part, passes and signatures, used CPUSeconds of CPU in
	// WallSeconds.
	CPUSeconds  float64 `json:"cpuSeconds"`
	WallSeconds float64 `json:"wallSeconds"`
}

// installNode installs the packages of package-lock.json into dir when
// dir/node_modules is missing, and returns how long that took (zero when it
// was already there).
func installNode(dir string) (time.Duration, error) {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "passkit-generator", "package.json")); err == nil {
		return 0, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return 0, fmt.Errorf("npm is needed to install passkit-generator (apt-get install nodejs npm): %w", err)
	}
	cmd := exec.Command(npm, "ci", "--prefix", dir, "--no-audit", "--no-fund")
	// npm's progress goes to stderr with the rest of the command's own
	// messages; stdout is kept for the table.
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("npm ci --prefix %s: %w", dir, err)
	}
	return time.Since(start), nil
}

// runNode runs bench.mjs on job, written to work/job.json.
func runNode(dir, work string, job nodeJob) (nodeResult, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nodeResult{}, fmt.Errorf("node is needed to run passkit-generator: %w", err)
	}
	jobFile := filepath.Join(work, "job.json")
	if err := writeJSON(jobFile, job); err != nil {
		return nodeResult{}, err
	}
	var out bytes.Buffer
	cmd := exec.Command(node, filepath.Join(dir, "bench.mjs"), jobFile)
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nodeResult{}, fmt.Errorf("node bench.mjs: %w", err)
	}
	var res nodeResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nodeResult{}, fmt.Errorf("node bench.mjs printed %q: %w", out.String(), err)
	}
	if res.Passes <= 0 || res.Seconds <= 0 || res.RSASignatures <= 0 || res.RSASeconds <= 0 {
		return nodeResult{}, fmt.Errorf("node bench.mjs printed %q: no passes timed", out.String())
	}
	return res, nil
}
