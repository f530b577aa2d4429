// Package web holds the two pages people touch — joining the program (/)
// and the staff's till (/staff) — as static files embedded in the web
// function, and serves them.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Files are the pages and their assets.
func Files() fs.FS {
	sub, _ := fs.Sub(static, "static")
	return sub
}

// Page answers GET / and GET /staff with their HTML, and GET /assets/{file}
// with an asset.
func Page(w http.ResponseWriter, r *http.Request) {
	name := "index.html"
	switch {
	case r.URL.Path == "/staff":
		name = "staff.html"
	case strings.HasPrefix(r.URL.Path, "/assets/"):
		name = "assets/" + path.Base(r.URL.Path)
	}
	b, err := fs.ReadFile(Files(), name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype := map[string]string{".html": "text/html; charset=utf-8", ".js": "application/javascript", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}[path.Ext(name)]
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(b)
}
