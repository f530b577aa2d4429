package coldstart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fidelio/fidelio/shared/awsenv"
)

// Moto is a moto_server serving AWS's APIs (Secrets Manager here) on
// 127.0.0.1.
type Moto struct {
	// URL is its endpoint, such as http://127.0.0.1:5123.
	URL string
	cmd *exec.Cmd
	log lockedBuffer
}

// listening is how moto_server says where it listens. It is started on port
// 0 and picks its own: a free port chosen here and closed before moto bound
// it could be taken meanwhile by another server on the machine, whose
// answers (404) looked like moto's.
var listening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:\d+)`)

// StartMoto starts moto_server (from PATH) on a free port of 127.0.0.1 and
// waits until it listens.
func StartMoto(ctx context.Context) (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not installed (it serves Secrets Manager to the functions under test): %w", err)
	}
	m := &Moto{}
	m.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", "0")
	m.cmd.Stdout, m.cmd.Stderr = &m.log, &m.log
	stopWithParent(m.cmd)
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- m.cmd.Wait() }()
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("moto_server exited: %v\n%s", err, m.log.String())
		case <-ctx.Done():
			m.cmd.Process.Kill()
			<-exited
			return nil, fmt.Errorf("moto_server did not start: %w\n%s", ctx.Err(), m.log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if url := listening.FindStringSubmatch(m.log.String()); url != nil {
			m.URL = url[1]
			go func() { <-exited }()
			return m, nil
		}
	}
}

// Stop ends the server.
func (m *Moto) Stop() error {
	if err := m.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

// lockedBuffer is moto_server's output, read while it is written.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// UseMoto starts moto_server for t, stopped when t ends, and points the
// environment the functions read (region, test credentials, endpoint) at
// it; it returns the config they would load there.
func UseMoto(ctx context.Context, t testing.TB) aws.Config {
	t.Helper()
	moto, err := StartMoto(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { moto.Stop() })
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_ENDPOINT_URL", moto.URL)
	cfg, err := awsenv.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
