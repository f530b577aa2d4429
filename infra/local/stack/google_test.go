package stack

import (
	"bytes"
	"encoding/json"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
)

func TestGoogleCardEndToEnd(t *testing.T) {
	const issuer = "3388000000022222228"
	g := googletest.New(t, issuer)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	st, err := New(t.Context(), Options{DataDir: t.TempDir(), Store: "embedded", Template: "../../../template.yaml", PublicURL: base,
		GoogleIssuerID: issuer, GoogleServiceAccount: string(g.KeyJSON), GoogleAPIURL: g.URL, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = st
	srv.Start()
	t.Cleanup(func() { srv.Close(); st.Close() })
	c := &client{t: t, base: srv.URL, http: srv.Client()}
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}), 201)
	link := m.body["links"].(map[string]any)["googleSave"].(string)
	resp, _ := get(t, c, link)
	save := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(save, google.SaveURLPrefix) || len(save) > 1800 {
		t.Fatalf("google-wallet link: %d, Location %q (%d chars)", resp.StatusCode, save, len(save))
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(strings.TrimPrefix(save, google.SaveURLPrefix), claims, func(*jwt.Token) (any, error) { return g.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience("google")); err != nil {
		t.Fatalf("the save link's JWT does not verify with the service account's public key: %v", err)
	}
	if origins := claims["origins"].([]any); len(origins) != 1 || origins[0] != base {
		t.Fatalf("origins = %v, want [%s]", origins, base)
	}
	if len(g.Classes) != 4 {
		t.Fatalf("classes in Google Wallet: %d, want one per tier", len(g.Classes))
	}
	gold := g.Classes[issuer+".fidelio-gold"]
	hero := gold["heroImage"].(map[string]any)["sourceUri"].(map[string]any)["uri"].(string)
	if gold["reviewStatus"] != "UNDER_REVIEW" || !strings.HasPrefix(hero, base+"/v1/wallet/images/hero-gold.png") {
		t.Fatalf("gold class = %v", gold)
	}
	u, _ := url.Parse(hero)
	heroResp, heroPNG := get(t, c, u.String())
	if cfg, err := png.DecodeConfig(bytes.NewReader(heroPNG)); heroResp.StatusCode != 200 || err != nil || cfg.Width != 1032 || cfg.Height != 336 {
		t.Fatalf("the hero image Google fetches: %d %v %+v", heroResp.StatusCode, err, cfg)
	}
	var obj map[string]any
	for _, o := range g.Objects {
		obj = o
	}
	if obj["classId"] != issuer+".fidelio-bronze" || obj["barcode"].(map[string]any)["value"] != m.str("code") || obj["accountId"] != m.str("memberNumber") {
		t.Fatalf("object = %v", obj)
	}
	if resp, _ := get(t, c, link); resp.StatusCode != http.StatusFound {
		t.Fatalf("asking again: %d (the object exists: a 409 must become an update)", resp.StatusCode)
	}

	// Reaching Silver moves the object to Silver's class, with one message.
	go st.RunUpdater(t.Context())
	staff := c.staffKey(st.Secrets.AdminKey, "paris", "Till").str("key")
	c.must(c.do("POST", "/v1/earnings", staff, map[string]any{"code": m.str("code"), "receiptId": "R-silver", "amount": map[string]any{"value": 52000, "currency": "EUR"}, "confirmed": true}), 201)
	id := issuer + "." + m.str("id")
	waitFor(t, func() bool { o, _ := g.Object(id); return o["classId"] == issuer+".fidelio-silver" })
	time.Sleep(200 * time.Millisecond)
	if o, messages := g.Object(id); messages != 1 || o["loyaltyPoints"].(map[string]any)["balance"].(map[string]any)["int"].(json.Number).String() != "570" {
		t.Fatalf("after reaching Silver: %d messages, object %v; want one message and 570 points", messages, o)
	}

	// The card carries the member's referral link until the account's
	// deletion makes it inactive.
	referral := m.body["referral"].(map[string]any)["link"]
	links := googleLinks(g.Object(id))
	if links["referral"] != referral || links["member-page"] == nil {
		t.Fatalf("the card's links = %v, want the member page and the referral link %v", links, referral)
	}
	opensTheMemberSpace(t, c, links["member-page"].(string))
	c.must(c.do("DELETE", "/v1/members/"+m.str("id"), m.str("token"), nil), http.StatusNoContent)
	waitFor(t, func() bool { o, _ := g.Object(id); return o["state"] == "INACTIVE" })
	if links := googleLinks(g.Object(id)); links["referral"] != nil {
		t.Errorf("the deleted account's card still links %v", links["referral"])
	}
}

// googleLinks reads an object's links by id.
func googleLinks(obj map[string]any, _ int) map[string]any {
	links := map[string]any{}
	module, _ := obj["linksModuleData"].(map[string]any)
	uris, _ := module["uris"].([]any)
	for _, u := range uris {
		u := u.(map[string]any)
		links[u["id"].(string)] = u["uri"]
	}
	return links
}
