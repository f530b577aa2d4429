package api_test

import (
	"fmt"
	"testing"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func TestSegmentsCountMembersAndTheDetailShowsTheClass(t *testing.T) {
	f := newFixture(t)
	paris := f.staffKey("paris-1")
	regular, occasional, newcomer := f.enroll("regular@example.com"), f.enroll("occasional@example.com"), f.enroll("newcomer@example.com")
	f.expect(f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":"O-1","amount":{"value":900,"currency":"EUR"}}`, occasional.str("code")), "Idempotency-Key", "earn-o"), 201, "")
	for i := range 6 {
		earn := f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":"R-%d","amount":{"value":4000,"currency":"EUR"}}`, regular.str("code"), i), "Idempotency-Key", fmt.Sprint("earn-", i))
		f.expect(earn, 201, "")
	}
	f.expect(f.do("POST", "/v1/admin/jobs/segments/runs", adminKey, `{}`, "Idempotency-Key", "run-1"), 200, "")

	analyst := f.operatorKey("Ana", loyalty.RoleAnalyst)
	r := f.do("GET", "/v1/admin/segments", analyst, "")
	f.expect(r, 200, "")
	counts := map[string]float64{}
	for _, s := range r.body["segments"].([]any) {
		sc := s.(map[string]any)
		key := fmt.Sprint(sc["segment"])
		counts[key] = sc["members"].(float64)
	}
	for segment, want := range map[string]float64{
		"map[class:loyal]": 1, "map[class:new]": 1, "map[class:lost]": 0, "map[tier:bronze]": 3,
		"map[store:paris-1]": 2, "map[inactiveDays:30]": 0, "map[donors:true]": 0,
	} {
		if counts[segment] != want {
			t.Errorf("segment %s counts %v members, want %v (all: %v)", segment, counts[segment], want, counts)
		}
	}
	if r.num("members") != 3 {
		t.Errorf("members = %d, want 3", r.num("members"))
	}

	detail := f.do("GET", "/v1/admin/members/"+regular.str("id"), adminKey, "")
	f.expect(detail, 200, "")
	activity := detail.body["activity"].(map[string]any)
	if activity["class"] != "loyal" || activity["purchases"].(float64) != 6 || activity["spend"].(float64) != 24000 || activity["topStore"] != "paris-1" {
		t.Errorf("the regular's activity = %v", activity)
	}
	other := f.do("GET", "/v1/admin/members/"+newcomer.str("id"), adminKey, "")
	if a := other.body["activity"].(map[string]any); a["class"] != nil || a["purchases"].(float64) != 0 {
		t.Errorf("a member who never bought has activity %v", a)
	}
}
