// Package events holds a sample API Gateway event for every route of every
// function. This test decodes each one strictly into the event type its
// function takes, replays it through the function's handler and checks the
// status. Run with -update to record them again.
package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/apigateway"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/mail"
	"github.com/fidelio/fidelio/shared/openapi"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
	"github.com/fidelio/fidelio/shared/wallet/pdfcard"
	"github.com/fidelio/fidelio/shared/web"
	"github.com/fidelio/fidelio/shared/wire"
)

var update = flag.Bool("update", false, "record the sample events again")

const (
	adminKey = "fa_sample_admin_key_0000000000"
	codeKeys = "K1:c2FtcGxlIGNvZGUga2V5IGZvciByZWNvcmRlZCBldmVudHMh"
)

// sample is one recorded request, in the order they are replayed: later ones
// use what earlier ones created (the member, the staff key, the earning).
type sample struct {
	file   string // events/<function>/<name>.json
	status int
	// request builds the request from what earlier answers said (record mode).
	request func(s *state) (method, path, token, body string, headers []string)
}

// state is what the recorded answers told, for the requests after them.
type state struct {
	memberID, token, code, staffKey, txID, operatorKeyID, webhookID, campaignID string
	// passToken is the member's pass authenticationToken, as Wallet sends it;
	// cardLink the query of the link on the member's card.
	passToken, cardLink string
}

const passType = "pass.dev.fidelio.events"

var samples = []sample{
	{"web/join-page.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/", "", "", nil
	}},
	{"web/member-space-page.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/me", "", "", nil
	}},
	{"web/till-page.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/staff", "", "", nil
	}},
	{"web/console-page.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/admin", "", "", nil
	}},
	{"web/asset.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/assets/site.css", "", "", nil
	}},
	{"web/health.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/healthz", "", "", nil
	}},
	{"web/openapi.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/openapi.json", "", "", []string{"Accept-Encoding", "gzip"}
	}},
	{"web/docs.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/docs", "", "", nil
	}},
	{"admin/create-store.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/stores", adminKey, `{"id":"paris-rivoli","name":"Paris Rivoli","address":"99 rue de Rivoli, 75001 Paris","timeZone":"Europe/Paris","latitude":48.8606,"longitude":2.3376}`, nil
	}},
	{"admin/create-staff-key.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/staff-keys", adminKey, `{"storeId":"paris-rivoli","name":"Till 1"}`, nil
	}},
	{"admin/save-reward.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":40}`, nil
	}},
	{"admin/list-rewards.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/rewards", adminKey, "", nil
	}},
	{"cards/put-logo.json", 204, func(s *state) (string, string, string, string, []string) {
		return "PUT", "/v1/admin/program/logo", adminKey, sampleLogo(), []string{"Content-Type", "image/png"}
	}},
	{"admin/get-program.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/program", adminKey, "", nil
	}},
	{"admin/put-program.json", 200, func(s *state) (string, string, string, string, []string) {
		b, _ := json.Marshal(loyalty.DefaultRules())
		return "PUT", "/v1/admin/program", adminKey, string(b), nil
	}},
	{"members/enroll.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/members", "", `{"name":"Ada Lovelace","email":"ada@example.com","birthday":"1990-05-17","timeZone":"Europe/Paris","locale":"fr"}`, []string{"Idempotency-Key", "enroll-7f3a"}
	}},
	{"members/get-member.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID, s.token, "", nil
	}},
	{"staff/scan.json", 200, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/scans", s.staffKey, fmt.Sprintf(`{"code":%q}`, s.code), nil
	}},
	{"staff/earn.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/earnings", s.staffKey, fmt.Sprintf(`{"code":%q,"receiptId":"R-0001","amount":{"value":1250,"currency":"EUR"}}`, s.code), nil
	}},
	{"staff/redeem.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/redemptions", s.staffKey, fmt.Sprintf(`{"code":%q,"rewardId":"coffee"}`, s.code), []string{"Idempotency-Key", "redeem-1"}
	}},
	{"staff/reversal.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/transactions/" + s.txID + "/reversal", s.staffKey, "", nil
	}},
	{"members/ledger.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID + "/ledger?limit=10", s.token, "", nil
	}},
	{"cards/apple-pass.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID + "/pass.pkpass", s.token, "", nil
	}},
	{"cards/qr-image.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID + "/qr.png", s.token, "", nil
	}},
	{"cards/card-image.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID + "/card.png", s.token, "", nil
	}},
	{"cards/google-wallet.json", 302, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID + "/google-wallet", s.token, "", nil
	}},
	{"cards/wallet-image.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/wallet/images/hero-gold.png", "", "", nil
	}},
	{"walletservice/register-device.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/wallet/v1/devices/d41d8cd98f00b204e9800998ecf8427e/registrations/" + passType + "/" + s.memberID, "", `{"pushToken":"8c7f1b2a0e9d4c3b"}`, []string{"Authorization", "ApplePass " + s.passToken}
	}},
	{"walletservice/device-serials.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/wallet/v1/devices/d41d8cd98f00b204e9800998ecf8427e/registrations/" + passType + "?passesUpdatedSince=1", "", "", nil
	}},
	{"walletservice/latest-pass.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/wallet/v1/passes/" + passType + "/" + s.memberID, "", "", []string{"Authorization", "ApplePass " + s.passToken}
	}},
	{"walletservice/log.json", 200, func(s *state) (string, string, string, string, []string) {
		return "POST", "/wallet/v1/log", "", `{"logs":["[2026-11-23 10:00:00 +0000] Get pass task failed"]}`, nil
	}},
	{"walletservice/unregister-device.json", 200, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/wallet/v1/devices/d41d8cd98f00b204e9800998ecf8427e/registrations/" + passType + "/" + s.memberID, "", "", []string{"Authorization", "ApplePass " + s.passToken}
	}},
	{"admin/adjust.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/members/" + s.memberID + "/adjustments", adminKey, `{"points":25,"note":"Goodwill after a broken coffee machine"}`, []string{"Idempotency-Key", "adjust-1"}
	}},
	{"admin/search-members.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/members?q=lovel", adminKey, "", nil
	}},
	{"admin/run-job.json", 200, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/jobs/expiry/runs", adminKey, `{"at":"2026-11-23T10:30:00Z"}`, nil
	}},
	{"admin/create-charity.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/charities", adminKey, `{"id":"restos-du-coeur","name":"Les Restos du Cœur","description":"Meals for people in need","pointsPerUnit":100,"currency":"EUR","minPoints":10,"step":10,"matching":{"ratio":1,"capPoints":100000}}`, nil
	}},
	{"admin/update-charity.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PUT", "/v1/admin/charities/restos-du-coeur", adminKey, `{"name":"Les Restos du Cœur","description":"Meals and warmth for people in need","pointsPerUnit":100,"currency":"EUR","minPoints":10,"step":10,"matching":{"ratio":1,"capPoints":100000}}`, nil
	}},
	{"members/list-charities.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/charities", "", "", nil
	}},
	{"members/donate.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/members/" + s.memberID + "/donations", s.token, `{"charityId":"restos-du-coeur","points":20}`, []string{"Idempotency-Key", "gift-1"}
	}},
	{"members/put-donation-plan.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PUT", "/v1/members/" + s.memberID + "/donation-plan", s.token, `{"charityId":"restos-du-coeur","monthlyPoints":10,"donateExpiringPoints":true}`, nil
	}},
	{"members/get-donation-plan.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID + "/donation-plan", s.token, "", nil
	}},
	{"members/put-marketing.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PUT", "/v1/members/" + s.memberID + "/marketing", s.token, `{"marketing":true}`, nil
	}},
	{"members/export-member.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/" + s.memberID + "/export", s.token, "", nil
	}},
	{"members/create-session.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/session", s.token, "", nil
	}},
	// A session cookie that has ended (signed out, or 30 days old).
	{"members/get-session.json", 401, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/session", "", "", []string{"Cookie", "__Host-fidelio-session=ended"}
	}},
	{"members/delete-session.json", 204, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/session", "", "", nil
	}},
	{"members/email-sign-in.json", 202, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/session/email", "", `{"email":"ada@example.com"}`, nil
	}},
	{"members/member-space-link.json", 303, func(s *state) (string, string, string, string, []string) {
		return "GET", "/me/link?" + s.cardLink, "", "", nil
	}},
	{"members/delete-donation-plan.json", 204, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/members/" + s.memberID + "/donation-plan", s.token, "", nil
	}},
	{"admin/charity-report.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/charities/restos-du-coeur/report?month=2026-11", adminKey, "", []string{"Accept", "text/csv"}
	}},
	{"admin/stats.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/stats?from=2026-11-01&to=2026-11-30", adminKey, "", nil
	}},
	{"admin/segments.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/segments", adminKey, "", nil
	}},
	{"members/not-found.json", 404, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/members/01KAAAAAAAAAAAAAAAAAAAAAAA", adminKey, "", nil
	}},
	{"staff/find-transaction.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/transactions?receiptId=R-0001", s.staffKey, "", nil
	}},
	{"staff/session.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/staff/session", s.staffKey, "", nil
	}},
	{"staff/earn-bad-amount.json", 400, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/earnings", s.staffKey, fmt.Sprintf(`{"code":%q,"receiptId":"R-0002","amount":{"value":12.5,"currency":"EUR"}}`, s.code), nil
	}},
	{"members/reissue-credentials.json", 200, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/members/" + s.memberID + "/credentials", s.token, "", []string{"Idempotency-Key", "lost-phone-1"}
	}},
	{"admin/patch-program.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PATCH", "/v1/admin/program", adminKey, `{"welcomeBonus":75,"name":{"en":"Light Café","fr":"Café Lumière"},"terms":{"en":"Points have no cash value.","fr":"Les points n'ont pas de valeur monétaire."}}`, []string{"Content-Type", "application/merge-patch+json"}
	}},
	{"members/program.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/program", "", "", nil
	}},
	{"admin/update-reward.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PUT", "/v1/admin/rewards/coffee", adminKey, `{"name":"Coffee","nameFr":"Café","points":40,"minTier":"bronze","until":"2027-01-01T00:00:00Z"}`, nil
	}},
	{"admin/archive-reward.json", 200, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/admin/rewards/coffee", adminKey, "", nil
	}},
	{"admin/member-detail.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/members/" + s.memberID, adminKey, "", nil
	}},
	{"admin/block-member.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PUT", "/v1/admin/members/" + s.memberID + "/block", adminKey, `{"note":"Card reported stolen"}`, nil
	}},
	{"admin/unblock-member.json", 200, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/admin/members/" + s.memberID + "/block", adminKey, "", nil
	}},
	{"cards/print-card.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/members/" + s.memberID + "/card.pdf", adminKey, "", nil
	}},
	{"admin/export-members.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/exports/members.csv", adminKey, "", nil
	}},
	{"admin/export-ledger.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/exports/ledger.csv?from=2026-11-01&to=2026-11-30", adminKey, "", nil
	}},
	{"admin/list-stores.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/stores", adminKey, "", nil
	}},
	{"admin/update-store.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PUT", "/v1/admin/stores/paris-rivoli", adminKey, `{"name":"Paris Rivoli","address":"99 rue de Rivoli, 75001 Paris","timeZone":"Europe/Paris"}`, nil
	}},
	{"admin/list-staff-keys.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/staff-keys", adminKey, "", nil
	}},
	{"admin/revoke-staff-key.json", 200, func(s *state) (string, string, string, string, []string) {
		id, _, _ := strings.Cut(strings.TrimPrefix(s.staffKey, "fs_"), "_")
		return "DELETE", "/v1/admin/staff-keys/" + id, adminKey, "", nil
	}},
	{"admin/create-operator-key.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/operator-keys", adminKey, `{"name":"Inès Martin","role":"analyst"}`, nil
	}},
	{"admin/list-operator-keys.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/operator-keys", adminKey, "", nil
	}},
	{"admin/revoke-operator-key.json", 200, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/admin/operator-keys/" + s.operatorKeyID, adminKey, "", nil
	}},
	{"admin/session.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/session", adminKey, "", nil
	}},
	{"admin/list-audit.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/audit?limit=20", adminKey, "", nil
	}},
	{"admin/create-webhook.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/webhooks", adminKey, `{"url":"https://shop.example/fidelio/events","events":["points.earned","points.redeemed"]}`, nil
	}},
	{"admin/list-webhooks.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/webhooks", adminKey, "", nil
	}},
	{"admin/list-webhook-deliveries.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/webhooks/" + s.webhookID + "/deliveries?limit=20", adminKey, "", nil
	}},
	{"admin/delete-webhook.json", 200, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/admin/webhooks/" + s.webhookID, adminKey, "", nil
	}},
	{"admin/create-campaign.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/campaigns", adminKey, `{"name":"Spring weekend","segment":{"tier":"bronze"},"message":{"en":"Double points this weekend in every shop","fr":"Points doublés ce week-end dans toutes nos boutiques"},"bonusPoints":20}`, nil
	}},
	{"admin/list-campaigns.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/campaigns", adminKey, "", nil
	}},
	{"admin/get-campaign.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/campaigns/" + s.campaignID, adminKey, "", nil
	}},
	{"admin/create-promotion.json", 201, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/admin/promotions", adminKey, `{"id":"double-weekend","name":{"en":"Double points","fr":"Points doublés"},"multiplierPercent":200,"startsAt":"2026-11-28T00:00:00Z","endsAt":"2026-11-30T00:00:00Z","storeId":"paris-rivoli"}`, nil
	}},
	{"admin/list-promotions.json", 200, func(s *state) (string, string, string, string, []string) {
		return "GET", "/v1/admin/promotions", adminKey, "", nil
	}},
	{"admin/end-promotion.json", 200, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/admin/promotions/double-weekend", adminKey, "", nil
	}},
	{"members/change-profile.json", 200, func(s *state) (string, string, string, string, []string) {
		return "PATCH", "/v1/members/" + s.memberID, s.token, `{"name":"Ada King","birthday":"1990-05-17","locale":"fr"}`, nil
	}},
	{"members/request-email-change.json", 202, func(s *state) (string, string, string, string, []string) {
		return "POST", "/v1/members/" + s.memberID + "/email", s.token, `{"email":"ada.king@example.com"}`, nil
	}},
	{"members/confirm-email.json", 303, func(s *state) (string, string, string, string, []string) {
		return "GET", "/me/email?member=" + s.memberID + "&email=ada.king%40example.com&expires=1795000000&signature=k1.unsigned", "", "", nil
	}},
	// Last: the member is gone after it.
	{"members/delete-member.json", 204, func(s *state) (string, string, string, string, []string) {
		return "DELETE", "/v1/members/" + s.memberID, s.token, "", nil
	}},
}

// functions builds the handler of each function on one deterministic program.
func functions(t *testing.T) map[string]*api.App {
	t.Helper()
	apps, _, _ := program(t)
	return apps
}

// program builds one deterministic program: its functions, their
// configuration and dependencies.
func program(t *testing.T) (map[string]*api.App, config.Config, api.Deps) {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	certs := t.TempDir()
	if _, err := apple.DevChain(certs, passType, "EVENTSTEAM", time.Now()); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string { b, _ := os.ReadFile(filepath.Join(certs, name)); return string(b) }
	g := googletest.New(t, "3388000000022222228")
	cfg := config.Config{
		ProgramName: "Fidelio", PublicURL: "https://api.fidelio.example", PassTypeID: passType, TeamID: "EVENTSTEAM",
		GoogleIssuerID: "3388000000022222228", GoogleAPIURL: g.URL,
		Secrets: config.Secrets{AdminKey: adminKey, CodeKeys: codeKeys, PassCert: read("pass.pem"), PassKey: read("pass.key"), WWDRCert: read("wwdr.pem"), GoogleServiceAccount: string(g.KeyJSON)},
	}
	deps, err := wire.Deps(cfg, s, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// Recorded requests name the ids and secrets of their time: make them again.
	ids := &storetest.SeqIDs{}
	deps.IDs, deps.Program = ids, loyalty.NewProgram(s, storetest.NewClock(storetest.Start), ids)
	deps.Jobs = jobs.New(deps.Program, s)
	// The recorded job run is half an hour ahead of the stopped clock.
	deps.Jobs.TimeTravel = true
	deps.Pages = http.HandlerFunc(web.Page)
	deps.PrintCard = pdfcard.Printer(cfg.ProgramName)
	deps.Mail = mail.Outbox{Dir: filepath.Join(t.TempDir(), "outbox")}
	// A campaign is saved; its fan-out is another function's.
	deps.StartCampaign = func(context.Context, loyalty.Campaign) error { return nil }
	apps := map[string]*api.App{}
	for _, fn := range []string{"members", "staff", "admin", "web", "walletservice", "cards"} {
		if apps[fn], err = api.New(deps, fn); err != nil {
			t.Fatal(err)
		}
	}
	return apps, cfg, deps
}

// decodeStrict reads an event, refusing any field the type does not have: a
// REST API (v1) event handed to an HTTP API (v2) handler fails here.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func TestSampleEventsReplay(t *testing.T) {
	apps := functions(t)
	contract, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	var st state
	for _, sm := range samples {
		fn := strings.Split(sm.file, "/")[0]
		if *update {
			record(t, sm, &st)
		}
		data, err := os.ReadFile(sm.file)
		if err != nil {
			t.Fatalf("%s: %v (run go test ./events -update)", sm.file, err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := decodeStrict(data, &ev); err != nil {
			t.Fatalf("%s is not an API Gateway HTTP API (v2) event: %v", sm.file, err)
		}
		resp, err := apigateway.Wrap(apps[fn])(context.Background(), ev)
		if err != nil || resp.StatusCode != sm.status {
			t.Fatalf("%s through %s: %d %s, %v; want %d", sm.file, fn, resp.StatusCode, resp.Body, err, sm.status)
		}
		req, err := apigateway.RequestFromEvent(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := contract.CheckEvent(req, resp); err != nil {
			t.Errorf("%s: the answer is not one the OpenAPI document allows %s: %v", sm.file, ev.RouteKey, err)
		}
		remember(&st, sm.file, resp.Body)
		if st.memberID != "" {
			st.passToken = apps["walletservice"].Cards.(*wallet.Cards).PassToken(st.memberID)
			st.cardLink = apps["members"].Codes.CardLink(st.memberID, 0)
		}
	}
}

func TestEveryRouteHasASampleEvent(t *testing.T) {
	have := map[string]bool{}
	for _, sm := range samples {
		data, err := os.ReadFile(sm.file)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := decodeStrict(data, &ev); err != nil {
			t.Fatal(err)
		}
		have[strings.Split(sm.file, "/")[0]+" "+ev.RouteKey] = true
	}
	for _, r := range api.Routes("") {
		if !have[r.Function+" "+r.Method+" "+r.Path] {
			t.Errorf("no sample event for %s %s (function %s)", r.Method, r.Path, r.Function)
		}
	}
	var files []string
	for _, fn := range []string{"members", "staff", "admin", "web", "walletservice", "cards"} {
		more, _ := filepath.Glob(fn + "/*.json")
		files = append(files, more...)
	}
	if len(files) != len(samples) {
		t.Errorf("%d event files, %d samples replayed: every file must be replayed", len(files), len(samples))
	}
}

// TestScheduledEventsReplay replays each job function's sample trigger, as
// EventBridge Scheduler sends it, through the function's handler.
func TestScheduledEventsReplay(t *testing.T) {
	apps := functions(t)
	for dir, name := range map[string]string{"donations": jobs.NameDonations, "birthdays": jobs.NameBirthdays, "expiry": jobs.NameExpiry, "tierreview": jobs.NameTierReview, "segments": jobs.NameSegments} {
		t.Run(dir, func(t *testing.T) {
			data, err := os.ReadFile(dir + "/scheduled.json")
			if err != nil {
				t.Fatal(err)
			}
			var trigger jobs.Trigger
			if err := decodeStrict(data, &trigger); err != nil {
				t.Fatalf("%s/scheduled.json is not a job trigger: %v", dir, err)
			}
			summary, err := apps["admin"].Jobs.Handler(name)(context.Background(), trigger)
			if err != nil || summary.Job != name || summary.At.Format(time.RFC3339) != trigger.At {
				t.Fatalf("%s: %+v, %v", dir, summary, err)
			}
		})
	}
}

func TestRESTv1EventIsRefused(t *testing.T) {
	data, err := os.ReadFile("testdata/rest-api-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := decodeStrict(data, &ev); err == nil {
		t.Fatal("a REST API (v1) event decoded as an HTTP API (v2) event")
	}
}

// record builds a sample's request from the state and writes its event.
func record(t *testing.T, sm sample, st *state) {
	method, path, token, body, headers := sm.request(st)
	req := httptest.NewRequest(method, "https://api.fidelio.example"+path, strings.NewReader(body))
	req.Header.Set("User-Agent", "Fidelio-Till/1.0")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	req.RemoteAddr = "203.0.113.10:52100"
	ev, err := apigateway.EventFromRequest(req, method+" "+routeOf(method, path), "sample-"+strings.TrimSuffix(filepath.Base(sm.file), ".json"), pathParams(path))
	if err != nil {
		t.Fatal(err)
	}
	ev.RequestContext.AccountID, ev.RequestContext.APIID, ev.RequestContext.DomainPrefix = "123456789012", "a1b2c3d4e5", "api"
	ev.RequestContext.TimeEpoch, ev.RequestContext.Time = storetest.Start.UnixMilli(), storetest.Start.Format("02/Jan/2006:15:04:05 -0700")
	// API Gateway sends requestContext.authentication only with mutual TLS;
	// the Go type always writes it, empty, so it is dropped from the sample.
	raw, _ := json.Marshal(ev)
	var generic map[string]any
	json.Unmarshal(raw, &generic)
	delete(generic["requestContext"].(map[string]any), "authentication")
	b, _ := json.MarshalIndent(generic, "", "  ")
	os.MkdirAll(filepath.Dir(sm.file), 0o755)
	if err := os.WriteFile(sm.file, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// routeOf finds the route pattern a concrete path matches.
func routeOf(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	for _, r := range api.Routes("") {
		if r.Method == method && matches(r.Path, path) {
			return r.Path
		}
	}
	return path
}

func matches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], "{") && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

func pathParams(path string) map[string]string {
	path, _, _ = strings.Cut(path, "?")
	for _, r := range api.Routes("") {
		if !matches(r.Path, path) {
			continue
		}
		params := map[string]string{}
		xs := strings.Split(path, "/")
		for i, p := range strings.Split(r.Path, "/") {
			if strings.HasPrefix(p, "{") {
				params[strings.Trim(p, "{}")] = xs[i]
			}
		}
		if len(params) > 0 {
			return params
		}
		return nil
	}
	return nil
}

// remember keeps what an answer says that later requests use.
func remember(st *state, file, body string) {
	var b map[string]any
	json.Unmarshal([]byte(body), &b)
	get := func(k string) string { s, _ := b[k].(string); return s }
	switch file {
	case "admin/create-staff-key.json":
		st.staffKey = get("key")
	case "members/enroll.json":
		st.memberID, st.token, st.code = get("id"), get("token"), get("code")
	case "members/reissue-credentials.json":
		st.token, st.code = get("token"), get("code")
	case "staff/earn.json":
		st.txID = get("transactionId")
	case "admin/create-operator-key.json":
		st.operatorKeyID = get("id")
	case "admin/create-webhook.json":
		st.webhookID = get("id")
	case "admin/create-campaign.json":
		st.campaignID = get("id")
	}
}

// sampleLogo is an operator's logo: a PNG, as a shop would upload it.
func sampleLogo() string {
	b, err := design.PNG(design.Icon(3))
	if err != nil {
		panic(err)
	}
	return string(b)
}
