package api_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/loyalty"
)

func TestACampaignSentAgainWithItsKeyIsMadeOnce(t *testing.T) {
	f := newFixture(t)
	var starts atomic.Int64
	f.deps.StartCampaign = func(context.Context, loyalty.Campaign) error {
		// The first start is lost, as a queue that refused the message.
		if starts.Add(1) == 1 {
			return context.DeadlineExceeded
		}
		return nil
	}
	app, err := api.New(f.deps, "")
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	manager := f.operatorKey("Marc", loyalty.RoleManager)
	body := `{"name":"Spring","segment":{"tier":"bronze"},"message":{"en":"Double points this weekend"}}`
	f.expect(f.do("POST", "/v1/admin/campaigns", manager, body, "Idempotency-Key", "spring-1"), 503, "unavailable")

	again := f.do("POST", "/v1/admin/campaigns", manager, body, "Idempotency-Key", "spring-1")
	f.expect(again, 201, "")
	if again.header["Idempotent-Replayed"] != "true" || again.header["Location"] != "/v1/admin/campaigns/"+again.str("id") {
		t.Errorf("the retry: %v %v, want the saved campaign replayed", again.header, again.body)
	}
	if starts.Load() != 2 {
		t.Errorf("the fan-out was started %d times, want again by the retry (its first start was lost)", starts.Load())
	}
	dup := f.do("POST", "/v1/admin/campaigns", manager, body, "Idempotency-Key", "spring-1")
	f.expect(dup, 201, "")
	if dup.str("id") != again.str("id") || dup.header["Idempotent-Replayed"] != "true" {
		t.Errorf("a duplicate: %v, want campaign %s", dup.body, again.str("id"))
	}
	f.expect(f.do("POST", "/v1/admin/campaigns", manager, strings.Replace(body, "bronze", "gold", 1), "Idempotency-Key", "spring-1"), 422, "idempotency_key_reused")
	other := f.do("POST", "/v1/admin/campaigns", manager, body, "Idempotency-Key", "spring-2")
	f.expect(other, 201, "")
	if other.str("id") == again.str("id") || other.header["Idempotent-Replayed"] != "" {
		t.Errorf("another key: %v %v, want a campaign of its own", other.header, other.body)
	}
	f.expect(f.do("POST", "/v1/admin/campaigns", manager, body, "Idempotency-Key", strings.Repeat("k", 65)), 400, "idempotency_key_required")

	list := f.do("GET", "/v1/admin/campaigns", manager, "")
	if cs, _ := list.body["campaigns"].([]any); len(cs) != 2 {
		t.Errorf("campaigns = %v, want the key's one and the other key's", list.body)
	}
}
