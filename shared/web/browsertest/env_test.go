package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fidelio/fidelio/infra/local/stack"
	"github.com/fidelio/fidelio/shared/qrcode"
	"github.com/fidelio/fidelio/shared/web"
)

// installChromium is what makes the tests' browser appear on a Debian machine.
const installChromium = "apt-get update && apt-get install -y chromium (make test does it through infra/install-test-tools.sh)"

// env is what the tests share, started once: the local stack behind a server
// that can lose answers, a member whose card the fake camera shows, and one
// Chromium.
type env struct {
	base    string
	st      *stack.Stack
	net     *faults
	browser context.Context
	camera  member // the member the fake camera shows
}

type member struct{ ID, Code, Token, Name string }

var (
	once     sync.Once
	shared   *env
	startErr error
	cleanups []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// setup starts the environment for the first test that needs it.
func setup(t *testing.T) *env {
	t.Helper()
	once.Do(func() { shared, startErr = start() })
	if startErr != nil {
		t.Fatal(startErr)
	}
	return shared
}

func start() (*env, error) {
	if _, err := fs.Stat(web.Files(), "assets/jsQR.js.gz"); err != nil {
		return nil, errors.New("shared/web/static/assets/jsQR.js.gz, the till's QR decoder, is missing: run npm ci --prefix shared/web (make test does)")
	}
	chromium, err := chromiumPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fidelio-browsertest-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })

	e := &env{net: &faults{}}
	var stop func()
	e.st, e.base, stop, err = serveStack(stack.Options{DataDir: filepath.Join(dir, "data")}, e.net)
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, stop)

	// The fake camera's card: a member with 150 points, so two demo rewards
	// are within reach.
	e.camera.Name = "Camille Dupont"
	m, err := e.api("POST", "/v1/members", "", map[string]any{"name": e.camera.Name, "email": "camille@example.com", "locale": "fr"}, 201)
	if err != nil {
		return nil, err
	}
	e.camera.ID, e.camera.Code, e.camera.Token = m["id"].(string), m["code"].(string), m["token"].(string)
	if _, err := e.api("POST", "/v1/admin/members/"+e.camera.ID+"/adjustments", e.st.Secrets.AdminKey, map[string]any{"points": 100, "note": "browser test"}, 201, "Idempotency-Key", "camera-member"); err != nil {
		return nil, err
	}
	qr, err := qrcode.Image(e.camera.Code, 330)
	if err != nil {
		return nil, err
	}
	video := filepath.Join(dir, "card.y4m")
	if err := writeY4M(video, qr, 640, 480, 6); err != nil {
		return nil, err
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	cleanups = append(cleanups, cancelAlloc, cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		return nil, fmt.Errorf("starting %s: %w", chromium, err)
	}
	e.browser = browser
	return e, nil
}

// serveStack starts the local stack with the demo program, behind f, on
// 127.0.0.1. The stack's links are absolute, so it must know the server's
// address before it serves: the listener comes first, the handler after.
func serveStack(o stack.Options, f *faults) (st *stack.Stack, base string, stop func(), err error) {
	srv := httptest.NewUnstartedServer(nil)
	base = "http://" + srv.Listener.Addr().String()
	o.Store, o.Template, o.Demo, o.PublicURL, o.Logger = "embedded", "../../../template.yaml", true, base, slog.New(slog.DiscardHandler)
	st, err = stack.New(context.Background(), o)
	if err != nil {
		srv.Close()
		return nil, "", nil, fmt.Errorf("local stack: %w", err)
	}
	f.next = st
	srv.Config.Handler = f
	srv.Start()
	return st, base, func() { srv.Close(); st.Close() }, nil
}

// chromiumPath finds Debian's Chromium, or the one FIDELIO_CHROMIUM names.
func chromiumPath() (string, error) {
	if p := os.Getenv("FIDELIO_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium is not installed, and these tests drive it: " + installChromium)
}

// tab opens a tab that looks like a phone 360 CSS pixels wide at 2 device
// pixels per CSS pixel, whose browser prefers language lang. The test fails
// if a page in it breaks its Content-Security-Policy.
func (e *env) tab(t *testing.T, lang string) context.Context {
	t.Helper()
	ctx := e.phone(t, lang)
	violations := watchCSP(t, ctx)
	t.Cleanup(func() {
		if v := violations(); len(v) > 0 {
			t.Errorf("the pages broke their Content-Security-Policy:\n%s", strings.Join(v, "\n"))
		}
	})
	return ctx
}

// phone opens a phone-sized tab, as tab does, without watching its policy.
func (e *env) phone(t *testing.T, lang string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	ua, err := chromedp.Run(ctx, chromedp.Evaluate[string]("navigator.userAgent"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: lang}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// watchCSP reports the Content-Security-Policy violations of every page the
// tab loads from now on, as the browser tells them to the page.
func watchCSP(t *testing.T, ctx context.Context) (violations func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	const binding = "fidelioCSPViolation"
	err := chromedp.Listen(ctx, func(ev any) {
		if b, ok := ev.(*runtime.EventBindingCalled); ok && b.Name == binding {
			mu.Lock()
			seen = append(seen, b.Payload)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: binding}); err != nil {
		t.Fatal(err)
	}
	// The page counts them too, after telling: a test can wait for the count.
	report := `document.addEventListener("securitypolicyviolation", (e) => {
		` + binding + `(e.violatedDirective + " blocked " + (e.blockedURI || "inline code") + " in " + e.sourceFile + ":" + e.lineNumber);
		window.cspViolations = (window.cspViolations || 0) + 1;
	})`
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: report}); err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// do runs actions in the tab, failing the test on the first error; each run
// has its own deadline so a page that never shows what is awaited fails fast.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the tab.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitFor waits until a JavaScript expression is true, and says what it was
// waiting for when it does not come.
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s (%s): %v\npage says: %s", what, expr, err, pageText(ctx))
	}
}

// setValue sets a field's value as a pasted text would.
func setValue(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.getElementById(%q); el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true})); })()`, id, value))
}

func text(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`document.getElementById(%q).textContent.trim()`, id))
}

func pageText(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return strings.Join(strings.Fields(s), " ")
}

// noSideScroll checks the page fits the phone's width.
func noSideScroll(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("%s is %d CSS pixels wide on a 360 px phone: it scrolls sideways", page, w)
	}
}

// shot writes a screenshot of the whole page, at the phone's 2 device pixels
// per CSS pixel, to $FIDELIO_SCREENSHOTS or the test's temporary folder.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("FIDELIO_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A tall page at 3 device pixels per CSS pixel is many pixels to encode:
	// on a loaded machine that takes longer than an action.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// api calls the stack's API directly, as curl would.
func (e *env) api(method, path, token string, body any, want int, headers ...string) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	if resp.StatusCode != want {
		return out, fmt.Errorf("%s %s: %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	return out, nil
}

func (e *env) mustAPI(t *testing.T, method, path, token string, body any, want int, headers ...string) map[string]any {
	t.Helper()
	out, err := e.api(method, path, token, body, want, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// faults stands between the browser and the stack. It records the requests
// to the routes a test watches, and can lose answers: the stack handles the
// request, and the browser gets a 502 instead of its answer, as when a
// gateway or the network fails on the way back. A page that retries then
// must not change anything twice.
type faults struct {
	next http.Handler
	mu   sync.Mutex
	lose map[string]int // route -> answers still to lose
	held map[string]chan struct{}
	seen map[string][]seen
}

type seen struct {
	body, idempotencyKey string
	status               int
	replayed             bool
}

// loseAnswers makes the next n answers of route ("POST /v1/earnings") lost.
func (f *faults) loseAnswers(route string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lose == nil {
		f.lose = map[string]int{}
	}
	f.lose[route] = n
}

// holdAnswers keeps route's requests waiting, as a slow server would, until
// release is called.
func (f *faults) holdAnswers(route string) (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held == nil {
		f.held = map[string]chan struct{}{}
	}
	gate := make(chan struct{})
	f.held[route] = gate
	return func() {
		f.mu.Lock()
		delete(f.held, route)
		f.mu.Unlock()
		close(gate)
	}
}

// requests returns what route was sent since the last call, and forgets it.
func (f *faults) requests(route string) []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.seen[route]
	delete(f.seen, route)
	return s
}

var watched = map[string]bool{"POST /v1/members": true, "POST /v1/earnings": true, "POST /v1/redemptions": true, "POST /v1/transactions/{id}/reversal": true}

// reversal is the path of a transaction's reversal, whatever the transaction.
var reversal = regexp.MustCompile(`^/v1/transactions/[^/]+/reversal$`)

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + reversal.ReplaceAllString(r.URL.Path, "/v1/transactions/{id}/reversal")
	if !watched[route] {
		f.next.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	gate := f.held[route]
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	f.next.ServeHTTP(rec, r)

	f.mu.Lock()
	lost := f.lose[route] > 0
	if lost {
		f.lose[route]--
	}
	if f.seen == nil {
		f.seen = map[string][]seen{}
	}
	f.seen[route] = append(f.seen[route], seen{string(body), r.Header.Get("Idempotency-Key"), rec.Code, rec.Header().Get("Idempotent-Replayed") == "true"})
	f.mu.Unlock()

	if lost {
		http.Error(w, "Bad Gateway", http.StatusBadGateway)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}
