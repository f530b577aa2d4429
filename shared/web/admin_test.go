package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestCompressedAsset: charts.css is embedded gzip-compressed only; a
// browser gets the compressed bytes, a client that takes no gzip the CSS.
func TestCompressedAsset(t *testing.T) {
	if _, err := fs.Stat(Files(), "assets/charts.css.gz"); err != nil {
		t.Fatal("assets/charts.css.gz is missing: run npm ci --prefix shared/web")
	}
	req := httptest.NewRequest("GET", "/assets/charts.css", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	rec := httptest.NewRecorder()
	Page(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("with gzip: %d %v", rec.Code, rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(zr)
	if !bytes.Contains(css, []byte(".charts-css")) {
		t.Errorf("the compressed answer is not Charts.css: %.80s", css)
	}

	rec = httptest.NewRecorder()
	Page(rec, httptest.NewRequest("GET", "/assets/charts.css", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), css) {
		t.Errorf("without gzip: %d %v, %d bytes, want the %d bytes of CSS", rec.Code, rec.Header(), rec.Body.Len(), len(css))
	}
}

// TestConsoleStrings: admin-strings.js and admin-campaigns-strings.js have
// every text in both languages, and every key the console uses is in them
// or in strings.js.
func TestConsoleStrings(t *testing.T) {
	all := map[string]map[string]string{}
	for _, name := range []string{"assets/strings.js", "assets/admin-strings.js", "assets/admin-campaigns-strings.js"} {
		langs := readStrings(t, name)
		if len(langs) != 2 {
			t.Fatalf("%s: %d languages, want en and fr", name, len(langs))
		}
		for lang, texts := range langs {
			if all[lang] == nil {
				all[lang] = map[string]string{}
			}
			for k, v := range texts {
				all[lang][k] = v
			}
		}
		if name != "assets/strings.js" {
			for k, v := range langs["en"] {
				if strings.TrimSpace(v) == "" || strings.TrimSpace(langs["fr"][k]) == "" {
					t.Errorf("%s: %s is missing or empty in a language", name, k)
				}
			}
			for k, v := range langs["fr"] {
				if _, ok := langs["en"][k]; !ok {
					t.Errorf("%s: en lacks %s", name, k)
				}
				if regexp.MustCompile(` [:!?;]`).MatchString(v) {
					t.Errorf("%s: fr %s has a breaking space before punctuation: %q", name, k, v)
				}
			}
		}
	}
	html := regexp.MustCompile(`data-i18n="([^"]+)"|data-title="([^"]+)"`)
	js := regexp.MustCompile(`"([a-z]+\.[a-zA-Z]+)"`)
	used := map[string]string{}
	for _, name := range []string{"admin.html", "assets/admin.js", "assets/admin-charts.js", "assets/admin-campaigns.js"} {
		b, err := fs.ReadFile(sources(t), name)
		if err != nil {
			t.Fatal(err)
		}
		re := js
		if strings.HasSuffix(name, ".html") {
			re = html
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			k := strings.Join(m[1:], "")
			if !strings.HasSuffix(k, ".csv") && !strings.HasSuffix(k, ".js") {
				used[k] = name
			}
		}
	}
	for _, kind := range []string{"welcome", "earn", "redeem", "reversal", "donate", "birthday", "expire", "adjust"} {
		used["kind."+kind] = "the ledger's kinds"
	}
	for k, where := range used {
		if _, ok := all["en"][k]; !ok {
			t.Errorf("%s uses %s, which neither strings file has", where, k)
		}
	}
	if len(used) < 100 {
		t.Errorf("found only %d keys in use: is the search still right?", len(used))
	}
}

func readStrings(t *testing.T, name string) map[string]map[string]string {
	t.Helper()
	src, err := fs.ReadFile(sources(t), name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	s = s[strings.Index(s, "export default"):]
	var langs map[string]map[string]string
	if err := json.Unmarshal([]byte(s[strings.Index(s, "{"):strings.LastIndex(s, "}")+1]), &langs); err != nil {
		t.Fatalf("%s is not strict JSON after export default: %v", name, err)
	}
	return langs
}
