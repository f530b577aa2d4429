package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestAReferralFromTheLinkToBothBonuses follows a referral through the API:
// the referrer's code and link, the enrollment with it (and its refusals),
// both bonuses on the first purchase of at least the minimum, once, the
// program's terms (public and patched) and the console's count.
func TestAReferralFromTheLinkToBothBonuses(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris")
	patch := `{"referral":{"enabled":true,"referrerPoints":200,"newMemberPoints":75,"minPurchase":1500,"monthlyCap":3}}`
	f.expect(f.do("PATCH", "/v1/admin/program", adminKey, patch, "Content-Type", "application/merge-patch+json"), 200, "")
	program := f.do("GET", "/v1/program", "", "")
	if terms, _ := program.body["referral"].(map[string]any); terms["referrerPoints"] != 200.0 || terms["minPurchase"] != 1500.0 {
		t.Fatalf("GET /v1/program shows the referral terms %v", program.body["referral"])
	}

	ada := f.enroll("ada@example.com")
	referral, _ := ada.body["referral"].(map[string]any)
	code, _ := referral["code"].(string)
	if len(code) != 10 || referral["link"] != "https://example.com/?ref="+code {
		t.Fatalf("the referrer's referral = %v", ada.body["referral"])
	}
	got := f.do("GET", "/v1/members/"+ada.str("id"), ada.str("token"), "")
	if r, _ := got.body["referral"].(map[string]any); r["code"] != code {
		t.Fatalf("the member's profile shows the referral %v, want the code %s", got.body["referral"], code)
	}

	for name, c := range map[string]struct {
		body, code string
	}{
		"an unknown code":        {`{"name":"Grace","email":"grace@example.com","referralCode":"ZZZZZZZZZZ"}`, "unknown_referral_code"},
		"the referrer's email":   {fmt.Sprintf(`{"name":"Ada","email":"ADA+2@example.com","referralCode":%q}`, code), "self_referral"},
		"a code that is no code": {`{"name":"Grace","email":"grace@example.com","referralCode":"hello"}`, "unknown_referral_code"},
	} {
		t.Run("refused: "+name, func(t *testing.T) { f.expect(f.do("POST", "/v1/members", "", c.body), 422, c.code) })
	}

	grace := f.do("POST", "/v1/members", "", fmt.Sprintf(`{"name":"Grace","email":"grace@example.com","referralCode":%q}`, strings.ToLower(code)))
	f.expect(grace, 201, "")
	earn := func(receipt string, cents int) response {
		r := f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":%q,"amount":{"value":%d,"currency":"EUR"}}`, grace.str("code"), receipt, cents))
		f.expect(r, 201, "")
		return r
	}
	earn("R-1", 1499) // under the minimum: no bonus
	first := earn("R-2", 2000)
	if first.num("balance") != 50+14+20+75 {
		t.Fatalf("the rewarding earning answered %v, want a balance of 159", first.body)
	}
	if again := earn("R-2", 2000); again.num("balance") != first.num("balance") || again.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("the receipt sent again answered %v %v, want the first answer", again.header, again.body)
	}
	earn("R-3", 5000)
	if b := f.do("GET", "/v1/members/"+ada.str("id"), ada.str("token"), "").num("balance"); b != 250 {
		t.Fatalf("the referrer holds %d points, want 50 + 200", b)
	}
	ledger := f.do("GET", "/v1/members/"+ada.str("id")+"/ledger", ada.str("token"), "")
	if entries := ledger.body["entries"].([]any); entries[0].(map[string]any)["kind"] != "referral" {
		t.Fatalf("the referrer's newest entry = %v, want the referral bonus", entries[0])
	}

	stats := f.do("GET", "/v1/admin/stats?from=2026-11-23&to=2026-11-23", adminKey, "")
	f.expect(stats, 200, "")
	counted := stats.body["total"].(map[string]any)["referrals"].(map[string]any)
	if counted["joined"] != 1.0 || counted["rewarded"] != 1.0 || counted["takenBack"] != 0.0 {
		t.Fatalf("the console counts the referrals %v", counted)
	}

	for name, body := range map[string]string{
		"a negative bonus":     `{"referral":{"referrerPoints":-1}}`,
		"no monthly cap":       `{"referral":{"monthlyCap":0}}`,
		"a fractional minimum": `{"referral":{"minPurchase":10.5}}`,
	} {
		t.Run("invalid terms: "+name, func(t *testing.T) {
			f.expect(f.do("PATCH", "/v1/admin/program", adminKey, body, "Content-Type", "application/merge-patch+json"), 422, "invalid_program")
		})
	}
	f.expect(f.do("PATCH", "/v1/admin/program", adminKey, `{"referral":{"enabled":false}}`, "Content-Type", "application/merge-patch+json"), 200, "")
	if r := f.do("GET", "/v1/members/"+ada.str("id"), ada.str("token"), ""); r.body["referral"] != nil {
		t.Fatalf("with referral off the profile still shows %v", r.body["referral"])
	}
	if r := f.do("GET", "/v1/program", "", ""); r.body["referral"] != nil {
		t.Fatalf("with referral off GET /v1/program still shows %v", r.body["referral"])
	}
}
