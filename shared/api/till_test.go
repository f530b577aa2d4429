package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTheTillFindsAMemberByNumberOrEmail(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris")
	m := f.do("POST", "/v1/members", "", `{"name":"Jean Dupont","email":"jean.dupont@example.com"}`)
	f.expect(m, 201, "")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","nameFr":"Café","points":60}`), 201, "")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"cake","name":"Cake","points":100}`), 201, "")
	number := m.str("memberNumber")
	typed := strings.ToLower(strings.ReplaceAll(number, " ", ""))

	for name, body := range map[string]string{
		"the number as printed":            fmt.Sprintf(`{"number":%q}`, number),
		"the number typed without spaces":  fmt.Sprintf(`{"number":%q}`, typed),
		"the email in another case":        `{"email":" Jean.Dupont@EXAMPLE.com"}`,
		"the code, as the camera reads it": fmt.Sprintf(`{"code":%q}`, m.str("code")),
	} {
		t.Run(name, func(t *testing.T) {
			r := f.do("POST", "/v1/scans", paris, body)
			f.expect(r, 200, "")
			member := r.body["member"].(map[string]any)
			if member["id"] != m.str("id") || member["number"] != number || member["emailHint"] != "j•••t@example.com" {
				t.Fatalf("member = %v", member)
			}
			if _, ok := member["email"]; ok {
				t.Fatalf("the till was shown the whole email: %v", member)
			}
			if member["nextTier"] != "silver" || member["pointsToNextTier"] != 500.0 || len(member["expiringSoon"].([]any)) != 0 {
				t.Fatalf("tablet fields = %v", member)
			}
			next := r.body["nextRewards"].([]any)
			if len(r.body["rewards"].([]any)) != 0 || len(next) != 2 || next[0].(map[string]any)["nameFr"] != "Café" {
				t.Fatalf("rewards = %v, next rewards = %v", r.body["rewards"], next)
			}
		})
	}

	for name, c := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"nothing to find the member by": {`{}`, 400, "invalid_request"},
		"a number and an email":         {fmt.Sprintf(`{"number":%q,"email":"jean.dupont@example.com"}`, number), 400, "invalid_request"},
		"a number of the wrong form":    {`{"number":"TYVF MNJR"}`, 400, "invalid_request"},
		"a number of no member":         {`{"number":"ZZZZ ZZZZ ZZZZ"}`, 404, "member_not_found"},
		"an email of no member":         {`{"email":"nobody@example.com"}`, 404, "member_not_found"},
		"something that is no email":    {`{"email":"jean"}`, 400, "invalid_request"},
	} {
		t.Run("refused: "+name, func(t *testing.T) {
			f.expect(f.do("POST", "/v1/scans", paris, c.body), c.status, c.code)
		})
	}

	earn := f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"number":%q,"receiptId":"R-1","amount":{"value":2000,"currency":"EUR"}}`, typed))
	f.expect(earn, 201, "")
	if earn.str("memberId") != m.str("id") || earn.num("balance") != 70 {
		t.Fatalf("earning by number = %v", earn.body)
	}
	red := f.do("POST", "/v1/redemptions", paris, `{"email":"jean.dupont@example.com","rewardId":"coffee"}`, "Idempotency-Key", "red-1")
	f.expect(red, 201, "")
	if red.str("memberId") != m.str("id") || red.num("balance") != 10 {
		t.Fatalf("redemption by email = %v", red.body)
	}

	// Eleven months on, the welcome points' lot expires within 30 days.
	f.clock.Set(time.Date(2027, time.November, 10, 9, 0, 0, 0, time.UTC))
	r := f.do("POST", "/v1/scans", paris, fmt.Sprintf(`{"number":%q}`, number))
	f.expect(r, 200, "")
	soon := r.body["member"].(map[string]any)["expiringSoon"].([]any)
	if len(soon) != 1 || soon[0].(map[string]any)["points"] != 10.0 || soon[0].(map[string]any)["on"] != "2027-11-30" {
		t.Fatalf("expiring soon = %v", soon)
	}
}
