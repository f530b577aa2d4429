package template_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/infra/local/stack"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/signing"
)

// fakeAWS stands in for the AWS CLI: it records the secrets it is given and
// answers what the README's commands read (an ARN, the stack's ApiUrl).
const fakeAWS = `#!/usr/bin/env bash
set -euo pipefail
secret=""
while (($#)); do
  case "$1" in
    --secret-string) secret="$2"; shift ;;
    secretsmanager|cloudformation) service="$1" ;;
    create-secret|put-secret-value|describe-stacks) op="$1" ;;
  esac
  shift
done
case "$service $op" in
  "secretsmanager create-secret") printf '%s' "$secret" > "$FAKE_OUT/create-secret.json"; echo "$FAKE_ARN" ;;
  "secretsmanager put-secret-value") [[ $secret == file://* ]] && secret=$(cat "${secret#file://}"); printf '%s' "$secret" > "$FAKE_OUT/put-secret-value.json" ;;
  "cloudformation describe-stacks") echo "$FAKE_API" ;;
  *) echo "aws: unexpected call" >&2; exit 1 ;;
esac
`

// fakeSAM stands in for the SAM CLI: it records its calls.
const fakeSAM = `#!/usr/bin/env bash
echo "$* FIDELIO_COMMIT=${FIDELIO_COMMIT-unset}" >> "$FAKE_OUT/sam.calls"
`

// TestREADMEDeploysAsWritten runs the README's deploy section as written,
// with aws and sam stood in for: the secret it creates is what the
// functions accept, what it adds for the wallets names every field they read,
// sam deploy is handed the secret's ARN, and the operator's first steps
// succeed against the local stack.
func TestREADMEDeploysAsWritten(t *testing.T) {
	blocks := deployBlocks(t)
	if len(blocks) != 4 {
		t.Fatalf("the deploy section has %d command blocks, want 4 (secret, wallets, build and deploy, first steps):\n%q", len(blocks), blocks)
	}
	work, out, bin := t.TempDir(), t.TempDir(), t.TempDir()
	for name, text := range map[string]string{"aws": fakeAWS, "sam": fakeSAM} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"pass.pem", "pass.key", "wwdr.pem", "service-account.json"} {
		if err := os.WriteFile(filepath.Join(work, f), []byte("the content of "+f+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const arn = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:fidelio-dev-AbCdEf"
	run := func(script string, env ...string) string {
		t.Helper()
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "FAKE_OUT=" + out, "FAKE_ARN=" + arn}, env...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v\n%s\nstdout:\n%s\nstderr:\n%s", err, script, stdout.Bytes(), stderr.Bytes())
		}
		return stdout.String()
	}
	run(strings.Join(blocks[:3], "\n"))

	t.Run("the secret created is one the functions start with", func(t *testing.T) {
		s := readSecret(t, filepath.Join(out, "create-secret.json"))
		if err := s.Validate(); err != nil {
			t.Error(err)
		}
		if _, err := signing.NewSigner(s.CodeKeys); err != nil {
			t.Errorf("codeKeys: %v", err)
		}
	})
	t.Run("the wallets' secret names every field the functions read", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(out, "put-secret-value.json"))
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]string
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatal(err)
		}
		typ := reflect.TypeFor[config.Secrets]()
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if fields[name] == "" {
				t.Errorf("%s is not set", name)
			}
		}
		if s := readSecret(t, filepath.Join(out, "put-secret-value.json")); s.Validate() != nil || !s.AppleConfigured() {
			t.Errorf("the secret with the wallets is refused (%v) or leaves Apple Wallet off", s.Validate())
		}
	})
	t.Run("sam deploy is given the secret's ARN", func(t *testing.T) {
		calls, err := os.ReadFile(filepath.Join(out, "sam.calls"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(calls), "build ") || !strings.Contains(string(calls), "\ndeploy --guided --parameter-overrides SecretArn="+arn+" ") {
			t.Errorf("sam was called so:\n%s", calls)
		}
	})
	t.Run("the operator's first steps succeed", func(t *testing.T) {
		st, err := stack.New(context.Background(), stack.Options{
			DataDir: t.TempDir(), Store: "embedded", Template: filepath.Join(root, "template.yaml"), Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		srv := httptest.NewServer(st)
		defer srv.Close()
		answers := run(blocks[3], "FAKE_API="+srv.URL, "ADMIN_KEY="+st.Secrets.AdminKey)
		if !regexp.MustCompile(`"key":"fs_`).MatchString(answers) {
			t.Errorf("no staff key in the answers:\n%s", answers)
		}
	})
}

// deployBlocks returns the command blocks of the README's deploy section:
// the code blocks indented under its numbered steps.
func deployBlocks(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Deploying to AWS\n")
	if !ok {
		t.Fatal("README.md has no section ## Deploying to AWS")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var blocks []string
	var block []string
	for _, line := range strings.Split(section, "\n") {
		if code, ok := strings.CutPrefix(line, "       "); ok {
			block = append(block, code)
			continue
		}
		if len(block) > 0 {
			blocks = append(blocks, strings.Join(block, "\n"))
			block = nil
		}
	}
	return blocks
}

// readSecret decodes a secret as the functions do: unknown fields refused.
func readSecret(t *testing.T, path string) config.Secrets {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s config.Secrets
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(path), err, raw)
	}
	return s
}
