package logs_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/smithy-go/logging"

	"github.com/fidelio/fidelio/shared/logs"
)

func TestTheLevelIsLambdasAndTheSDKWritesJSON(t *testing.T) {
	t.Setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
	var out bytes.Buffer
	l := logs.New(&out)
	l.Info("not at WARN")
	logs.SDK(l).Logf(logging.Debug, "request %d", 1)
	logs.SDK(l).Logf(logging.Warn, "failed to close HTTP response body, this may affect connection reuse: %v", "response did not match expected checksum, 1, 2")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("lines at WARN: %q, want the SDK's warning alone", lines)
	}
	var line struct{ Level, Msg, Source string }
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil || line.Level != "WARN" || line.Source != "aws-sdk" || !strings.HasPrefix(line.Msg, "failed to close") {
		t.Errorf("%s: %v", lines[0], err)
	}
	t.Setenv("AWS_LAMBDA_LOG_LEVEL", "DEBUG")
	out.Reset()
	logs.SDK(logs.New(&out)).Logf(logging.Debug, "request %d", 1)
	if !strings.Contains(out.String(), `"level":"DEBUG"`) {
		t.Errorf("at DEBUG: %s", out.String())
	}
}
