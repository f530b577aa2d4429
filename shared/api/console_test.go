package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wallet/pdfcard"
)

func TestRewardsAreEditedRetiredAndBoundByTierAndDates(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris")
	member := f.enroll("rewards@example.com") // 50 welcome points, bronze
	code := member.str("code")
	redeem := func(reward, key string) response {
		t.Helper()
		return f.do("POST", "/v1/redemptions", paris, fmt.Sprintf(`{"code":%q,"rewardId":%q}`, code, reward), "Idempotency-Key", key)
	}
	offered := func() map[string]bool {
		t.Helper()
		r := f.do("POST", "/v1/scans", paris, fmt.Sprintf(`{"code":%q}`, code))
		f.expect(r, 200, "")
		out := map[string]bool{}
		for _, rw := range r.body["rewards"].([]any) {
			out[rw.(map[string]any)["id"].(string)] = true
		}
		return out
	}
	now := storetest.Start
	f.expect(f.do("PUT", "/v1/admin/rewards/coffee", adminKey, `{"name":"Coffee","nameFr":"Café","points":10}`), 201, "")
	r := f.do("PUT", "/v1/admin/rewards/coffee", adminKey, `{"name":"Espresso","nameFr":"Expresso","points":5}`)
	f.expect(r, 200, "")
	if r.str("name") != "Espresso" || r.str("nameFr") != "Expresso" || r.num("points") != 5 {
		t.Fatalf("edited reward = %v", r.body)
	}
	f.expect(f.do("PUT", "/v1/admin/rewards/lounge", adminKey, `{"name":"Lounge","points":5,"minTier":"gold"}`), 201, "")
	f.expect(f.do("PUT", "/v1/admin/rewards/xmas", adminKey, fmt.Sprintf(`{"name":"Christmas cake","points":5,"from":%q}`, now.Add(24*time.Hour).Format(time.RFC3339))), 201, "")
	f.expect(f.do("PUT", "/v1/admin/rewards/summer", adminKey, fmt.Sprintf(`{"name":"Ice cream","points":5,"until":%q}`, now.Format(time.RFC3339))), 201, "")
	f.expect(f.do("PUT", "/v1/admin/rewards/bad", adminKey, `{"name":"Bad","points":5,"minTier":"diamond"}`), 400, "invalid_request")
	f.expect(f.do("PUT", "/v1/admin/rewards/bad", adminKey, fmt.Sprintf(`{"name":"Bad","points":5,"from":%q,"until":%q}`, now.Format(time.RFC3339), now.Format(time.RFC3339))), 400, "invalid_request")

	if got := offered(); !got["coffee"] || got["lounge"] || got["xmas"] || got["summer"] {
		t.Fatalf("a bronze member is offered %v, want only coffee", got)
	}
	f.expect(redeem("lounge", "k1"), 409, "tier_too_low")
	f.expect(redeem("xmas", "k2"), 409, "reward_unavailable")
	f.expect(redeem("summer", "k3"), 409, "reward_unavailable")
	first := redeem("coffee", "k4")
	f.expect(first, 201, "")

	t.Run("a retired reward is kept, refused, and its redemptions still name it", func(t *testing.T) {
		r := f.do("DELETE", "/v1/admin/rewards/coffee", adminKey, "")
		f.expect(r, 200, "")
		if r.str("archivedAt") == "" {
			t.Fatalf("retired reward = %v", r.body)
		}
		again := f.do("DELETE", "/v1/admin/rewards/coffee", adminKey, "")
		if again.status != 200 || again.str("archivedAt") != r.str("archivedAt") {
			t.Fatalf("retiring it again = %d %v, want the same answer", again.status, again.body)
		}
		f.expect(redeem("coffee", "k5"), 409, "reward_unavailable")
		if replay := redeem("coffee", "k4"); replay.status != 201 || replay.header["Idempotent-Replayed"] != "true" {
			t.Fatalf("a redemption replayed after its reward was retired = %d %v, want the first answer", replay.status, replay.body)
		}
		if offered()["coffee"] {
			t.Fatal("a retired reward is still offered at the till")
		}
		list := f.do("GET", "/v1/admin/rewards", adminKey, "")
		var found bool
		for _, rw := range list.body["rewards"].([]any) {
			found = found || rw.(map[string]any)["id"] == "coffee" && rw.(map[string]any)["name"] == "Espresso"
		}
		if !found {
			t.Fatalf("the retired reward left the list: %v", list.body)
		}
		f.expect(f.do("DELETE", "/v1/admin/rewards/caviar", adminKey, ""), 404, "reward_not_found")
	})
}

func TestABlockedMemberCannotBeScannedEarnOrRedeemUntilUnblocked(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris")
	member := f.enroll("blocked@example.com")
	id, code := member.str("id"), member.str("code")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":10}`), 201, "")
	scan := func() response { return f.do("POST", "/v1/scans", paris, fmt.Sprintf(`{"code":%q}`, code)) }
	earn := func(receipt string) response {
		return f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":%q,"amount":{"value":1000,"currency":"EUR"}}`, code, receipt))
	}
	redeem := func(key string) response {
		return f.do("POST", "/v1/redemptions", paris, fmt.Sprintf(`{"code":%q,"rewardId":"coffee"}`, code), "Idempotency-Key", key)
	}

	r := f.do("PUT", "/v1/admin/members/"+id+"/block", adminKey, `{"note":"card reported stolen"}`)
	f.expect(r, 200, "")
	blockedAt := r.str("blockedAt")
	if blockedAt == "" || r.str("blockNote") != "card reported stolen" {
		t.Fatalf("block answer = %v", r.body)
	}
	if again := f.do("PUT", "/v1/admin/members/"+id+"/block", adminKey, `{"note":"card reported stolen"}`); again.str("blockedAt") != blockedAt {
		t.Fatalf("blocking again = %v, want the first block kept", again.body)
	}
	f.expect(scan(), 409, "member_blocked")
	f.expect(earn("R-1"), 409, "member_blocked")
	f.expect(redeem("red-1"), 409, "member_blocked")
	detail := f.do("GET", "/v1/admin/members/"+id, adminKey, "")
	if detail.num("balance") != 50 || detail.str("blockedAt") != blockedAt {
		t.Fatalf("a blocked member's detail = %v", detail.body)
	}

	f.expect(f.do("DELETE", "/v1/admin/members/"+id+"/block", adminKey, ""), 200, "")
	f.expect(f.do("DELETE", "/v1/admin/members/"+id+"/block", adminKey, ""), 200, "")
	f.expect(scan(), 200, "")
	if r := earn("R-1"); r.status != 201 || r.num("balance") != 60 {
		t.Fatalf("an earning after unblocking = %d %v", r.status, r.body)
	}
	f.expect(redeem("red-1"), 201, "")
	f.expect(f.do("PUT", "/v1/admin/members/"+id+"/block", paris, ""), 403, "forbidden")
	f.expect(f.do("PUT", "/v1/admin/members/01KAAAAAAAAAAAAAAAAAAAAAAA/block", adminKey, ""), 404, "member_not_found")
}

func TestTheOperatorOpensAMember(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris")
	member := f.enroll("detail@example.com")
	id, code := member.str("id"), member.str("code")
	for i := range 25 {
		f.expect(f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":"R-%d","amount":{"value":1000,"currency":"EUR"}}`, code, i)), 201, "")
	}
	if _, err := f.s.Register(t.Context(), store.Registration{DeviceID: "d41d8cd98f00b204e9800998ecf8427e", Serial: id, PushToken: "8c7f1b2a0e9d4c3b", CreatedAt: storetest.Start}); err != nil {
		t.Fatal(err)
	}

	r := f.do("GET", "/v1/admin/members/"+id, adminKey, "")
	f.expect(r, 200, "")
	if r.str("email") != "detail@example.com" || r.num("balance") != 300 || r.str("tier") != "bronze" || r.str("memberNumber") == "" {
		t.Fatalf("detail = %v", r.body)
	}
	lots := r.body["lots"].([]any)
	if len(lots) != 1 || lots[0].(map[string]any)["points"] != 300.0 || lots[0].(map[string]any)["expiresOn"] != "2027-11-30" {
		t.Fatalf("lots = %v", lots)
	}
	if n := len(r.body["ledger"].([]any)); n != 20 || r.str("next") != "7" {
		t.Fatalf("ledger page of %d entries, next %q; want 20 and the cursor 7", n, r.str("next"))
	}
	if newest := r.body["ledger"].([]any)[0].(map[string]any); newest["keyName"] == nil || newest["keyId"] == nil {
		t.Fatalf("the newest entry %v does not name the till's key; operators see who did what", newest)
	}
	page := f.do("GET", "/v1/members/"+id+"/ledger?cursor="+r.str("next"), adminKey, "")
	if n := len(page.body["entries"].([]any)); n != 6 {
		t.Fatalf("the next page holds %d entries, want the 6 older ones", n)
	}
	devices := r.body["devices"].(map[string]any)
	if devices["apple"] != 1.0 {
		t.Fatalf("devices = %v", devices)
	}
	if containsValue(r.body, "8c7f1b2a0e9d4c3b") {
		t.Fatal("the detail shows a push token")
	}
	f.expect(f.do("GET", "/v1/admin/members/"+id, member.str("token"), ""), 403, "forbidden")
}

// containsValue reports whether v holds s anywhere.
func containsValue(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return x == s
	case map[string]any:
		for _, e := range x {
			if containsValue(e, s) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsValue(e, s) {
				return true
			}
		}
	}
	return false
}

func TestTheOperatorPrintsAMembersCard(t *testing.T) {
	f := newFixture(t)
	member := f.enroll("print@example.com")
	path := "/v1/admin/members/" + member.str("id") + "/card.pdf"
	f.expect(f.do("GET", path, adminKey, ""), 501, "not_implemented")
	f.app.PrintCard = pdfcard.Printer("Fidelio")
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	out := f.serve(req)
	if out.StatusCode != 200 || out.Headers["Content-Type"] != "application/pdf" || !out.IsBase64Encoded {
		t.Fatalf("GET card.pdf: %d %v base64=%v", out.StatusCode, out.Headers, out.IsBase64Encoded)
	}
	pdf, _ := base64.StdEncoding.DecodeString(out.Body)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("card.pdf starts %q", pdf[:min(8, len(pdf))])
	}
	f.expect(f.do("GET", path, member.str("token"), ""), 403, "forbidden")
	f.expect(f.do("GET", "/v1/admin/members/01KAAAAAAAAAAAAAAAAAAAAAAA/card.pdf", adminKey, ""), 404, "member_not_found")
}
