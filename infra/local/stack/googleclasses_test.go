package stack

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
)

// TestANewProgramNameReachesTheGoogleClasses saves the program with a new
// name, as the console does, and asks for no save link after it: the pass
// updater takes the rules from the store's change feed or DynamoDB Local's
// stream and moves Google's classes to the name, their logo still named by
// its version (a logo URL without it would be the old image Google keeps).
func TestANewProgramNameReachesTheGoogleClasses(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			const issuer = "3388000000022222228"
			g := googletest.New(t, issuer)
			srv := httptest.NewUnstartedServer(nil)
			base := "http://" + srv.Listener.Addr().String()
			st, err := New(t.Context(), Options{DataDir: t.TempDir(), Store: storeName, Template: "../../../template.yaml", PublicURL: base,
				DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), Table: fmt.Sprintf("fidelio-classes-%d-%d", os.Getpid(), tableSeq.Add(1)),
				GoogleIssuerID: issuer, GoogleServiceAccount: string(g.KeyJSON), GoogleAPIURL: g.URL, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			srv.Config.Handler = st
			srv.Start()
			t.Cleanup(func() { srv.Close(); st.Close() })
			go st.RunUpdater(t.Context())
			c := &client{t: t, base: srv.URL, http: srv.Client()}
			c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			admin := st.Secrets.AdminKey

			shopLogo, _ := design.PNG(design.Hero("gold", 1))
			req, _ := http.NewRequest("PUT", c.base+"/v1/admin/program/logo", bytes.NewReader(shopLogo))
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("Content-Type", "image/png")
			if resp, err := c.http.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
				t.Fatalf("the shop's logo: %v %v", resp, err)
			}
			m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada Lovelace", "email": "ada@example.com"}), 201)
			if resp, _ := get(t, c, m.body["links"].(map[string]any)["googleSave"].(string)); resp.StatusCode != http.StatusFound {
				t.Fatalf("google-wallet link: %d", resp.StatusCode)
			}
			gold := issuer + ".fidelio-gold"
			logo := base + "/v1/wallet/images/logo.png?v=" + store.LogoVersion(shopLogo)
			if cl := g.Class(gold); cl["programName"] != "Fidelio Demo" || classLogo(cl) != logo {
				t.Fatalf("gold class after the save link: %q, logo %q; want Fidelio Demo and %s", cl["programName"], classLogo(cl), logo)
			}

			rules := c.must(c.do("GET", "/v1/admin/program", admin, nil), 200)
			rules.body["name"] = map[string]any{"en": "Corner Rewards", "fr": "Fidélité du Coin"}
			c.must(c.do("PUT", "/v1/admin/program", admin, rules.body), 200)
			waitFor(t, func() bool { return g.Class(gold)["programName"] == "Corner Rewards" })
			if got := classLogo(g.Class(gold)); got != logo {
				t.Errorf("after the new name the class's logo is %q, want %s", got, logo)
			}
		})
	}
}

// classLogo is a class's programLogo URI.
func classLogo(cl map[string]any) string {
	logo, _ := cl["programLogo"].(map[string]any)
	source, _ := logo["sourceUri"].(map[string]any)
	uri, _ := source["uri"].(string)
	return uri
}
