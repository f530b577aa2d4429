package api_test

import (
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func TestWebhooksAreRegisteredListedAndDeleted(t *testing.T) {
	f := newFixture(t)
	manager := f.operatorKey("Marc", loyalty.RoleManager)
	for _, bad := range []string{
		`{"url":"http://shop.example/hooks"}`,
		`{"url":"https://user:pw@shop.example/hooks"}`,
		`{"url":"shop.example"}`,
		`{"url":"https://shop.example/hooks","events":["points.earnt"]}`,
	} {
		f.expect(f.do("POST", "/v1/admin/webhooks", manager, bad), 400, "invalid_request")
	}
	created := f.do("POST", "/v1/admin/webhooks", manager, `{"url":"https://shop.example/hooks","events":["points.earned"]}`)
	f.expect(created, 201, "")
	id, secret := created.str("id"), created.str("secret")
	if !strings.HasPrefix(secret, "whsec_") || len(secret) != 38 {
		t.Fatalf("a new webhook = %v, want its secret once", created.body)
	}
	list := f.do("GET", "/v1/admin/webhooks", manager, "")
	f.expect(list, 200, "")
	hooks, _ := list.body["webhooks"].([]any)
	if len(hooks) != 1 || hooks[0].(map[string]any)["id"] != id || hooks[0].(map[string]any)["secret"] != nil {
		t.Fatalf("the list = %v, want the webhook without its secret", list.body)
	}
	log := f.do("GET", "/v1/admin/webhooks/"+id+"/deliveries", manager, "")
	f.expect(log, 200, "")
	if ds, ok := log.body["deliveries"].([]any); !ok || len(ds) != 0 {
		t.Errorf("the log of a new webhook = %v", log.body)
	}
	f.expect(f.do("GET", "/v1/admin/webhooks/"+id+"/deliveries?cursor=x", manager, ""), 400, "invalid_request")
	f.expect(f.do("DELETE", "/v1/admin/webhooks/"+id, manager, ""), 200, "")
	f.expect(f.do("DELETE", "/v1/admin/webhooks/"+id, manager, ""), 404, "webhook_not_found")
	f.expect(f.do("GET", "/v1/admin/webhooks/"+id+"/deliveries", manager, ""), 404, "webhook_not_found")
	f.expect(f.do("DELETE", "/v1/admin/webhooks/not-an-id", manager, ""), 400, "invalid_request")
}
