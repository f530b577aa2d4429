package storetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// settingsTests check what the operator's console changes: the rules, one
// at a time, the rewards and the members' blocks.
var settingsTests = []struct {
	name string
	fn   func(*env)
}{
	{"a save of rules read at an older version is refused and changes nothing", testRulesStale},
	{"concurrent changes of different rules all land", testRulesConcurrent},
	{"referral switched off with every value zero reads back off", testReferralOffAllZero},
	{"a blocked member earns and redeems nothing, and unblocking gives everything back", testBlockedMember},
	{"a reward's tier, dates and retirement are kept and enforced at redemption", testRewardTerms},
	{"the exports page through every member and the ledger's days asked, each once", testExports},
}

func testRulesStale(e *env) {
	read, err := e.store.Rules(e.ctx)
	if err != nil || read.Version != 0 {
		e.t.Fatalf("rules of a new program: version %d, %v; want 0", read.Version, err)
	}
	first := read
	first.WelcomeBonus = 10
	if _, err := e.store.SaveRules(e.ctx, first); err != nil {
		e.t.Fatalf("first save: %v", err)
	}
	stale := read
	stale.BirthdayBonus = 7
	if _, err := e.store.SaveRules(e.ctx, stale); !errors.Is(err, loyalty.ErrVersionConflict) {
		e.t.Fatalf("a save from version 0 after another: err = %v, want ErrVersionConflict", err)
	}
	got, err := e.store.Rules(e.ctx)
	if err != nil || got.Version != 1 || got.WelcomeBonus != 10 || got.BirthdayBonus != loyalty.DefaultRules().BirthdayBonus {
		e.t.Fatalf("rules after a refused stale save = version %d welcome %d birthday %d, %v; want version 1, 10, the default", got.Version, got.WelcomeBonus, got.BirthdayBonus, err)
	}
}

// testRulesConcurrent has operators change a different rule each at once:
// with saves conditioned on the version read, every change lands.
func testRulesConcurrent(e *env) {
	const operators = 8
	var wg sync.WaitGroup
	errs := make([]error, operators)
	for i := range operators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.program.ChangeRules(e.ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
				switch i % 4 {
				case 0:
					r.WelcomeBonus += 1
				case 1:
					r.BirthdayBonus += 1
				case 2:
					r.ExpiryMonths += 1
				case 3:
					r.Terms.EN += fmt.Sprint(i)
				}
				return r, nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			e.t.Fatalf("operator %d: %v", i, err)
		}
	}
	d := loyalty.DefaultRules()
	got, err := e.store.Rules(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if got.Version != operators || got.WelcomeBonus != d.WelcomeBonus+2 || got.BirthdayBonus != d.BirthdayBonus+2 || got.ExpiryMonths != d.ExpiryMonths+2 || len(got.Terms.EN) != 2 {
		e.t.Fatalf("after %d concurrent changes: version %d, welcome %d, birthday %d, expiry %d, terms %q; want every change kept",
			operators, got.Version, got.WelcomeBonus, got.BirthdayBonus, got.ExpiryMonths, got.Terms.EN)
	}
}

// testReferralOffAllZero saves the referral terms at their zero, which a
// store that left them out would read back as the defaults: referral on.
func testReferralOffAllZero(e *env) {
	if _, err := e.program.ChangeRules(e.ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
		r.Referral = loyalty.ReferralRules{}
		return r, nil
	}); err != nil {
		e.t.Fatal(err)
	}
	got, err := e.store.Rules(e.ctx)
	if err != nil || got.Referral != (loyalty.ReferralRules{}) {
		e.t.Fatalf("referral read back as %+v, %v; want off with every value zero, as saved", got.Referral, err)
	}
}

func testBlockedMember(e *env) {
	m := e.enroll("blocked@example.com")
	e.earn(m.ID, "R-1", 10000)
	blocked, err := e.program.Block(e.ctx, loyalty.BlockRequest{MemberID: m.ID, Blocked: true, Note: "stolen card"})
	if err != nil || blocked.BlockedAt.IsZero() {
		e.t.Fatalf("block: %+v, %v", blocked, err)
	}
	if _, err := e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: 1000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R-2", Actor: Till}); !errors.Is(err, loyalty.ErrMemberBlocked) {
		e.t.Fatalf("an earning of a blocked member: err = %v, want ErrMemberBlocked", err)
	}
	if _, err := e.redeem(m.ID, 10, "r1"); !errors.Is(err, loyalty.ErrMemberBlocked) {
		e.t.Fatalf("a redemption of a blocked member: err = %v, want ErrMemberBlocked", err)
	}
	if again, err := e.program.Block(e.ctx, loyalty.BlockRequest{MemberID: m.ID, Blocked: true}); err != nil || !again.BlockedAt.Equal(blocked.BlockedAt) || again.Version != blocked.Version {
		e.t.Fatalf("blocking again: %+v, %v; want the member as the first block left them", again, err)
	}
	acct := e.account(m.ID)
	if acct.Member.Balance != 150 || acct.Member.BlockNote != "stolen card" {
		e.t.Fatalf("a blocked member's account: balance %d, note %q", acct.Member.Balance, acct.Member.BlockNote)
	}
	if _, err := e.program.Block(e.ctx, loyalty.BlockRequest{MemberID: m.ID}); err != nil {
		e.t.Fatal(err)
	}
	if r, err := e.redeem(m.ID, 10, "r1"); err != nil || r.Balance != 140 {
		e.t.Fatalf("a redemption after unblocking: %+v, %v", r, err)
	}
}

func testRewardTerms(e *env) {
	m := e.enroll("terms@example.com")
	e.earn(m.ID, "R-1", 10000)
	from, until := Start.Add(time.Hour), Start.Add(48*time.Hour)
	lounge := loyalty.Reward{ID: "lounge", Name: "Lounge", NameFR: "Salon", Points: 10, MinTier: loyalty.Gold, UpdatedAt: Start}
	cake := loyalty.Reward{ID: "cake", Name: "Cake", NameFR: "Gâteau", Points: 10, From: from, Until: until, UpdatedAt: Start}
	for _, r := range []loyalty.Reward{lounge, cake} {
		if err := e.store.SaveReward(e.ctx, r); err != nil {
			e.t.Fatal(err)
		}
	}
	if got, err := e.store.Reward(e.ctx, "cake"); err != nil || !got.From.Equal(from) || !got.Until.Equal(until) || got.NameFR != "Gâteau" {
		e.t.Fatalf("cake read back: %+v, %v", got, err)
	}
	redeem := func(id, key string) error {
		_, err := e.program.Redeem(e.ctx, loyalty.RedeemRequest{MemberID: m.ID, RewardID: id, StoreID: "paris", Actor: Till, Key: loyalty.IdemKey{Scope: "redeem", Key: key}})
		return err
	}
	if err := redeem("lounge", "k1"); !errors.Is(err, loyalty.ErrTierTooLow) {
		e.t.Fatalf("a bronze member redeems a gold reward: err = %v", err)
	}
	if err := redeem("cake", "k2"); !errors.Is(err, loyalty.ErrRewardUnavailable) {
		e.t.Fatalf("a reward before its day: err = %v", err)
	}
	e.clock.Set(from)
	if err := redeem("cake", "k3"); err != nil {
		e.t.Fatalf("a reward from its first instant: %v", err)
	}
	e.clock.Set(until)
	if err := redeem("cake", "k4"); !errors.Is(err, loyalty.ErrRewardUnavailable) {
		e.t.Fatalf("a reward at its until: err = %v", err)
	}
	cake.ArchivedAt, cake.Until = until, time.Time{}
	if err := e.store.SaveReward(e.ctx, cake); err != nil {
		e.t.Fatal(err)
	}
	if err := redeem("cake", "k5"); !errors.Is(err, loyalty.ErrRewardUnavailable) {
		e.t.Fatalf("a retired reward: err = %v", err)
	}
	if err := redeem("cake", "k3"); err != nil {
		e.t.Fatalf("a redemption replayed after its reward was retired: %v", err)
	}
	if acct := e.account(m.ID); acct.Member.Balance != 140 {
		e.t.Fatalf("balance %d after one cake, want 140", acct.Member.Balance)
	}
}

func testExports(e *env) {
	const members = 7
	want := map[string]bool{}
	for i := range members {
		m := e.enroll(fmt.Sprintf("export%d@example.com", i))
		want[m.ID] = true
		e.clock.Set(Start.AddDate(0, 0, 1))
		e.earn(m.ID, fmt.Sprint("R-", i), 1000)
		e.clock.Set(Start)
	}
	// Items of other kinds are read and left out.
	if err := e.store.SaveReward(e.ctx, loyalty.Reward{ID: "coffee", Name: "Coffee", Points: 10, UpdatedAt: Start}); err != nil {
		e.t.Fatal(err)
	}
	got := map[string]int{}
	pages := 0
	for cursor := ""; ; pages++ {
		page, next, err := e.store.ExportMembers(e.ctx, cursor, 3)
		if err != nil {
			e.t.Fatalf("export members after %q: %v", cursor, err)
		}
		if len(page) > 3 {
			e.t.Fatalf("a page of %d members, asked for 3 at most", len(page))
		}
		for _, m := range page {
			got[m.ID]++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(got) != members || pages < 2 {
		e.t.Fatalf("the export listed %d members in %d pages, want %d in several", len(got), pages+1, members)
	}
	for id, n := range got {
		if !want[id] || n != 1 {
			e.t.Fatalf("member %s listed %d times", id, n)
		}
	}

	ledger := func(from, to loyalty.Date) map[loyalty.Kind]int {
		kinds := map[loyalty.Kind]int{}
		for cursor := ""; ; {
			page, next, err := e.store.ExportLedger(e.ctx, from, to, cursor, 4)
			if err != nil {
				e.t.Fatalf("export ledger after %q: %v", cursor, err)
			}
			for _, en := range page {
				kinds[en.Kind]++
			}
			if next == "" {
				return kinds
			}
			cursor = next
		}
	}
	today, tomorrow := loyalty.DateOf(Start), loyalty.DateOf(Start.AddDate(0, 0, 1))
	if k := ledger(today, today); k[loyalty.KindWelcome] != members || k[loyalty.KindEarn] != 0 {
		e.t.Fatalf("the ledger of the first day = %v, want %d welcomes only", k, members)
	}
	if k := ledger(tomorrow, tomorrow); k[loyalty.KindWelcome] != 0 || k[loyalty.KindEarn] != members {
		e.t.Fatalf("the ledger of the second day = %v, want %d earnings only", k, members)
	}
	if k := ledger(today, tomorrow); k[loyalty.KindWelcome]+k[loyalty.KindEarn] != 2*members {
		e.t.Fatalf("the ledger of both days = %v", k)
	}
	if _, _, err := e.store.ExportMembers(e.ctx, "not a cursor!", 3); !errors.Is(err, loyalty.ErrInvalid) {
		e.t.Fatalf("a made-up cursor: err = %v, want ErrInvalid", err)
	}
}
