package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fidelio/fidelio/shared/api"
	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wire"
)

// memberReads counts the reads of a member by id, alone (n) and with the
// member's lots (accounts).
type memberReads struct {
	store.Store
	n, accounts atomic.Int64
}

func (s *memberReads) Member(ctx context.Context, id string) (loyalty.Member, error) {
	s.n.Add(1)
	return s.Store.Member(ctx, id)
}

func (s *memberReads) LoadAccount(ctx context.Context, id string) (loyalty.Account, error) {
	s.accounts.Add(1)
	return s.Store.LoadAccount(ctx, id)
}

// newCountingFixture is an App on the embedded store whose reads of members
// are counted.
func newCountingFixture(t *testing.T) (*fixture, *memberReads) {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	reads := &memberReads{Store: s}
	deps, err := wire.Deps(config.Config{Secrets: config.Secrets{AdminKey: adminKey, CodeKeys: signing.NewKeySpec("K1")}}, reads, storetest.NewClock(storetest.Start), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	app, err := api.New(deps, "")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, app: app, s: s, deps: deps}, reads
}

// An earning by the card's code checks the code on the member the earning
// reads, instead of reading the member first for it; the code is checked
// all the same.
func TestAnEarningByCodeChecksTheCodeOnTheMemberItReads(t *testing.T) {
	f, reads := newCountingFixture(t)
	deps := f.deps
	ada := f.enroll("ada@example.com")
	paris := f.staffKey("paris")
	earn := func(code, receipt string) response {
		return f.do("POST", "/v1/earnings", paris, fmt.Sprintf(`{"code":%q,"receiptId":%q,"amount":{"value":2000,"currency":"EUR"}}`, code, receipt))
	}

	before := reads.n.Load()
	first := earn(ada.str("code"), "R-1")
	f.expect(first, 201, "")
	if n := reads.n.Load() - before; n != 0 || first.num("balance") != 70 {
		t.Fatalf("an earning by code = %v, after %d reads of the member by id; want 70 points and none", first.body, n)
	}

	reissued := f.do("POST", "/v1/members/"+ada.str("id")+"/credentials", ada.str("token"), "", "Idempotency-Key", "lost-phone")
	f.expect(reissued, 200, "")
	f.expect(earn(ada.str("code"), "R-2"), 400, "invalid_code")
	f.expect(earn(deps.Codes.Mint("01JN"+strings.Repeat("0", 22), 0), "R-3"), 400, "invalid_code")
	if again := earn(ada.str("code"), "R-1"); again.status != 201 || again.num("balance") != 70 {
		t.Fatalf("the first receipt again, with the code it was earned with = %d %v; want the first answer", again.status, again.body)
	}
	if r := earn(reissued.str("code"), "R-4"); r.status != 201 || r.num("balance") != 70+r.num("points") {
		t.Fatalf("an earning with the new code = %d %v; want 70 points and its own: the refused ones earned nothing", r.status, r.body)
	}
}

// A redemption and a scan by the card's code read the member once, as the
// earning does: the code is checked on the member the redemption or the
// account shown reads. The code is checked all the same.
func TestARedemptionOrAScanByCodeReadsTheMemberOnce(t *testing.T) {
	f, reads := newCountingFixture(t)
	ada := f.enroll("ada@example.com") // 50 welcome points
	paris := f.staffKey("paris")
	f.expect(f.do("POST", "/v1/admin/rewards", adminKey, `{"id":"coffee","name":"Coffee","points":20}`), 201, "")
	redeem := func(code, key string) response {
		return f.do("POST", "/v1/redemptions", paris, fmt.Sprintf(`{"code":%q,"rewardId":"coffee"}`, code), "Idempotency-Key", key)
	}
	scan := func(code string) response {
		return f.do("POST", "/v1/scans", paris, fmt.Sprintf(`{"code":%q}`, code))
	}
	once := func(what string, send func() response) response {
		t.Helper()
		byID, accounts := reads.n.Load(), reads.accounts.Load()
		r := send()
		if n, a := reads.n.Load()-byID, reads.accounts.Load()-accounts; n != 0 || a != 1 {
			t.Fatalf("%s read the member %d times alone and %d with its lots; want 0 and 1", what, n, a)
		}
		return r
	}

	if r := once("a redemption by code", func() response { return redeem(ada.str("code"), "red-1") }); r.status != 201 || r.num("balance") != 30 {
		t.Fatalf("a redemption by code = %d %v; want 30 points left", r.status, r.body)
	}
	if r := once("a scan by code", func() response { return scan(ada.str("code")) }); r.status != 200 || r.body["member"].(map[string]any)["balance"] != 30.0 {
		t.Fatalf("a scan by code = %d %v; want the member with 30 points", r.status, r.body)
	}

	reissued := f.do("POST", "/v1/members/"+ada.str("id")+"/credentials", ada.str("token"), "", "Idempotency-Key", "lost-phone")
	f.expect(reissued, 200, "")
	f.expect(redeem(ada.str("code"), "red-2"), 400, "invalid_code")
	f.expect(scan(ada.str("code")), 400, "invalid_code")
	nobody := f.deps.Codes.Mint("01JN"+strings.Repeat("0", 22), 0)
	f.expect(redeem(nobody, "red-3"), 400, "invalid_code")
	f.expect(scan(nobody), 400, "invalid_code")
	if r := redeem(reissued.str("code"), "red-4"); r.status != 201 || r.num("balance") != 10 {
		t.Fatalf("a redemption with the new code = %d %v; want 10 points left: the refused ones spent nothing", r.status, r.body)
	}
}
