// Package web holds the pages people touch — joining the program (/), the
// member space (/me), the staff's till (/staff) and the operator's console
// (/admin) — as static files embedded in the web function, and serves them;
// and the API's contract (/v1/openapi.json) and its reference page (/docs),
// gzipped by build-docs.mjs.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/fidelio/fidelio/shared/version"
)

// The pages' own scripts are in static/assets as the .js.gz copies make
// writes from their sources in scripts/, to keep the function within 6 MiB.
//
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

// contentSecurityPolicy lets the pages load only their own files: scripts,
// styles, images and fonts from this origin (images also from data: URLs,
// which the style sheet uses, and blob: ones), and calls to the API on this
// origin. No inline script or style runs (the pages have none); nothing may
// frame them, which defeats clickjacking of the till's buttons.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; media-src 'self' blob:; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders go with every page and asset.
var securityHeaders = map[string]string{
	"Content-Security-Policy": contentSecurityPolicy,
	// Older browsers that ignore frame-ancestors.
	"X-Frame-Options":        "DENY",
	"X-Content-Type-Options": "nosniff",
	// The pages' URLs carry nothing secret, but the links they open do.
	"Referrer-Policy": "no-referrer",
	// The till needs the camera; nothing needs the rest.
	"Permissions-Policy":           "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Strict-Transport-Security":    "max-age=63072000",
}

// Page answers GET /healthz with the release and commit it runs, GET /, GET /me, GET /staff and GET /admin with their HTML, and GET /assets/{file}
// with an asset. assets/jsQR.js, the staff page's QR decoder, is copied there
// (compressed) from npm by `npm ci --prefix shared/web`: without it the file is not found,
// and the till says so and keeps manual entry.
func Page(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		health(w)
		return
	}
	name := "index.html"
	switch {
	case r.URL.Path == "/v1/openapi.json":
		name = "openapi.json"
	case r.URL.Path == "/docs":
		name = "docs.html"
	case r.URL.Path == "/staff":
		name = "staff.html"
	case r.URL.Path == "/me":
		name = "me.html"
	case r.URL.Path == "/admin":
		name = "admin.html"
	case strings.HasPrefix(r.URL.Path, "/assets/"):
		name = "assets/" + path.Base(r.URL.Path)
	}
	b, gzipped, err := read(name, acceptsGzip(r))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype := contentTypes[path.Ext(name)]
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	for k, v := range securityHeaders {
		w.Header().Set(k, v)
	}
	if gzipped {
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Vary", "Accept-Encoding")
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(b)
}

// read returns the file name, or its gzip-compressed copy name.gz when only
// that is embedded: a browser asset from npm is kept compressed to keep the
// function small (copy-assets.mjs). The copy is sent as it is to a client
// that accepts gzip, and expanded for one that does not.
func read(name string, gzipOK bool) (b []byte, gzipped bool, err error) {
	b, err = fs.ReadFile(Files(), name)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return b, false, err
	}
	b, err = fs.ReadFile(Files(), name+".gz")
	if err != nil || gzipOK {
		return b, err == nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, false, err
	}
	b, err = io.ReadAll(zr)
	return b, false, err
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// health says the deployment answers, and which release and commit it runs:
// what an operator checks after a deploy or before an upgrade.
func health(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"status": "ok", "version": version.Version, "commit": version.Commit()})
}
