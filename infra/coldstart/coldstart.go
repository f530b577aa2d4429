// Package coldstart runs the functions' real binaries as Lambda runs them:
// built as `make build` builds them (for this machine), started with the
// environment template.yaml gives each one and AWS_LAMBDA_RUNTIME_API
// pointing at a fake Runtime API on 127.0.0.1, which hands the binary one
// event and takes its answer. Its tests prove that each function starts and
// answers, that none calls the network before its first event, and that a
// dependency that cannot be built says why; its benchmark times the same
// starts (exec to the first GET of the next invocation) beside a bare
// aws-lambda-go function's, as a ratio.
package coldstart

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
)

// BuildFlags are the Makefile's GOBUILD flags: what Lambda runs is built so.
var BuildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// Build compiles every command under functions/ and the bare yardstick
// (infra/coldstart/bare) of the module at root into dir, one binary each
// named after its folder, in one go build for this machine's OS and
// architecture.
func Build(root, dir string) error {
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-o", dir+string(os.PathSeparator), "./functions/...", "./infra/coldstart/bare")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Run is what one start of a binary did.
type Run struct {
	// Started is the time from exec to the binary's first GET of the next
	// invocation: its cold start. Zero when it never asked. Asked is when
	// that GET came.
	Started time.Duration
	Asked   time.Time
	// CPU is the CPU time the binary had used when it asked (Linux only):
	// its start's work, which a busy machine delays but does not grow, so
	// it compares starts on a loaded machine better than Started does.
	CPU time.Duration
	// Response is the answer it posted to the invocation's response route,
	// Error what it posted to the error route, InitError what it posted to
	// /runtime/init/error; nil when it posted nothing there.
	Response, Error, InitError []byte
	// Exited says the binary ended by itself, with ExitCode, before it was
	// stopped.
	Exited   bool
	ExitCode int
	// Stdout and Stderr are all it wrote.
	Stdout, Stderr string
}

// Log is everything the binary wrote, as Lambda would keep it.
func (r Run) Log() string { return r.Stdout + r.Stderr }

const requestID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"

// Invoke starts the binary with env (to which it adds
// AWS_LAMBDA_RUNTIME_API), hands it event as its one invocation, and stops
// it once it has answered or exited, or when ctx is done.
func Invoke(ctx context.Context, binary string, env []string, event []byte) (Run, error) {
	var (
		run     Run
		mu      sync.Mutex
		began   time.Time
		asked   bool
		pid     int
		settled = make(chan struct{}) // an answer came
		closing = make(chan struct{}) // the run is over: let a waiting GET go
		once    sync.Once
	)
	settle := func(dst *[]byte, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		*dst = body
		mu.Unlock()
		once.Do(func() { close(settled) })
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := !asked
		if first {
			asked, run.Started, run.Asked = true, time.Since(began), time.Now()
			run.CPU = cpuTime(pid)
		}
		mu.Unlock()
		if !first {
			// A second invocation never comes: the binary waits, as it
			// would between invocations, until it is stopped.
			select {
			case <-r.Context().Done():
			case <-closing:
			}
			return
		}
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", requestID)
		h.Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(time.Minute).UnixMilli()))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:coldstart")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
		h.Set("Content-Type", "application/json")
		w.Write(event)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		settle(&run.Response, r)
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) {
		settle(&run.Error, r)
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		settle(&run.InitError, r)
		w.WriteHeader(http.StatusAccepted)
	})
	api := httptest.NewServer(mux)
	defer api.Close()
	defer close(closing)

	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.URL, "http://"))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	mu.Lock()
	began = time.Now()
	err := cmd.Start()
	if err == nil {
		pid = cmd.Process.Pid
	}
	mu.Unlock()
	if err != nil {
		return run, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	timedOut := false
	select {
	case <-exited:
		run.Exited = true
		run.ExitCode = cmd.ProcessState.ExitCode()
	case <-settled:
	case <-ctx.Done():
		timedOut = true
	}
	if !run.Exited {
		cmd.Process.Kill()
		<-exited
	}
	mu.Lock()
	defer mu.Unlock()
	run.Stdout, run.Stderr = stdout.String(), stderr.String()
	if timedOut {
		return run, fmt.Errorf("%s neither answered nor exited: %w", binary, ctx.Err())
	}
	return run, nil
}
