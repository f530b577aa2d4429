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

// memberReads counts the reads of a member by id.
type memberReads struct {
	store.Store
	n atomic.Int64
}

func (s *memberReads) Member(ctx context.Context, id string) (loyalty.Member, error) {
	s.n.Add(1)
	return s.Store.Member(ctx, id)
}

// An earning by the card's code checks the code on the member the earning
// reads, instead of reading the member first for it; the code is checked
// all the same.
func TestAnEarningByCodeChecksTheCodeOnTheMemberItReads(t *testing.T) {
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
	f := &fixture{t: t, app: app, s: s, deps: deps}
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
