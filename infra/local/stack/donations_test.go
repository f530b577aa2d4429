package stack

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDonationsEndToEnd(t *testing.T) {
	for _, storeName := range stores(t) {
		t.Run(storeName, func(t *testing.T) {
			st, c := startStack(t, storeName)
			admin, staff := st.Secrets.AdminKey, st.Demo.StaffKeys[0].Key
			charity := map[string]any{"id": "food-bank", "name": "Food Bank", "pointsPerUnit": 100, "currency": "EUR", "minPoints": 100, "step": 10}
			c.must(c.do("POST", "/v1/admin/charities", admin, charity), 201)
			charity["id"], charity["name"] = "old-cause", "Old cause"
			c.must(c.do("POST", "/v1/admin/charities", admin, charity), 201)
			charity["archived"] = true
			c.must(c.do("PUT", "/v1/admin/charities/old-cause", admin, charity), 200)
			if list := c.must(c.do("GET", "/v1/charities", "", nil), 200).body["charities"].([]any); len(list) != 1 {
				t.Fatalf("public charities = %v; the archived one must not be listed", list)
			}

			m := c.must(c.do("POST", "/v1/members", "", map[string]any{"name": "Ada", "email": "ada@example.com"}), 201)
			c.must(c.do("POST", "/v1/earnings", staff, map[string]any{"code": m.str("code"), "receiptId": "R1", "amount": map[string]any{"value": 20000, "currency": "EUR"}}), 201)
			id, tok := m.str("id"), m.str("token")
			gift := func(charityID string, points int, key string) answer {
				return c.do("POST", "/v1/members/"+id+"/donations", tok, map[string]any{"charityId": charityID, "points": points}, "Idempotency-Key", key)
			}
			refused := []struct {
				name   string
				a      answer
				status int
				code   string
			}{
				{"below the minimum", gift("food-bank", 50, "k1"), 400, "invalid_request"},
				{"not a multiple of the step", gift("food-bank", 105, "k2"), 400, "invalid_request"},
				{"more than the balance", gift("food-bank", 1000, "k3"), 409, "insufficient_points"},
				{"to an archived charity", gift("old-cause", 100, "k4"), 409, "charity_archived"},
				{"to an unknown charity", gift("nobody", 100, "k5"), 404, "charity_not_found"},
				{"without an idempotency key", c.do("POST", "/v1/members/"+id+"/donations", tok, map[string]any{"charityId": "food-bank", "points": 100}), 400, "idempotency_key_required"},
				{"by staff", c.do("POST", "/v1/members/"+id+"/donations", staff, map[string]any{"charityId": "food-bank", "points": 100}, "Idempotency-Key", "k6"), 403, "forbidden"},
			}
			for _, r := range refused {
				if r.a.status != r.status || r.a.str("code") != r.code {
					t.Errorf("a gift %s: %d %v, want %d %s", r.name, r.a.status, r.a.body, r.status, r.code)
				}
			}
			if b := c.must(c.do("GET", "/v1/members/"+id, tok, nil), 200).num("balance"); b != 250 {
				t.Fatalf("refused gifts moved points: balance %d, want 250", b)
			}
			g := c.must(gift("food-bank", 150, "gift-1"), 201)
			donation := g.body["donation"].(map[string]any)
			if g.num("balance") != 100 || g.num("points") != -150 || donation["value"].(map[string]any)["value"].(float64) != 150 {
				t.Fatalf("gift = %v; want balance 100 and 1.50 EUR given", g.body)
			}
			if again := c.must(gift("food-bank", 150, "gift-1"), 201); again.num("balance") != 100 {
				t.Fatalf("a replayed gift gave again: %v", again.body)
			}
			c.must(c.do("PUT", "/v1/members/"+id+"/donation-plan", tok, map[string]any{"charityId": "food-bank", "monthlyPoints": 100}), 200)
			c.must(c.do("DELETE", "/v1/members/"+id+"/donation-plan", tok, nil), 204)

			month := time.Now().UTC().Format("2006-01")
			report := c.must(c.do("GET", "/v1/admin/charities/food-bank/report?month="+month, admin, nil), 200)
			if report.num("points") != 150 || report.num("donors") != 1 {
				t.Fatalf("month report = %v", report.body)
			}
			req, _ := http.NewRequest("GET", c.base+"/v1/admin/charities/food-bank/report?month="+month, nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("Accept", "text/csv")
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			csv, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(string(csv), id) || !strings.Contains(string(csv), "1.50") {
				t.Fatalf("CSV report (%s):\n%s", resp.Header.Get("Content-Type"), csv)
			}
			c.must(c.do("GET", "/v1/admin/charities/food-bank/report?month=2026-13", admin, nil), 400)
		})
	}
}
