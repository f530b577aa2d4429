package stack

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fidelio/fidelio/shared/wallet/design"
)

// TestOperatorLogo uploads a shop's own logo: the logo Google fetches (and
// passes carry) is the shop's at once, without a restart, and after one.
func TestOperatorLogo(t *testing.T) {
	dir := t.TempDir()
	open := func() (*Stack, *client) {
		st, err := New(t.Context(), Options{DataDir: dir, Store: "embedded", Template: "../../../template.yaml", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(st)
		t.Cleanup(func() { srv.Close(); st.Close() })
		return st, &client{t: t, base: srv.URL, http: srv.Client()}
	}
	st, c := open()
	shopLogo, _ := design.PNG(design.Hero("gold", 1))
	put := func(body []byte, contentType string) int {
		req, _ := http.NewRequest("PUT", c.base+"/v1/admin/program/logo", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+st.Secrets.AdminKey)
		req.Header.Set("Content-Type", contentType)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := put([]byte("GIF89a not a png"), "image/png"); got != 400 {
		t.Fatalf("a GIF sent as a logo: %d, want 400", got)
	}
	if got := put(shopLogo, "image/jpeg"); got != 415 {
		t.Fatalf("a logo of another media type: %d, want 415", got)
	}
	want, _ := (&design.Assets{LogoPNG: shopLogo}).GoogleLogo()
	plain, _ := (&design.Assets{}).GoogleLogo()
	if _, served := get(t, c, c.base+"/v1/wallet/images/logo.png"); !bytes.Equal(served, plain) {
		t.Fatal("the program's logo before any upload is not the program's mark")
	}
	before := c.must(c.do("GET", "/v1/program", "", nil), 200).str("logo")
	if _, served := get(t, c, before); !bytes.Equal(served, plain) {
		t.Fatalf("GET /v1/program's logo %s is not the program's mark", before)
	}
	if got := put(shopLogo, "image/png"); got != 204 {
		t.Fatalf("the shop's logo: %d, want 204", got)
	}
	if _, served := get(t, c, c.base+"/v1/wallet/images/logo.png"); !bytes.Equal(served, want) {
		t.Fatal("right after the upload the program's logo is not the shop's")
	}
	if after := c.must(c.do("GET", "/v1/program", "", nil), 200).str("logo"); after == before {
		t.Errorf("GET /v1/program names the logo %s before and after the upload", after)
	} else if _, served := get(t, c, after); !bytes.Equal(served, want) {
		t.Errorf("GET /v1/program's logo %s after the upload is not the shop's", after)
	}
	st.Close()

	_, c = open()
	if _, served := get(t, c, c.base+"/v1/wallet/images/logo.png"); !bytes.Equal(served, want) {
		t.Fatal("after a restart the program's logo is not the shop's")
	}
}
