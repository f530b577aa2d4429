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

// contentTypes are the media types of the files in static/. The browser
// runs a module script only when it is served as JavaScript.
var contentTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".json":  "application/json",
	".woff2": "font/woff2",
}

// Page answers GET / and GET /staff with their HTML, and GET /assets/{file}
// with an asset. assets/jsQR.js, the staff page's QR decoder, is copied there
// from npm by `npm ci --prefix shared/web`: without it the file is not found,
// and the till says so and keeps manual entry.
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
	ctype := contentTypes[path.Ext(name)]
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(b)
}
