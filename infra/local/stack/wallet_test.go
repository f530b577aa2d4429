package stack

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqrcode "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/smallstep/pkcs7"

	"github.com/fidelio/fidelio/shared/qrcode"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// get fetches a URL of the stack with no bearer token, as a phone's browser does.
func get(t *testing.T, c *client, link string) (*http.Response, []byte) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.http.Get(c.base + u.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func decodeQR(t *testing.T, pngData []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}

func TestAppleCardEndToEnd(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	dir := t.TempDir()
	st, err := New(t.Context(), Options{DataDir: dir, Store: "embedded", Template: "../../../template.yaml", Clock: clock, PublicURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(st)
	t.Cleanup(func() { srv.Close(); st.Close() })
	c := &client{t: t, base: srv.URL, http: srv.Client()}

	m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com", "locale": "fr"}), 201)
	links := m.body["links"].(map[string]any)
	code := m.str("code")

	t.Run("the signed pass link gives a pass signed over a real chain", func(t *testing.T) {
		resp, body := get(t, c, links["applePass"].(string))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.apple.pkpass" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), ".pkpass") || resp.Header.Get("Last-Modified") == "" {
			t.Fatalf("pass download: %d %v", resp.StatusCode, resp.Header)
		}
		files := unzip(t, body)
		var manifest map[string]string
		if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			if name == "manifest.json" || name == "signature" {
				continue
			}
			sum := sha1.Sum(data)
			if manifest[name] != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: manifest says %s", name, manifest[name])
			}
		}
		if len(manifest) != len(files)-2 {
			t.Errorf("manifest lists %d files, the pass holds %d besides it and the signature", len(manifest), len(files)-2)
		}
		p7, err := pkcs7.Parse(files["signature"])
		if err != nil {
			t.Fatal(err)
		}
		p7.Content = files["manifest.json"]
		rootPEM, _ := os.ReadFile(filepath.Join(dir, "certs", "root.pem"))
		block, _ := pem.Decode(rootPEM)
		root, _ := x509.ParseCertificate(block.Bytes)
		pool := x509.NewCertPool()
		pool.AddCert(root)
		if err := p7.VerifyWithChain(pool); err != nil {
			t.Fatalf("the Go verifier refuses the signature: %v", err)
		}
		work := t.TempDir()
		for _, n := range []string{"signature", "manifest.json"} {
			os.WriteFile(filepath.Join(work, n), files[n], 0o600)
		}
		out, err := exec.Command("openssl", "smime", "-verify", "-binary", "-inform", "DER", "-in", filepath.Join(work, "signature"),
			"-content", filepath.Join(work, "manifest.json"), "-CAfile", filepath.Join(dir, "certs", "root.pem"), "-purpose", "any", "-out", os.DevNull).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl refuses the signature: %v\n%s", err, out)
		}
		var pass struct {
			FormatVersion      int    `json:"formatVersion"`
			PassTypeIdentifier string `json:"passTypeIdentifier"`
			SerialNumber       string `json:"serialNumber"`
			TeamIdentifier     string `json:"teamIdentifier"`
			WebServiceURL      string `json:"webServiceURL"`
			AuthToken          string `json:"authenticationToken"`
			Barcodes           []struct{ Format, Message, AltText string }
			StoreCard          json.RawMessage `json:"storeCard"`
		}
		if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
			t.Fatal(err)
		}
		if pass.FormatVersion != 1 || pass.PassTypeIdentifier != devPassTypeID || pass.TeamIdentifier != devTeamID || pass.StoreCard == nil ||
			len(pass.Barcodes) != 1 || pass.Barcodes[0].Message != code || pass.Barcodes[0].Format != "PKBarcodeFormatQR" ||
			pass.Barcodes[0].AltText != m.str("memberNumber") || len(pass.AuthToken) < 16 || pass.WebServiceURL != "http://127.0.0.1:1/wallet" {
			t.Fatalf("pass.json = %s", files["pass.json"])
		}
		for name, size := range map[string][2]int{"icon.png": {29, 29}, "icon@3x.png": {87, 87}, "strip.png": {375, 144}, "strip@2x.png": {750, 288}, "strip@3x.png": {1125, 432}} {
			cfg, err := png.DecodeConfig(bytes.NewReader(files[name]))
			if err != nil || cfg.Width != size[0] || cfg.Height != size[1] {
				t.Errorf("%s is %dx%d (%v), want %dx%d", name, cfg.Width, cfg.Height, err, size[0], size[1])
			}
		}
		if files["fr.lproj/pass.strings"] == nil || files["en.lproj/pass.strings"] == nil {
			t.Error("the pass has no French or English labels")
		}
	})

	t.Run("the QR image decodes to the code and crosses the event path byte for byte", func(t *testing.T) {
		resp, body := get(t, c, links["qr"].(string))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("qr: %d %v", resp.StatusCode, resp.Header)
		}
		want, _ := qrcode.PNG(code, 512)
		if !bytes.Equal(body, want) {
			t.Fatalf("the PNG that reached the client (%d bytes) differs from the one rendered (%d bytes)", len(body), len(want))
		}
		if got := decodeQR(t, body); got != code {
			t.Fatalf("qr.png decodes to %q, want %q", got, code)
		}
	})

	t.Run("the card preview shows a QR code that decodes to the code", func(t *testing.T) {
		resp, body := get(t, c, links["card"].(string))
		if resp.StatusCode != 200 {
			t.Fatalf("card: %d", resp.StatusCode)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
		if err != nil || cfg.Width < 600 {
			t.Fatalf("card preview: %v %+v", err, cfg)
		}
		if got := decodeQR(t, body); got != code {
			t.Fatalf("card.png decodes to %q, want %q", got, code)
		}
		if out := os.Getenv("FIDELIO_SCREENSHOTS"); out != "" {
			os.WriteFile(filepath.Join(out, "card-preview.png"), body, 0o644)
		}
	})

	t.Run("tampered and expired links are refused", func(t *testing.T) {
		link := links["applePass"].(string)
		u, _ := url.Parse(link)
		q := u.Query()
		tampered := []string{
			strings.Replace(link, "expires="+q.Get("expires"), "expires="+q.Get("expires")+"0", 1),
			tamperLast(link),
			strings.Replace(link, "/pass.pkpass", "/card.png", 1),
			strings.Replace(link, m.str("id"), "01KAAAAAAAAAAAAAAAAAAAAAAA", 1),
		}
		for _, l := range tampered {
			if resp, body := get(t, c, l); resp.StatusCode != 403 || !bytes.Contains(body, []byte("link_invalid")) {
				t.Errorf("tampered link %s: %d %s", l, resp.StatusCode, body)
			}
		}
		clock.Set(time.Now().Add(25 * time.Hour))
		if resp, body := get(t, c, link); resp.StatusCode != 410 || !bytes.Contains(body, []byte("link_expired")) {
			t.Errorf("a link 25 hours old: %d %s", resp.StatusCode, body)
		}
		clock.Set(time.Now())
		if a := c.do("GET", "/v1/members/"+m.str("id")+"/pass.pkpass", "", nil); a.status != 401 {
			t.Errorf("no link and no token: %d", a.status)
		}
	})

	t.Run("a forged member code is refused at the till", func(t *testing.T) {
		staff := c.staffKey(st.Secrets.AdminKey, "paris", "Till").str("key")
		forged := code[:len(code)-1] + "A"
		if code[len(code)-1] == 'A' {
			forged = code[:len(code)-1] + "B"
		}
		if a := c.do("POST", "/v1/scans", staff, map[string]any{"code": forged}); a.status != 400 || a.str("code") != "invalid_code" {
			t.Fatalf("forged code: %d %v", a.status, a.body)
		}
	})
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the pass is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

func tamperLast(s string) string {
	if strings.HasSuffix(s, "A") {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}
