package stack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/loyalty"
)

// Demo is the program -demo seeds: rewards, and two stores with a staff key each.
type Demo struct {
	Rewards   []loyalty.Reward `json:"-"`
	StaffKeys []demoKey        `json:"staffKeys"`
}

type demoKey struct {
	StoreID string `json:"storeId"`
	ID      string `json:"id"`
	Key     string `json:"key"`
}

var (
	demoRewards = []loyalty.Reward{
		{ID: "coffee", Name: "Coffee", Points: 100},
		{ID: "pastry", Name: "Pastry of the day", Points: 150},
		{ID: "tote-bag", Name: "Canvas tote bag", Points: 400},
	}
	demoStores = []loyalty.Shop{
		{ID: "paris-rivoli", Name: "Paris Rivoli", Address: "99 rue de Rivoli, 75001 Paris", TimeZone: "Europe/Paris", Latitude: ptr(48.8606), Longitude: ptr(2.3376)},
		{ID: "lyon-part-dieu", Name: "Lyon Part-Dieu", Address: "17 rue du Docteur Bouchut, 69003 Lyon", TimeZone: "Europe/Paris", Latitude: ptr(45.7606), Longitude: ptr(4.8566)},
	}
	// demoSeeder names the demo's changes in the audit trail.
	demoSeeder = loyalty.Actor{Who: loyalty.WhoProgram}
)

func ptr[T any](v T) *T { return &v }

// seedDemo writes the demo program. It is safe to run at every start: rewards
// are replaced, and the staff keys (kept in clear in the data folder, a dev
// convenience) are reused while the store still knows them.
func seedDemo(ctx context.Context, st *Stack, deps api.Deps) (*Demo, error) {
	d := &Demo{Rewards: demoRewards}
	for _, r := range demoRewards {
		r.UpdatedAt = deps.Program.Now()
		if err := st.Store.SaveReward(ctx, r); err != nil {
			return nil, fmt.Errorf("demo rewards: %w", err)
		}
	}
	path := filepath.Join(st.opts.DataDir, "demo-staff-keys-"+st.opts.Store+".json")
	var saved Demo
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, &saved)
	}
	for _, shop := range demoStores {
		if err := seedShop(ctx, st, deps, shop); err != nil {
			return nil, fmt.Errorf("demo store: %w", err)
		}
		storeID := shop.ID
		if k, ok := savedKey(ctx, st, saved, storeID); ok {
			d.StaffKeys = append(d.StaffKeys, k)
			continue
		}
		key, secret, err := loyalty.NewStaffKey(deps.IDs, deps.Program.Now(), storeID, "Demo till")
		if err != nil {
			return nil, err
		}
		if err := st.Store.SaveStaffKey(ctx, key, loyalty.NewAudit(deps.IDs, key.CreatedAt, demoSeeder, "staff-key.create", key.ID, "demo")); err != nil {
			return nil, fmt.Errorf("demo staff key: %w", err)
		}
		d.StaffKeys = append(d.StaffKeys, demoKey{StoreID: storeID, ID: key.ID, Key: secret})
	}
	b, _ := json.MarshalIndent(d, "", "  ")
	return d, os.WriteFile(path, b, 0o600)
}

// seedShop saves a demo store unless the operator has saved it already.
func seedShop(ctx context.Context, st *Stack, deps api.Deps, shop loyalty.Shop) error {
	if _, err := st.Store.Shop(ctx, shop.ID); !errors.Is(err, loyalty.ErrShopNotFound) {
		return err
	}
	shop, err := loyalty.PrepareShop(shop, deps.Program.Now())
	if err != nil {
		return err
	}
	return st.Store.SaveShop(ctx, shop, loyalty.NewAudit(deps.IDs, shop.UpdatedAt, demoSeeder, "store.create", shop.ID, "demo"))
}

func savedKey(ctx context.Context, st *Stack, saved Demo, storeID string) (demoKey, bool) {
	for _, k := range saved.StaffKeys {
		if k.StoreID != storeID {
			continue
		}
		stored, err := st.Store.StaffKey(ctx, k.ID)
		if err == nil && loyalty.SecretMatches(k.Key, stored.Hash) {
			return k, true
		}
		if err != nil && !errors.Is(err, loyalty.ErrStaffKeyNotFound) {
			return demoKey{}, false
		}
	}
	return demoKey{}, false
}

// Describe prints the demo's keys and a first walk through the API.
func (d *Demo) Describe(url string) string {
	var b strings.Builder
	for _, k := range d.StaffKeys {
		fmt.Fprintf(&b, "  staff key:  %-15s %s\n", k.StoreID, k.Key)
	}
	for _, r := range d.Rewards {
		fmt.Fprintf(&b, "  reward:     %-15s %d points\n", r.ID, r.Points)
	}
	fmt.Fprintf(&b, `
Try it (in another terminal):
  # 1. join: the answer has your member "code" (what the card's QR code carries) and "token"
  curl -s -X POST %[1]s/v1/members -H 'Content-Type: application/json' \
       -d '{"name":"Ada Lovelace","email":"ada@example.com"}'
  # 2. at the till, a 12.50 EUR purchase earns 12 points (put your code in place of CODE)
  curl -s -X POST %[1]s/v1/earnings -H 'Authorization: Bearer %[2]s' \
       -H 'Content-Type: application/json' \
       -d '{"code":"CODE","receiptId":"R-1","amount":{"value":1250,"currency":"EUR"}}'
  # 3. the card as the till sees it, with the rewards it can afford
  curl -s -X POST %[1]s/v1/scans -H 'Authorization: Bearer %[2]s' \
       -H 'Content-Type: application/json' -d '{"code":"CODE"}'
`, url, d.StaffKeys[0].Key)
	return b.String()
}
