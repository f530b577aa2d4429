package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fidelio/fidelio/shared/openapi"
	"github.com/fidelio/fidelio/shared/version"
)

func TestPage(t *testing.T) {
	for _, c := range []struct {
		path, ctype, has string
		status           int
	}{
		{"/", "text/html; charset=utf-8", `src="/assets/join.js"`, 200},
		{"/staff", "text/html; charset=utf-8", `src="/assets/till.js"`, 200},
		{"/admin", "text/html; charset=utf-8", `src="/assets/admin.js"`, 200},
		{"/assets/site.css", "text/css; charset=utf-8", ".tier-gold", 200},
		{"/assets/till.js", "text/javascript; charset=utf-8", "getUserMedia", 200},
		{"/assets/icon.svg", "image/svg+xml", "<svg", 200},
		{"/healthz", "application/json", `"version":"` + version.Version + `"`, 200},
		{"/assets/nothing.js", "", "", 404},
		{"/assets/..%2fweb.go", "", "", 404},
	} {
		t.Run(c.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Page(rec, httptest.NewRequest("GET", c.path, nil))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			if c.status != 200 {
				return
			}
			if got := rec.Header().Get("Content-Type"); got != c.ctype {
				t.Errorf("Content-Type %q, want %q", got, c.ctype)
			}
			if !strings.Contains(rec.Body.String(), c.has) {
				t.Errorf("the body lacks %q", c.has)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	for _, path := range []string{"/", "/staff", "/assets/till.js", "/docs", "/v1/openapi.json"} {
		rec := httptest.NewRecorder()
		Page(rec, httptest.NewRequest("GET", path, nil))
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self';", "style-src 'self';", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("%s: Content-Security-Policy %q allows unsafe sources", path, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s is %q, want %q", path, k, h.Get(k), v)
			}
		}
	}
}

// TestNoInlineCode: the policy allows no inline script, style or event
// handler, so the pages must have none (or the policy would need their hashes).
func TestNoInlineCode(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<script(?:(?:\s+(?:type|defer|async)(?:="[^"]*")?)*)>|<style|\sstyle=|\son[a-z]+=|javascript:`)
	for _, name := range []string{"index.html", "staff.html", "admin.html", "me.html", "docs.html"} {
		b, _, err := read(name, false)
		if err != nil {
			t.Fatal(err)
		}
		if m := inline.Find(b); m != nil {
			t.Errorf("%s has inline code %q, which its Content-Security-Policy blocks", name, m)
		}
	}
}

// generated are the assets npm ci copies in; they are not committed.
var generated = map[string]bool{"jsQR.js": true, "charts.css": true}

// TestTheContractIsServedAsBuilt: GET /v1/openapi.json answers the document
// of shared/openapi as it is now (build-docs.mjs ran on it), gzipped to a
// client that takes gzip and plain to one that does not; GET /docs is its
// reference, with every operation.
func TestTheContractIsServedAsBuilt(t *testing.T) {
	var want any
	if err := json.Unmarshal(openapi.Document, &want); err != nil {
		t.Fatal(err)
	}
	for accept, wantGzip := range map[string]bool{"gzip, deflate, br": true, "br;q=1.0, gzip;q=0.8": true, "": false, "identity": false, "gzip;q=0": false} {
		t.Run("Accept-Encoding "+accept, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/v1/openapi.json", nil)
			req.Header.Set("Accept-Encoding", accept)
			rec := httptest.NewRecorder()
			Page(rec, req)
			body := rec.Body.Bytes()
			zipped := rec.Header().Get("Content-Encoding") == "gzip"
			if zipped != wantGzip {
				t.Fatalf("Content-Encoding %q for Accept-Encoding %q", rec.Header().Get("Content-Encoding"), accept)
			}
			if zipped {
				body = gunzip(t, body)
			}
			var got any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%d %s: %v", rec.Code, body, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatal("the served document is not shared/openapi/openapi.json: run make (build-docs.mjs)")
			}
			if rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("headers %v", rec.Header())
			}
		})
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/docs", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	Page(rec, req)
	page := string(gunzip(t, rec.Body.Bytes()))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /docs: %d %v", rec.Code, rec.Header())
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	json.Unmarshal(openapi.Document, &doc)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if !strings.Contains(page, `id="opId`+op.OperationID+`"`) {
				t.Errorf("/docs lacks %s %s (%s): run make (build-docs.mjs)", strings.ToUpper(method), path, op.OperationID)
			}
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReferences: every asset a page or module names is there, and is a
// flat file of static/assets with a known media type.
func TestReferences(t *testing.T) {
	files := sources(t)
	refs := regexp.MustCompile(`(?:src|href)="/assets/([^"]+)"|from "\./([^"]+)"|import\("/assets/([^"]+)"\)`)
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, name)
		for _, m := range refs.FindAllStringSubmatch(string(b), -1) {
			ref := m[1] + m[2] + m[3]
			if generated[ref] {
				continue
			}
			if _, _, err := read("assets/"+ref, true); err != nil {
				t.Errorf("%s names assets/%s, which is not served", name, ref)
			}
		}
		served := strings.TrimSuffix(name, ".gz") // kept compressed, served as itself
		if _, ok := contentTypes[served[strings.LastIndex(served, "."):]]; !ok {
			t.Errorf("%s has no media type in contentTypes", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStrings: both languages have every text, and every key the pages use.
func TestStrings(t *testing.T) {
	files := sources(t)
	src, err := fs.ReadFile(files, "assets/strings.js")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	s = s[strings.Index(s, "export default"):]
	var langs map[string]map[string]string
	if err := json.Unmarshal([]byte(s[strings.Index(s, "{"):strings.LastIndex(s, "}")+1]), &langs); err != nil {
		t.Fatalf("strings.js is not strict JSON after export default: %v", err)
	}
	en, fr := langs["en"], langs["fr"]
	if len(langs) != 2 || len(en) == 0 {
		t.Fatalf("languages %v, want en and fr", slices.Sorted(maps.Keys(langs)))
	}
	for k, v := range en {
		if strings.TrimSpace(v) == "" {
			t.Errorf("en %s is empty", k)
		}
		if strings.TrimSpace(fr[k]) == "" {
			t.Errorf("fr lacks %s", k)
		}
	}
	for k, v := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %s", k)
		}
		// French puts a non-breaking space before : ! ? so they never start a line.
		if regexp.MustCompile(` [:!?]`).MatchString(v) {
			t.Errorf("fr %s has a breaking space before punctuation: %q", k, v)
		}
	}

	used := map[string]string{}
	htmlKeys := regexp.MustCompile(`data-i18n="([^"]+)"|data-title="([^"]+)"|:([a-zA-Z]+\.[a-zA-Z.]+)`)
	jsKeys := regexp.MustCompile(`"([a-z]+\.[a-zA-Z]+)"`)
	prefixes := map[string]bool{}
	for k := range en {
		prefix, _, _ := strings.Cut(k, ".")
		prefixes[prefix] = true
	}
	for _, name := range []string{"index.html", "staff.html", "assets/join.js", "assets/till.js", "assets/i18n.js"} {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		re := jsKeys
		if strings.HasSuffix(name, ".html") {
			re = htmlKeys
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			k := strings.Join(m[1:], "")
			if prefix, _, _ := strings.Cut(k, "."); prefixes[prefix] {
				used[k] = name
			}
		}
	}
	for _, k := range []string{"tier.bronze", "tier.silver", "tier.gold", "tier.platinum", "queued.earn", "queued.redeem", "sent.earn", "sent.redeem", "busy.earn", "busy.redeem"} {
		used[k] = "a composed key"
	}
	for k, where := range used {
		if _, ok := en[k]; !ok {
			t.Errorf("%s uses %s, which strings.js lacks", where, k)
		}
	}
	if len(used) < 40 {
		t.Errorf("found only %d keys in use: is the search still right?", len(used))
	}
}

// TestScriptsAreServedAsBuilt: each page script is served as the compressed
// copy of its source; a source changed since wants make again.
func TestScriptsAreServedAsBuilt(t *testing.T) {
	scripts, err := filepath.Glob("scripts/*.js")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts in scripts/: %v", err)
	}
	for _, src := range scripts {
		want, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		name := "assets/" + filepath.Base(src)
		got, gzipped, err := read(name, false)
		if err != nil || gzipped {
			t.Fatalf("%s: %v (gzipped %v)", name, err, gzipped)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is served as it was before its last change: run make shared/web/static/%s.gz (make test does)", name, name)
		}
	}
}

// sources are the pages as written: static/, with the scripts of scripts/
// in assets/ where they are served (compressed there).
func sources(t *testing.T) fs.FS {
	t.Helper()
	files := fstest.MapFS{}
	add := func(dir, prefix string) {
		err := fs.WalkDir(os.DirFS(dir), ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(filepath.Join(dir, name))
			files[prefix+name] = &fstest.MapFile{Data: b}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add("static", "")
	add("scripts", "assets/")
	return files
}
