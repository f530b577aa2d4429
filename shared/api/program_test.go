package api_test

import (
	"strings"
	"testing"
)

// TestTheProgramStatesEveryRuleAsTheOperatorSetIt: GET /v1/program, which
// the join page and the member space read, names the logo and states every
// rule issue 16 lists, as the operator changed them: welcome and birthday
// points with the birthday's conditions, the earn rate, tiers and their
// window, multipliers, how long points last, referral, terms and contact in
// both languages.
func TestTheProgramStatesEveryRuleAsTheOperatorSetIt(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("PATCH", "/v1/admin/program", adminKey, `{"welcomeBonus":100,"birthdayBonus":30,"pointsPerUnit":2,"expiryMonths":6,
		"thresholds":{"silver":300},"multiplierPercent":{"gold":175},
		"referral":{"enabled":true,"referrerPoints":200,"newMemberPoints":75,"minPurchase":1500,"monthlyCap":3},
		"terms":{"en":"Points have no cash value.","fr":"Les points n'ont pas de valeur monétaire."},
		"contact":{"en":"Ask at the till.","fr":"Demandez en caisse."}}`, "Content-Type", "application/merge-patch+json"), 200, "")
	r := f.do("GET", "/v1/program", "", "")
	f.expect(r, 200, "")
	for field, want := range map[string]int64{"welcomeBonus": 100, "birthdayBonus": 30, "pointsPerUnit": 2, "expiryMonths": 6, "qualifyingDays": 365} {
		if got := r.num(field); got != want {
			t.Errorf("%s = %d, want %d", field, got, want)
		}
	}
	if logo := r.str("logo"); !strings.HasSuffix(logo, "/v1/wallet/images/logo.png") {
		t.Errorf("logo = %q", logo)
	}
	birthday, _ := r.body["birthday"].(map[string]any)
	thresholds, _ := r.body["thresholds"].(map[string]any)
	multipliers, _ := r.body["multiplierPercent"].(map[string]any)
	referral, _ := r.body["referral"].(map[string]any)
	if birthday["minTenureDays"] != 7.0 || birthday["changeCooldownDays"] != 30.0 {
		t.Errorf("birthday terms = %v", birthday)
	}
	if thresholds["silver"] != 300.0 || thresholds["gold"] != 1500.0 || multipliers["gold"] != 175.0 || multipliers["bronze"] != 100.0 {
		t.Errorf("tiers %v, multipliers %v", thresholds, multipliers)
	}
	if referral["referrerPoints"] != 200.0 || referral["newMemberPoints"] != 75.0 || referral["minPurchase"] != 1500.0 || referral["monthlyCap"] != 3.0 {
		t.Errorf("referral = %v", referral)
	}
	terms, _ := r.body["terms"].(map[string]any)
	contact, _ := r.body["contact"].(map[string]any)
	if terms["en"] != "Points have no cash value." || terms["fr"] != "Les points n'ont pas de valeur monétaire." || contact["en"] != "Ask at the till." || contact["fr"] != "Demandez en caisse." {
		t.Errorf("terms %v, contact %v", terms, contact)
	}
}
