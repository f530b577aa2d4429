// Package storetest is the conformance suite of store.Store: one battery of
// behaviour checks that every implementation runs, in the manner of
// testing/fstest.TestFS.
package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Clock is a settable loyalty.Clock for tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t.UTC()} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// Start is the instant every suite test begins at.
var Start = time.Date(2026, time.November, 23, 10, 0, 0, 0, time.UTC)

type env struct {
	t       *testing.T
	store   store.Store
	program *loyalty.Program
	clock   *Clock
	ctx     context.Context
}

// Run runs the suite; open returns a new, empty store for each test. The
// tests run in parallel (t.Parallel), as many at a time as -test.parallel
// allows: nothing is shared between two stores open returned.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*env)
	}{
		{"enrollment credits the welcome bonus into a lot", testEnroll},
		{"an email enrolls once, in any case", testEmailUnique},
		{"concurrent enrollments of one email make one member", testEmailRace},
		{"duplicates of an enrollment racing the first all get its token", testEnrollDuplicates},
		{"earning credits points, counts them for the tier and upgrades", testEarn},
		{"the same receipt earns once and a changed one is refused", testEarnReplay},
		{"a redemption beyond the balance is refused and changes nothing", testRedeemBeyondBalance},
		{"spending consumes the soonest-expiring lots first", testSoonestFirst},
		{"a reversal takes back what is left and records the shortfall", testReversal},
		{"a reversal undoes the upgrade its earning bought", testReversalTier},
		{"an idempotent replay returns the first answer", testReplay},
		{"a key reused with another request is refused", testConflictingReplay},
		{"a redemption replayed after its reward is repriced gets the first answer", testRedeemRepriced},
		{"an expired key can be used again", testExpiredKey},
		{"the ledger pages newest first", testLedgerPaging},
		{"rules are saved and read back", testRules},
		{"an instance reads the rules once per RulesMaxAge and takes a save elsewhere within it", testRulesCached},
		{"under the most generous rules an account fills up to its limit and no further", testPointsLimit},
		{"the operator's logo is saved and read back", testLogo},
		{"rewards are saved, replaced and listed cheapest first", testRewards},
		{"concurrent earns and redemptions keep balance equal to the ledger", testConcurrency},
	}
	for _, tc := range slices.Concat(tests, scheduledTests, donationTests, credentialTests, statsTests, settingsTests, peopleTests, searchTests, reversalTests, webhookTests, sessionTests, campaignTests, refreshTests, segmentTests, referralTests, promotionTests, profileTests, autoMessageTests) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			clock := NewClock(Start)
			tc.fn(&env{t: t, store: s, program: loyalty.NewProgram(s, clock, nil), clock: clock, ctx: context.Background()})
		})
	}
}

func (e *env) enroll(email string) loyalty.Member {
	e.t.Helper()
	en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Ada Lovelace", Email: email}})
	if err != nil {
		e.t.Fatalf("enroll %s: %v", email, err)
	}
	return en.Member
}

func (e *env) earn(memberID, receipt string, cents int64) loyalty.Receipt {
	e.t.Helper()
	r, err := e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: memberID, Amount: loyalty.Money{Value: cents, Currency: "EUR"}, StoreID: "paris", ReceiptID: receipt, Actor: Till, Confirmed: true})
	if err != nil {
		e.t.Fatalf("earn %d cents on %s: %v", cents, receipt, err)
	}
	return r
}

// redeem spends points on a reward priced at them, reward-<points>.
func (e *env) redeem(memberID string, points int64, key string) (loyalty.Receipt, error) {
	id := fmt.Sprint("reward-", points)
	if err := e.store.SaveReward(e.ctx, loyalty.Reward{ID: id, Name: id, Points: points, UpdatedAt: Start}); err != nil {
		return loyalty.Receipt{}, err
	}
	return e.program.Redeem(e.ctx, loyalty.RedeemRequest{MemberID: memberID, RewardID: id, StoreID: "paris", Actor: Till, Key: loyalty.IdemKey{Scope: "redeem", Key: key}})
}

// account reads the account and checks the invariants that always hold.
func (e *env) account(id string) loyalty.Account {
	e.t.Helper()
	acct, err := e.store.LoadAccount(e.ctx, id)
	if err != nil {
		e.t.Fatalf("load account %s: %v", id, err)
	}
	var lots int64
	for i, l := range acct.Lots {
		lots += l.Remaining
		if l.Remaining <= 0 {
			e.t.Errorf("lot %s holds %d points; empty lots must be gone", l.ExpiresOn, l.Remaining)
		}
		if i > 0 && !acct.Lots[i-1].ExpiresOn.Before(l.ExpiresOn) {
			e.t.Errorf("lots are not in expiry order: %s then %s", acct.Lots[i-1].ExpiresOn, l.ExpiresOn)
		}
	}
	if lots != acct.Member.Balance {
		e.t.Errorf("lots hold %d points but the balance is %d", lots, acct.Member.Balance)
	}
	return acct
}

// ledger reads the whole ledger oldest first and checks that it chains: each
// entry's balance is the one before plus its points, never below zero.
func (e *env) ledger(id string) []loyalty.LedgerEntry {
	e.t.Helper()
	var all []loyalty.LedgerEntry
	before := int64(0)
	for {
		page, err := e.store.Ledger(e.ctx, id, before, 100)
		if err != nil {
			e.t.Fatalf("ledger: %v", err)
		}
		if len(page) == 0 {
			break
		}
		all = append(page[:len(page):len(page)], all...)
		before = page[len(page)-1].Seq
	}
	// pages came newest first; put the whole in seq order
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	var balance int64
	for i, en := range all {
		if en.Seq != int64(i+1) {
			e.t.Fatalf("entry %d has seq %d", i+1, en.Seq)
		}
		balance += en.Points
		if en.BalanceAfter != balance || balance < 0 {
			e.t.Fatalf("entry %d: balanceAfter %d, ledger sum %d", en.Seq, en.BalanceAfter, balance)
		}
	}
	return all
}

func testEnroll(e *env) {
	m := e.enroll("ada@example.com")
	acct := e.account(m.ID)
	if acct.Member.Balance != 50 || acct.Member.Tier != loyalty.Bronze {
		e.t.Fatalf("new member has balance %d tier %s, want 50 bronze", acct.Member.Balance, acct.Member.Tier)
	}
	want := loyalty.Date{Year: 2027, Month: time.November, Day: 30}
	if len(acct.Lots) != 1 || acct.Lots[0].ExpiresOn != want {
		e.t.Fatalf("lots = %+v, want one expiring %s", acct.Lots, want)
	}
	entries := e.ledger(m.ID)
	if len(entries) != 1 || entries[0].Kind != loyalty.KindWelcome {
		e.t.Fatalf("ledger = %+v, want one welcome entry", entries)
	}
	got, err := e.store.Member(e.ctx, m.ID)
	if err != nil || got.Email != "ada@example.com" || got.TokenHash == "" || got.Version != 1 {
		e.t.Fatalf("Member() = %+v, %v", got, err)
	}
	if _, err := e.store.Member(e.ctx, "01NOSUCHMEMBER"); !errors.Is(err, loyalty.ErrMemberNotFound) {
		e.t.Fatalf("unknown member: err = %v, want ErrMemberNotFound", err)
	}
}

func testEmailUnique(e *env) {
	e.enroll("Grace@Example.com")
	_, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Other", Email: " grace@example.COM "}})
	if !errors.Is(err, loyalty.ErrEmailTaken) {
		e.t.Fatalf("second enrollment: err = %v, want ErrEmailTaken", err)
	}
}

func testEmailRace(e *env) {
	const n = 8
	var wg sync.WaitGroup
	var won, taken atomic.Int32
	for i := range n {
		wg.Go(func() {
			_, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: fmt.Sprint("racer ", i), Email: "race@example.com"}})
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, loyalty.ErrEmailTaken):
				taken.Add(1)
			default:
				e.t.Errorf("enroll: %v", err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || taken.Load() != n-1 {
		e.t.Fatalf("%d enrollments won and %d were refused, want 1 and %d", won.Load(), taken.Load(), n-1)
	}
}

// testEnrollDuplicates sends one enrollment, with one Idempotency-Key, many
// times at once. A duplicate that lost the race fails on the email claim as
// well as on the key; whichever condition the store names first, the
// duplicate must get the first answer back, token included, never
// ErrEmailTaken.
func testEnrollDuplicates(e *env) {
	req := loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Twin", Email: "twin@example.com"}, Key: loyalty.IdemKey{Scope: "enroll", Key: "tap-1"}}
	var first loyalty.Enrollment
	var firstErr error
	// The duplicate reads no record, then the first request commits, then
	// the duplicate commits: a race lost, every time.
	book := &beforeCommit{Store: e.store, fn: func() { first, firstErr = e.program.Enroll(e.ctx, req) }}
	late, err := loyalty.NewProgram(book, e.clock, nil).Enroll(e.ctx, req)
	if firstErr != nil || err != nil || !late.Replayed || late.Token != first.Token || late.Member.ID != first.Member.ID {
		e.t.Fatalf("duplicate that lost the race: %+v, %v (first %v); want the first answer, token %q", late, err, firstErr, first.Token)
	}

	const n = 10
	req.Profile.Email, req.Key.Key = "crowd@example.com", "tap-2"
	answers := make([]loyalty.Enrollment, n)
	parallel(e, n, n, func(i int) error {
		var err error
		answers[i], err = e.program.Enroll(e.ctx, req)
		return err
	})
	created := 0
	for _, a := range answers {
		if a.Token != answers[0].Token || a.Member.ID != answers[0].Member.ID {
			e.t.Fatalf("%d identical enrollments answered tokens %q and %q; want one", n, answers[0].Token, a.Token)
		}
		if !a.Replayed {
			created++
		}
	}
	if created != 1 {
		e.t.Fatalf("%d of %d identical enrollments created a member, want 1", created, n)
	}
}

// beforeCommit runs fn once, before the first commit it passes on.
type beforeCommit struct {
	store.Store
	once sync.Once
	fn   func()
}

func (b *beforeCommit) Commit(ctx context.Context, p loyalty.Posting) error {
	b.once.Do(b.fn)
	return b.Store.Commit(ctx, p)
}

func testEarn(e *env) {
	m := e.enroll("earn@example.com")
	r := e.earn(m.ID, "R1", 1250)
	if r.Entry.Points != 12 || r.Balance != 62 || r.Entry.Qualifying != 12 {
		e.t.Fatalf("12.50 EUR earned %+v, want 12 points and balance 62", r)
	}
	r = e.earn(m.ID, "R2", 49_000)
	if r.Tier != loyalty.Silver || r.PreviousTier != loyalty.Bronze {
		e.t.Fatalf("502 qualifying points: tier %s (from %s), want silver from bronze", r.Tier, r.PreviousTier)
	}
	r = e.earn(m.ID, "R3", 1000) // 10 units at Silver's 125%
	if r.Entry.Points != 12 {
		e.t.Fatalf("10 EUR at silver earned %d, want 12", r.Entry.Points)
	}
	if got := e.account(m.ID).Member; got.QualifyingPoints(loyalty.DateOf(Start)) != 514 || got.Tier != loyalty.Silver {
		e.t.Fatalf("member after earning: qualifying %d tier %s", got.QualifyingPoints(loyalty.DateOf(Start)), got.Tier)
	}
	e.ledger(m.ID)
}

func testEarnReplay(e *env) {
	m := e.enroll("receipt@example.com")
	first := e.earn(m.ID, "R-77", 2000)
	again := e.earn(m.ID, "R-77", 2000)
	if !again.Replayed || again.Entry.ID != first.Entry.ID || again.Balance != first.Balance {
		e.t.Fatalf("replayed earn = %+v, want the first answer %+v", again, first)
	}
	_, err := e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: 9000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R-77", Actor: Till})
	if !errors.Is(err, loyalty.ErrIdempotencyMismatch) {
		e.t.Fatalf("same receipt, other amount: err = %v, want ErrIdempotencyMismatch", err)
	}
	if n := len(e.ledger(m.ID)); n != 2 {
		e.t.Fatalf("ledger has %d entries, want welcome + one earning", n)
	}
}

func testRedeemBeyondBalance(e *env) {
	m := e.enroll("poor@example.com")
	before := e.account(m.ID)
	if _, err := e.redeem(m.ID, 51, "k1"); !errors.Is(err, loyalty.ErrInsufficientPoints) {
		e.t.Fatalf("redeem 51 of 50: err = %v, want ErrInsufficientPoints", err)
	}
	after := e.account(m.ID)
	if after.Member.Version != before.Member.Version || after.Member.Balance != 50 || len(e.ledger(m.ID)) != 1 {
		e.t.Fatalf("a refused redemption changed the account: %+v", after.Member)
	}
	if r, err := e.redeem(m.ID, 50, "k1"); err != nil || r.Balance != 0 {
		e.t.Fatalf("redeem all 50 with the key of the refused try: %+v, %v", r, err)
	}
	if got := e.account(m.ID); len(got.Lots) != 0 {
		e.t.Fatalf("spent lots are still there: %+v", got.Lots)
	}
}

func testSoonestFirst(e *env) {
	m := e.enroll("lots@example.com") // 50 expiring 2027-11-30
	e.clock.Set(Start.AddDate(0, 1, 0))
	e.earn(m.ID, "dec", 10_000) // 100 expiring 2027-12-31
	e.clock.Set(Start.AddDate(0, 2, 0))
	e.earn(m.ID, "jan", 10_000) // 100 expiring 2028-01-31
	if _, err := e.redeem(m.ID, 120, "spend"); err != nil {
		e.t.Fatal(err)
	}
	lots := e.account(m.ID).Lots
	want := []loyalty.Lot{
		{ExpiresOn: loyalty.Date{Year: 2027, Month: time.December, Day: 31}, Remaining: 30},
		{ExpiresOn: loyalty.Date{Year: 2028, Month: time.January, Day: 31}, Remaining: 100},
	}
	if fmt.Sprint(lots) != fmt.Sprint(want) {
		e.t.Fatalf("lots after spending 120 = %v, want %v", lots, want)
	}
}

func testReversal(e *env) {
	m := e.enroll("refund@example.com")
	earned := e.earn(m.ID, "big", 10_000) // 100 points, balance 150
	if _, err := e.redeem(m.ID, 120, "spend"); err != nil {
		e.t.Fatal(err)
	}
	rev, err := e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: earned.Entry.TxID(), StoreID: "paris", Actor: Till})
	if err != nil {
		e.t.Fatal(err)
	}
	if rev.Entry.Points != -30 || rev.Entry.Shortfall != 70 || rev.Balance != 0 || rev.Entry.Qualifying != -100 {
		e.t.Fatalf("reversal of 100 with 30 left = %+v, want -30, shortfall 70, balance 0", rev.Entry)
	}
	if q := e.account(m.ID).Member.QualifyingPoints(loyalty.DateOf(Start)); q != 0 {
		e.t.Fatalf("qualifying after reversal = %d, want 0", q)
	}
	_, err = e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: earned.Entry.TxID(), Actor: Owner, Key: loyalty.IdemKey{Scope: "reversal", Key: "other"}})
	if !errors.Is(err, loyalty.ErrAlreadyReversed) {
		e.t.Fatalf("second reversal: err = %v, want ErrAlreadyReversed", err)
	}
	_, err = e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: loyalty.TxID{MemberID: m.ID, Seq: 1}, Actor: Owner})
	if !errors.Is(err, loyalty.ErrNotReversible) {
		e.t.Fatalf("reversing the welcome bonus: err = %v, want ErrNotReversible", err)
	}
	_, err = e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: loyalty.TxID{MemberID: m.ID, Seq: 99}, Actor: Owner})
	if !errors.Is(err, loyalty.ErrEntryNotFound) {
		e.t.Fatalf("reversing an unknown entry: err = %v, want ErrEntryNotFound", err)
	}
	e.ledger(m.ID)
}

func testReversalTier(e *env) {
	m := e.enroll("tier@example.com")
	e.earn(m.ID, "small", 10_000)
	big := e.earn(m.ID, "big", 50_000)
	if big.Tier != loyalty.Silver {
		e.t.Fatalf("600 qualifying points gave %s", big.Tier)
	}
	if up := e.account(m.ID).Member; up.PreviousTier != loyalty.Bronze {
		e.t.Fatalf("after the rise to silver the member's previous tier is %q, want bronze", up.PreviousTier)
	}
	_, err := e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: big.Entry.TxID(), StoreID: "lyon", Actor: Till})
	if !errors.Is(err, loyalty.ErrWrongStore) {
		e.t.Fatalf("reversal from another store: err = %v, want ErrWrongStore", err)
	}
	rev, err := e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: big.Entry.TxID(), StoreID: "paris", Actor: Till})
	if err != nil || rev.Tier != loyalty.Bronze || rev.Balance != 150 {
		e.t.Fatalf("reversal of the upgrading earning = %+v, %v; want bronze and 150", rev, err)
	}
	if after := e.account(m.ID).Member; after.PreviousTier != loyalty.Silver {
		e.t.Fatalf("after the fall to bronze the member's previous tier is %q, want silver (the card says it fell)", after.PreviousTier)
	}
}

func testReplay(e *env) {
	m := e.enroll("replay@example.com")
	first, err := e.redeem(m.ID, 20, "idem-1")
	if err != nil {
		e.t.Fatal(err)
	}
	again, err := e.redeem(m.ID, 20, "idem-1")
	if err != nil || !again.Replayed || again.Entry.ID != first.Entry.ID || again.Balance != 30 {
		e.t.Fatalf("replay = %+v, %v; want the first answer", again, err)
	}
	if b := e.account(m.ID).Member.Balance; b != 30 {
		e.t.Fatalf("balance after a replay = %d, want 30", b)
	}
	key := loyalty.IdemKey{Scope: "enroll", Key: "web-1"}
	req := loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Web", Email: "web@example.com"}, Key: key}
	en1, err1 := e.program.Enroll(e.ctx, req)
	en2, err2 := e.program.Enroll(e.ctx, req)
	if err1 != nil || err2 != nil || !en2.Replayed || en2.Token != en1.Token || en2.Member.ID != en1.Member.ID {
		e.t.Fatalf("enrollment replay: %v %v, replayed=%v; the same member and token must come back", err1, err2, en2.Replayed)
	}
}

func testConflictingReplay(e *env) {
	m := e.enroll("conflict@example.com")
	if _, err := e.redeem(m.ID, 20, "idem-2"); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.redeem(m.ID, 25, "idem-2"); !errors.Is(err, loyalty.ErrIdempotencyMismatch) {
		e.t.Fatalf("same key, other points: err = %v, want ErrIdempotencyMismatch", err)
	}
	if b := e.account(m.ID).Member.Balance; b != 30 {
		e.t.Fatalf("balance = %d, want 30", b)
	}
}

func testRedeemRepriced(e *env) {
	m := e.enroll("till@example.com")
	e.earn(m.ID, "r1", 20_000) // 250 points
	coffee := loyalty.Reward{ID: "coffee", Name: "Coffee", Points: 100, UpdatedAt: Start}
	if err := e.store.SaveReward(e.ctx, coffee); err != nil {
		e.t.Fatal(err)
	}
	req := loyalty.RedeemRequest{MemberID: m.ID, RewardID: "coffee", StoreID: "paris", Actor: Till, Key: loyalty.IdemKey{Scope: "redeem/paris", Key: "K"}}
	first, err := e.program.Redeem(e.ctx, req)
	if err != nil || first.Entry.Points != -100 || first.Balance != 150 {
		e.t.Fatalf("redemption = %+v, %v; want 100 points spent", first, err)
	}
	coffee.Points = 120
	if err := e.store.SaveReward(e.ctx, coffee); err != nil {
		e.t.Fatal(err)
	}
	again, err := e.program.Redeem(e.ctx, req)
	if err != nil || !again.Replayed || again.Entry.ID != first.Entry.ID || again.Entry.Points != -100 || again.Balance != 150 {
		e.t.Fatalf("the same redemption after the reward went to 120 points = %+v, %v; want the first answer", again, err)
	}
	req.RewardID = "tea"
	if _, err := e.program.Redeem(e.ctx, req); !errors.Is(err, loyalty.ErrIdempotencyMismatch) {
		e.t.Fatalf("the key with another reward: err = %v, want ErrIdempotencyMismatch", err)
	}
	if b := e.account(m.ID).Member.Balance; b != 150 {
		e.t.Fatalf("balance = %d, want 150: one redemption", b)
	}
}

func testExpiredKey(e *env) {
	m := e.enroll("expired@example.com")
	if _, err := e.redeem(m.ID, 10, "old"); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Set(Start.Add(loyalty.IdempotencyTTL + time.Hour))
	r, err := e.redeem(m.ID, 15, "old")
	if err != nil || r.Replayed || r.Balance != 25 {
		e.t.Fatalf("reuse of an expired key = %+v, %v; want a new redemption", r, err)
	}
}

func testLedgerPaging(e *env) {
	m := e.enroll("pages@example.com")
	for i := range 11 {
		e.earn(m.ID, fmt.Sprint("p", i), 100)
	}
	page1, err := e.store.Ledger(e.ctx, m.ID, 0, 5)
	if err != nil || len(page1) != 5 || page1[0].Seq != 12 || page1[4].Seq != 8 {
		e.t.Fatalf("first page = %d entries from %v, want seq 12..8", len(page1), seqs(page1))
	}
	page3, err := e.store.Ledger(e.ctx, m.ID, 3, 5)
	if err != nil || fmt.Sprint(seqs(page3)) != "[2 1]" {
		e.t.Fatalf("last page = %v, want [2 1]", seqs(page3))
	}
	if all := e.ledger(m.ID); len(all) != 12 {
		e.t.Fatalf("whole ledger has %d entries, want 12", len(all))
	}
}

func seqs(es []loyalty.LedgerEntry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func testRules(e *env) {
	got, err := e.store.Rules(e.ctx)
	if err != nil || fmt.Sprint(got) != fmt.Sprint(loyalty.DefaultRules()) {
		e.t.Fatalf("rules of a new program = %+v, %v; want the defaults", got, err)
	}
	rules := loyalty.DefaultRules()
	rules.WelcomeBonus = 75
	for want := int64(1); want <= 2; want++ {
		version, err := e.store.SaveRules(e.ctx, rules)
		if err != nil || version != want {
			e.t.Fatalf("save %d of the rules: version %d, %v; want version %d", want, version, err, want)
		}
		rules.Version = version // the next save replaces these
	}
	if got, err := e.store.Rules(e.ctx); err != nil || got.Version != 2 || got.WelcomeBonus != 75 {
		e.t.Fatalf("rules saved twice read back as %+v, %v; want version 2 and a welcome bonus of 75", got, err)
	}
	if m := e.enroll("rules@example.com"); m.Balance != 75 {
		e.t.Fatalf("welcome bonus after the operator raised it = %d, want 75", m.Balance)
	}
}

// testRulesCached earns through two instances of the program on one store,
// a till's and an operator's: the till reads the rules item once per
// RulesMaxAge however many it earns, keeps the old rate until then after the
// operator saves new rules, and takes a save of its own at once.
func testRulesCached(e *env) {
	m := e.enroll("cached@example.com")
	book := &rulesReads{Store: e.store}
	till := loyalty.NewProgram(book, e.clock, nil)
	operator := loyalty.NewProgram(e.store, e.clock, nil)
	n := 0
	earn := func() int64 {
		e.t.Helper()
		n++
		r, err := till.Earn(e.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: 100, Currency: "EUR"}, StoreID: "paris", ReceiptID: fmt.Sprint("R", n), Actor: Till})
		if err != nil {
			e.t.Fatalf("earning %d: %v", n, err)
		}
		return r.Entry.Points
	}
	check := func(when string, points, reads int64) {
		e.t.Helper()
		if got := earn(); got != points || book.reads.Load() != reads {
			e.t.Fatalf("%s: 1 EUR earned %d points after %d reads of the rules; want %d points, %d reads", when, got, book.reads.Load(), points, reads)
		}
	}
	for range 50 {
		check("50 earnings", 1, 1)
	}
	rules := loyalty.DefaultRules()
	rules.PointsPerUnit = 3
	if _, err := operator.SaveRules(e.ctx, rules); err != nil {
		e.t.Fatal(err)
	}
	check("right after the operator's save", 1, 1)
	e.clock.Set(Start.Add(loyalty.RulesMaxAge - time.Millisecond))
	check("just within RulesMaxAge", 1, 1)
	e.clock.Set(Start.Add(loyalty.RulesMaxAge))
	check("at RulesMaxAge", 3, 2)
	rules.PointsPerUnit = 2
	if _, err := till.SaveRules(e.ctx, rules); err != nil {
		e.t.Fatal(err)
	}
	// A save reads the rules it replaces (its condition is their version).
	check("right after the till's own save", 2, 3)
}

// rulesReads counts the reads of the rules item.
type rulesReads struct {
	store.Store
	reads atomic.Int64
}

func (r *rulesReads) Rules(ctx context.Context) (loyalty.Rules, error) {
	r.reads.Add(1)
	return r.Store.Rules(ctx)
}

// testPointsLimit earns with the most generous rules Validate allows, a JPY
// program at 1000%, until the account holds loyalty.MaxPoints: every credit
// past it is refused with ErrPointsLimit and changes nothing, so no balance,
// lot or qualifying total ever overflows.
func testPointsLimit(e *env) {
	rules := loyalty.DefaultRules()
	rules.Currency, rules.PointsPerUnit, rules.WelcomeBonus = "JPY", 1, 0
	rules.MaxPerReceipt = loyalty.Money{Value: loyalty.MaxAmount, Currency: "JPY"}
	for _, t := range loyalty.Tiers {
		rules.MultiplierPercent[t] = 1000
	}
	if err := rules.Validate(); err != nil {
		e.t.Fatalf("the most generous rules are refused: %v", err)
	}
	if _, err := e.program.SaveRules(e.ctx, rules); err != nil {
		e.t.Fatal(err)
	}
	m := e.enroll("whale@example.com")
	earn := func(receipt string, yen int64) (loyalty.Receipt, error) {
		return e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: m.ID, Amount: loyalty.Money{Value: yen, Currency: "JPY"}, StoreID: "tokyo", ReceiptID: receipt, Actor: Till, Confirmed: true})
	}
	adjust := func(key string, points int64) (loyalty.Receipt, error) {
		return e.program.Adjust(e.ctx, loyalty.AdjustRequest{MemberID: m.ID, Points: points, Note: "limit", Actor: Owner, Key: loyalty.IdemKey{Scope: "adjust", Key: key}})
	}
	if r, err := earn("max", loyalty.MaxAmount); err != nil || r.Balance != loyalty.MaxPoints {
		e.t.Fatalf("the largest purchase = %+v, %v; want a balance of MaxPoints", r, err)
	}
	if _, err := earn("one-more", 100); !errors.Is(err, loyalty.ErrPointsLimit) {
		e.t.Fatalf("an earning past the limit: err = %v, want ErrPointsLimit", err)
	}
	if _, err := adjust("a1", 1); !errors.Is(err, loyalty.ErrPointsLimit) {
		e.t.Fatalf("an adjustment past the limit: err = %v, want ErrPointsLimit", err)
	}
	// Spent down, the balance has room; the qualifying total has none.
	if _, err := adjust("a2", -1_000_000_000); err != nil {
		e.t.Fatal(err)
	}
	if _, err := earn("after-spending", 100); !errors.Is(err, loyalty.ErrPointsLimit) {
		e.t.Fatalf("an earning past the qualifying limit: err = %v, want ErrPointsLimit", err)
	}
	if r, err := adjust("a3", 1_000_000_000); err != nil || r.Balance != loyalty.MaxPoints {
		e.t.Fatalf("an adjustment back to the limit = %+v, %v", r, err)
	}
	acct := e.account(m.ID)
	if n := len(e.ledger(m.ID)); n != 3 || acct.Member.QualifyingPoints(loyalty.DateOf(Start)) != loyalty.MaxPoints {
		e.t.Fatalf("ledger of %d entries, qualifying %d; want the 3 changes made and MaxPoints", n, acct.Member.QualifyingPoints(loyalty.DateOf(Start)))
	}
}

// testConcurrency races earns and redemptions on one member. Commit's version
// condition must serialize them: the balance equals the ledger sum and no
// entry ever goes below zero.
func testConcurrency(e *env) {
	m := e.enroll("hot@example.com")
	const workers, each = 20, 5
	var wg sync.WaitGroup
	var earned, redeemed, refused atomic.Int64
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if (w+i)%2 == 0 {
					r := e.earn(m.ID, fmt.Sprintf("w%d-%d", w, i), 1000)
					earned.Add(r.Entry.Points)
					continue
				}
				_, err := e.redeem(m.ID, 15, fmt.Sprintf("w%d-%d", w, i))
				switch {
				case err == nil:
					redeemed.Add(15)
				case errors.Is(err, loyalty.ErrInsufficientPoints):
					refused.Add(1)
				default:
					e.t.Errorf("redeem: %v", err)
				}
			}
		})
	}
	wg.Wait()
	acct := e.account(m.ID)
	entries := e.ledger(m.ID)
	want := 50 + earned.Load() - redeemed.Load()
	if acct.Member.Balance != want {
		e.t.Fatalf("balance %d, want 50 + %d earned - %d redeemed = %d", acct.Member.Balance, earned.Load(), redeemed.Load(), want)
	}
	if n := int64(len(entries)); n != 1+int64(workers*each)-refused.Load() {
		e.t.Fatalf("ledger has %d entries for %d operations (%d refused)", n, workers*each, refused.Load())
	}
}

func testRewards(e *env) {
	if _, err := e.store.Reward(e.ctx, "coffee"); !errors.Is(err, loyalty.ErrRewardNotFound) {
		e.t.Fatalf("unknown reward: err = %v", err)
	}
	for _, r := range []loyalty.Reward{{ID: "tote", Name: "Tote bag", Points: 400}, {ID: "coffee", Name: "Coffee", Points: 90}, {ID: "coffee", Name: "Coffee", Points: 100}} {
		if err := e.store.SaveReward(e.ctx, r); err != nil {
			e.t.Fatal(err)
		}
	}
	all, err := e.store.Rewards(e.ctx)
	if err != nil || fmt.Sprint(all) != fmt.Sprint([]loyalty.Reward{{ID: "coffee", Name: "Coffee", Points: 100}, {ID: "tote", Name: "Tote bag", Points: 400}}) {
		e.t.Fatalf("Rewards() = %v, %v", all, err)
	}
}

// SeqIDs is a deterministic loyalty.IDs: the same calls give the same ids and
// secrets, so recorded requests (events/) can be replayed.
type SeqIDs struct {
	mu sync.Mutex
	n  uint64
}

func (s *SeqIDs) next() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.n
}

func (s *SeqIDs) NewID(at time.Time) string {
	var id ulid.ULID
	id.SetTime(ulid.Timestamp(at))
	binary.BigEndian.PutUint64(id[8:], s.next())
	return id.String()
}

func (s *SeqIDs) Secret() string { return fmt.Sprintf("seq%029d", s.next()) }

func testLogo(e *env) {
	if png, err := e.store.Logo(e.ctx); err != nil || png != nil {
		e.t.Fatalf("logo of a new program = %d bytes, %v; want none", len(png), err)
	}
	if v, err := e.store.LogoVersion(e.ctx); err != nil || v != "" {
		e.t.Fatalf("logo version of a new program = %q, %v; want none", v, err)
	}
	logo := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 5000)...)
	if err := e.store.SaveLogo(e.ctx, logo); err != nil {
		e.t.Fatal(err)
	}
	if png, err := e.store.Logo(e.ctx); err != nil || !bytes.Equal(png, logo) {
		e.t.Fatalf("logo read back: %d bytes, %v", len(png), err)
	}
	if v, err := e.store.LogoVersion(e.ctx); err != nil || v != store.LogoVersion(logo) || v == "" {
		e.t.Fatalf("logo version = %q, %v; want %q", v, err, store.LogoVersion(logo))
	}
	other := append(bytes.Clone(logo), 1)
	if err := e.store.SaveLogo(e.ctx, other); err != nil {
		e.t.Fatal(err)
	}
	if v, err := e.store.LogoVersion(e.ctx); err != nil || v != store.LogoVersion(other) || v == store.LogoVersion(logo) {
		e.t.Fatalf("after a new logo the version is %q, %v; want %q", v, err, store.LogoVersion(other))
	}
}
