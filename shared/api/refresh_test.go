package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/loyalty"
)

// TestOnlyChangesTheCardsShowRefreshThem saves rules, stores and promotions
// and lists the card refreshes each asked for: one for what a card shows
// (terms, thresholds, a store's place, a promotion's bounds), none for what
// it does not (the earn rate, a store's address), nor for the same save
// again.
func TestOnlyChangesTheCardsShowRefreshThem(t *testing.T) {
	f := newFixture(t)
	var asked []string
	f.deps.RefreshCards = func(_ context.Context, r loyalty.CardRefresh) error {
		asked = append(asked, r.ID)
		return nil
	}
	app, err := api.New(f.deps, "")
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
	steps := []struct {
		name, method, path, body string
		want                     []string
	}{
		{"new terms", "PATCH", "/v1/admin/program", `{"terms":{"en":"Points last two years"}}`, []string{"rules-1"}},
		{"the same terms", "PATCH", "/v1/admin/program", `{"terms":{"en":"Points last two years"}}`, nil},
		{"the earn rate", "PATCH", "/v1/admin/program", `{"pointsPerUnit":3}`, nil},
		{"a tier's threshold", "PATCH", "/v1/admin/program", `{"thresholds":{"bronze":0,"silver":400,"gold":1500,"platinum":5000}}`, []string{"rules-4"}},
		{"a store without a place", "POST", "/v1/admin/stores", `{"id":"lyon","name":"Lyon","address":"1 quai","timeZone":"Europe/Paris"}`, nil},
		{"the store placed", "PUT", "/v1/admin/stores/lyon", `{"name":"Lyon","address":"1 quai","timeZone":"Europe/Paris","latitude":45.76,"longitude":4.83}`, []string{"store-lyon-"}},
		{"its address", "PUT", "/v1/admin/stores/lyon", `{"name":"Lyon","address":"2 quai","timeZone":"Europe/Paris","latitude":45.76,"longitude":4.83}`, nil},
		{"a promotion", "POST", "/v1/admin/promotions", fmt.Sprintf(`{"id":"double","name":{"en":"Double points"},"multiplierPercent":200,"startsAt":%q,"endsAt":%q}`,
			f.clock.Now().Add(time.Hour).Format(time.RFC3339), f.clock.Now().Add(48*time.Hour).Format(time.RFC3339)), []string{"promotion-double-start", "promotion-double-end"}},
		{"its early end", "DELETE", "/v1/admin/promotions/double", "", []string{"promotion-double-ended"}},
	}
	for _, step := range steps {
		asked = nil
		f.clock.Set(f.clock.Now().Add(time.Second))
		if r := f.do(step.method, step.path, adminKey, step.body); r.status >= 300 {
			t.Fatalf("%s: %d %v", step.name, r.status, r.body)
		}
		got := slices.Clone(asked)
		for i, id := range got {
			if i < len(step.want) && len(step.want[i]) < len(id) && id[:len(step.want[i])] == step.want[i] {
				got[i] = step.want[i] // the store's id ends with its save time
			}
		}
		if !slices.Equal(got, step.want) {
			t.Errorf("%s asked for refreshes %q, want %q", step.name, asked, step.want)
		}
	}
}
