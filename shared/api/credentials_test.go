package api_test

import (
	"context"
	"fmt"
	"testing"
)

func TestReissueReplacesTheTokenAndTheCode(t *testing.T) {
	f := newFixture(t)
	ada, eve := f.enroll("ada@example.com"), f.enroll("eve@example.com")
	id, oldToken, oldCode := ada.str("id"), ada.str("token"), ada.str("code")
	staff := f.staffKey("paris")
	path := "/v1/members/" + id + "/credentials"
	before, _ := f.s.Member(context.Background(), id)

	f.expect(f.do("POST", path, staff, "", "Idempotency-Key", "k"), 403, "forbidden")
	f.expect(f.do("POST", path, eve.str("token"), "", "Idempotency-Key", "k"), 403, "forbidden")
	f.expect(f.do("POST", path, "", "", "Idempotency-Key", "k"), 401, "unauthorized")
	f.expect(f.do("POST", path, oldToken, ""), 400, "idempotency_key_required")

	first := f.do("POST", path, oldToken, "", "Idempotency-Key", "lost-phone")
	f.expect(first, 200, "")
	newToken, newCode := first.str("token"), first.str("code")
	if newToken == "" || newToken == oldToken || newCode == oldCode || first.header["Idempotent-Replayed"] != "" {
		t.Fatalf("re-issue answer = %v %v; want a new token and code", first.body, first.header)
	}
	after, _ := f.s.Member(context.Background(), id)
	if !after.CardUpdatedAt.After(before.CardUpdatedAt) {
		t.Fatalf("the card's change time stayed at %v: phones would not be told", after.CardUpdatedAt)
	}

	// The old token and code stop working at once; the new ones work.
	f.expect(f.do("GET", "/v1/members/"+id, oldToken, ""), 401, "unauthorized")
	f.expect(f.do("GET", "/v1/members/"+id, newToken, ""), 200, "")
	f.expect(f.do("POST", "/v1/scans", staff, fmt.Sprintf(`{"code":%q}`, oldCode)), 400, "invalid_code")
	f.expect(f.do("POST", "/v1/scans", staff, fmt.Sprintf(`{"code":%q}`, newCode)), 200, "")
	if r := f.do("GET", "/v1/members/"+id, newToken, ""); r.str("code") != newCode {
		t.Fatalf("the member's code = %q, want the new %q", r.str("code"), newCode)
	}

	// A lost answer: the old token and the same key get it back, and nobody else does.
	again := f.do("POST", path, oldToken, "", "Idempotency-Key", "lost-phone")
	f.expect(again, 200, "")
	if again.str("token") != newToken || again.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("replay = %v %v; want the same new token", again.body, again.header)
	}
	f.expect(f.do("POST", path, "fm_"+id+"_guess", "", "Idempotency-Key", "lost-phone"), 401, "unauthorized")
	f.expect(f.do("POST", path, oldToken, "", "Idempotency-Key", "another-key"), 401, "unauthorized")
	f.expect(f.do("POST", path, newToken, "", "Idempotency-Key", "lost-phone"), 422, "idempotency_key_reused")

	// The operator re-issues for a member who lost everything.
	byAdmin := f.do("POST", path, adminKey, "", "Idempotency-Key", "support-ticket-42")
	f.expect(byAdmin, 200, "")
	if byAdmin.str("token") == newToken || byAdmin.str("code") == newCode {
		t.Fatalf("the operator's re-issue = %v; want another token and code", byAdmin.body)
	}
	f.expect(f.do("GET", "/v1/members/"+id, newToken, ""), 401, "unauthorized")
	f.expect(f.do("POST", "/v1/scans", staff, fmt.Sprintf(`{"code":%q}`, newCode)), 400, "invalid_code")
	f.expect(f.do("POST", path, adminKey, "", "Idempotency-Key", "support-ticket-42"), 200, "")
	trail := f.do("GET", "/v1/admin/audit", adminKey, "")
	var reissues []any
	for _, e := range trail.body["entries"].([]any) {
		if e := e.(map[string]any); e["action"] == "member.reissue" {
			reissues = append(reissues, e["target"])
		}
	}
	if len(reissues) != 1 || reissues[0] != id {
		t.Fatalf("the audit trail records re-issues of %v; want the operator's one, of %s, and not the member's own nor the replay", reissues, id)
	}
	f.expect(f.do("POST", "/v1/members/01KAAAAAAAAAAAAAAAAAAAAAAA/credentials", adminKey, "", "Idempotency-Key", "k"), 404, "member_not_found")
}
