package stack

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
)

// aheadClock is the real clock moved ahead by what the test skips, so that
// a card refresh's wait for every instance to know a change (RefreshSettle)
// passes at once.
type aheadClock struct {
	mu    sync.Mutex
	ahead time.Duration
}

func (c *aheadClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.ahead)
}

func (c *aheadClock) skip(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ahead += d
}

// TestCardsAreRefreshedWithoutAMessage follows two members' cards, each on an
// Apple device and in Google Wallet, through the local stack while the
// operator changes what cards show: the terms, a store on the passes, a
// promotion's start and end. Each change pushes each device once, the pass
// the device then fetches and the Google object carry the new value, no
// message is added to the Google object (nor a patch when only the pass
// changes), and the same change made again pushes nothing. Counts are read when the push of a later change (an
// earning) arrives: the change feed hands changes over in order, so a
// second push of a refresh would have come before it.
func TestCardsAreRefreshedWithoutAMessage(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) { testCardRefresh(t, storeName) })
	}
}

func testCardRefresh(t *testing.T, storeName string) {
	const issuer = "3388000000022222228"
	g := googletest.New(t, issuer)
	pushes := apnstest.New(t)
	clock := &aheadClock{}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	st, err := New(t.Context(), Options{DataDir: t.TempDir(), Store: storeName, Template: "../../../template.yaml", PublicURL: base,
		DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"), Table: fmt.Sprintf("fidelio-refresh-%d", tableSeq.Add(1)),
		APNSURL: pushes.URL, APNSRoots: pushes.Roots(), GoogleIssuerID: issuer, GoogleServiceAccount: string(g.KeyJSON), GoogleAPIURL: g.URL,
		Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = st
	srv.Start()
	t.Cleanup(func() { srv.Close(); st.Close() })
	c := &client{t: t, base: srv.URL, http: srv.Client()}
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	admin := st.Secrets.AdminKey
	staff := c.staffKey(admin, "paris", "Till").str("key")
	st.Campaigns.Hop = 50 * time.Millisecond
	go st.RunUpdater(t.Context())
	go st.RunCampaigns(t.Context())

	type card struct {
		id, auth, passPath, token, objectID, code string
	}
	var cards []card
	for i, lang := range []string{"fr", "en"} {
		m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": fmt.Sprint("Member ", i), "email": fmt.Sprintf("m%d@example.com", i), "locale": lang}), 201)
		_, pkpass := get(t, c, m.body["links"].(map[string]any)["applePass"].(string))
		var pass struct{ SerialNumber, AuthenticationToken, PassTypeIdentifier string }
		json.Unmarshal(unzip(t, pkpass)["pass.json"], &pass)
		cd := card{id: m.str("id"), auth: "ApplePass " + pass.AuthenticationToken, token: fmt.Sprint("token-", i), objectID: issuer + "." + m.str("id"), code: m.str("code"),
			passPath: fmt.Sprintf("/wallet/v1/passes/%s/%s", pass.PassTypeIdentifier, pass.SerialNumber)}
		registration := fmt.Sprintf("/wallet/v1/devices/device-%d/registrations/%s/%s", i, pass.PassTypeIdentifier, pass.SerialNumber)
		if resp, _ := walletCall(t, c, "POST", registration, cd.auth, map[string]string{"pushToken": cd.token}); resp.StatusCode != 201 {
			t.Fatalf("registration: %d", resp.StatusCode)
		}
		if resp, _ := get(t, c, m.body["links"].(map[string]any)["googleSave"].(string)); resp.StatusCode != http.StatusFound {
			t.Fatalf("google save link: %d", resp.StatusCode)
		}
		cards = append(cards, cd)
	}

	// settled lets the change's refresh start, and waits for the pushes the
	// test expects so far.
	want, earnings := 0, 0
	settled := func() {
		t.Helper()
		clock.skip(loyalty.RefreshSettle + time.Second)
		want++
		waitFor(t, func() bool { return len(pushes.Pushes()) >= want*len(cards)+earnings })
	}
	// exactly checks each device was pushed once per change so far, when
	// an earning's push (a later change of the first card) has come.
	exactly := func(what string) {
		t.Helper()
		earnings++
		c.must(c.do("POST", "/v1/earnings", staff, map[string]any{"code": cards[0].code, "receiptId": fmt.Sprint("R-", earnings),
			"amount": map[string]any{"value": 100, "currency": "EUR"}}), 201)
		waitFor(t, func() bool { return len(pushes.Pushes()) >= want*len(cards)+earnings })
		count := map[string]int{}
		for _, p := range pushes.Pushes() {
			count[p.Token]++
		}
		if count[cards[0].token] != want+earnings || count[cards[1].token] != want {
			t.Fatalf("after %s: pushes %v, want %d and %d", what, count, want+earnings, want)
		}
		for _, cd := range cards {
			if _, n := g.Object(cd.objectID); n != 0 {
				t.Fatalf("after %s: the Google object has %d messages, want none", what, n)
			}
		}
	}
	passOf := func(cd card) map[string]any {
		t.Helper()
		resp, body := walletCall(t, c, "GET", cd.passPath, cd.auth, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("pass: %d", resp.StatusCode)
		}
		var pass map[string]any
		json.Unmarshal(unzip(t, body)["pass.json"], &pass)
		return pass
	}
	backField := func(pass map[string]any, key string) string {
		for _, f := range pass["storeCard"].(map[string]any)["backFields"].([]any) {
			if f := f.(map[string]any); f["key"] == key {
				return fmt.Sprint(f["value"])
			}
		}
		return ""
	}
	module := func(cd card, id string) string {
		obj, _ := g.Object(cd.objectID)
		modules, _ := obj["textModulesData"].([]any)
		for _, m := range modules {
			if m := m.(map[string]any); m["id"] == id {
				return fmt.Sprint(m["body"])
			}
		}
		return ""
	}

	// The terms.
	terms := map[string]any{"terms": map[string]string{"en": "Points last 24 months.", "fr": "Les points durent 24 mois."}}
	c.must(c.do("PATCH", "/v1/admin/program", admin, terms), 200)
	settled()
	exactly("the terms")
	for i, w := range []string{"Les points durent 24 mois.", "Points last 24 months."} {
		if got := backField(passOf(cards[i]), "terms"); got != w {
			t.Fatalf("card %d's terms on the pass: %q, want %q", i, got, w)
		}
		if got := module(cards[i], "terms"); got != w {
			t.Fatalf("card %d's terms on Google: %q, want %q", i, got, w)
		}
	}
	c.must(c.do("PATCH", "/v1/admin/program", admin, terms), 200)
	clock.skip(loyalty.RefreshSettle + time.Second)
	exactly("the same terms saved again")

	// A store on the passes.
	placed := map[string]any{"name": "Paris Rivoli", "address": "1 rue de Rivoli", "timeZone": "Europe/Paris", "latitude": 48.8606, "longitude": 2.3376}
	googleCalls := g.CallCount()
	c.must(c.do("PUT", "/v1/admin/stores/paris", admin, placed), 200)
	settled()
	exactly("a store placed")
	// The Google object carries no store: only the earning's patch (twice
	// when a stream hands its record over again), never one per card.
	if n := g.CallCount() - googleCalls; n >= 1+len(cards) {
		t.Fatalf("a store placed made %d Google calls, want the earning's alone", n)
	}
	for i := range cards {
		locations, _ := passOf(cards[i])["locations"].([]any)
		if len(locations) != 1 || locations[0].(map[string]any)["latitude"] != 48.8606 || !strings.Contains(fmt.Sprint(locations[0].(map[string]any)["relevantText"]), "Paris Rivoli") {
			t.Fatalf("card %d's locations: %v, want Paris Rivoli", i, locations)
		}
	}

	placed["address"] = "3 rue de Rivoli" // no pass shows it
	c.must(c.do("PUT", "/v1/admin/stores/paris", admin, placed), 200)
	c.must(c.do("PUT", "/v1/admin/stores/paris", admin, placed), 200)
	clock.skip(loyalty.RefreshSettle + time.Second)
	exactly("the store saved again")

	// A promotion's start and end.
	start := clock.Now().Add(time.Minute).Truncate(time.Second)
	c.must(c.do("POST", "/v1/admin/promotions", admin, map[string]any{"id": "double", "name": map[string]string{"en": "Double points", "fr": "Points doublés"},
		"multiplierPercent": 200, "startsAt": start, "endsAt": start.Add(time.Hour)}), 201)
	clock.skip(time.Minute)
	settled()
	exactly("the promotion's start")
	for i, w := range []string{"Points doublés", "Double points"} {
		if got := backField(passOf(cards[i]), "offers"); !strings.Contains(got, w) {
			t.Fatalf("card %d's offers on the pass: %q, want %q", i, got, w)
		}
		if got := module(cards[i], "offers"); !strings.Contains(got, w) {
			t.Fatalf("card %d's offers on Google: %q, want %q", i, got, w)
		}
	}
	clock.skip(time.Hour)
	settled()
	exactly("the promotion's end")
	for i := range cards {
		if got := backField(passOf(cards[i]), "offers"); got != "" {
			t.Fatalf("card %d's offers after the end: %q", i, got)
		}
		if got := module(cards[i], "offers"); got != "" {
			t.Fatalf("card %d's offers on Google after the end: %q", i, got)
		}
	}
}
