package api_test

import "testing"

// An operator who turns referral off and zeroes its terms gets that back,
// and members see no referral, rather than the default terms coming back on.
func TestReferralSwitchedOffWithEveryValueZeroStaysOff(t *testing.T) {
	f := newFixture(t)
	r := f.do("PATCH", "/v1/admin/program", adminKey, `{"referral":{"enabled":false,"referrerPoints":0,"newMemberPoints":0,"minPurchase":0,"monthlyCap":0}}`,
		"Content-Type", "application/merge-patch+json")
	f.expect(r, 200, "")
	for _, r := range []response{r, f.do("GET", "/v1/admin/program", adminKey, "")} {
		if got, ok := r.body["referral"].(map[string]any); !ok || got["enabled"] != false || got["referrerPoints"] != 0.0 || got["monthlyCap"] != 0.0 {
			t.Fatalf("referral read back as %v, want off with every value zero, as saved", r.body["referral"])
		}
	}
	if p := f.do("GET", "/v1/program", "", ""); p.body["referral"] != nil {
		t.Fatalf("the program members see offers referral: %v", p.body["referral"])
	}
}
