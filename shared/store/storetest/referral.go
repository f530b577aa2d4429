package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/fidelio/fidelio/shared/loyalty"
)

var referralTests = []struct {
	name string
	fn   func(*env)
}{
	{"a referral rewards both members once, on the first purchase of at least the minimum", testReferralRewardsBoth},
	{"an unknown referral code and a self-referral are refused, writing nothing", testReferralRefused},
	{"a referrer's bonuses stop at the month's cap and start again the next month", testReferralCap},
	{"a refund that leaves less than the minimum takes both bonuses back, once", testReferralTakenBack},
	{"concurrent earnings of the referred give the referrer at most the cap, and duplicates the first answer", testReferralRaces},
}

// enrollReferred enrolls email with the referral code of referrer.
func (e *env) enrollReferred(email string, referrer loyalty.Member) loyalty.Member {
	e.t.Helper()
	en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Grace Hopper", Email: email}, ReferralCode: referrer.ReferralCode()})
	if err != nil {
		e.t.Fatalf("enroll %s referred by %s: %v", email, referrer.ID, err)
	}
	return en.Member
}

// referralEntries are the member's referral entries' points, oldest first.
func (e *env) referralEntries(id string) []int64 {
	e.t.Helper()
	var out []int64
	for _, en := range e.ledger(id) {
		if en.Kind == loyalty.KindReferral {
			out = append(out, en.Points)
		}
	}
	return out
}

func (e *env) setReferral(cap int64) {
	e.t.Helper()
	_, err := e.program.ChangeRules(e.ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
		r.Referral = loyalty.ReferralRules{Enabled: true, ReferrerPoints: 100, NewMemberPoints: 50, MinPurchase: 1000, MonthlyCap: cap}
		return r, nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func testReferralRewardsBoth(e *env) {
	e.setReferral(10)
	referrer := e.enroll("ada@example.com")
	found, err := e.store.MembersByReferralCode(e.ctx, referrer.ReferralCode())
	if err != nil || len(found) != 1 || found[0].ID != referrer.ID {
		e.t.Fatalf("MembersByReferralCode(%s) = %v, %v; want the referrer", referrer.ReferralCode(), found, err)
	}
	newcomer := e.enrollReferred("grace@example.com", referrer)
	if ref := e.account(newcomer.ID).Member.Referral; ref == nil || ref.ReferrerID != referrer.ID || ref.Rewarded() {
		e.t.Fatalf("the newcomer's referral = %+v, want %s's, not rewarded", ref, referrer.ID)
	}

	e.earn(newcomer.ID, "R-small", 999) // under the 10.00 minimum
	if got := e.referralEntries(newcomer.ID); len(got) != 0 {
		e.t.Fatalf("a purchase under the minimum gave referral entries %v", got)
	}
	first := e.earn(newcomer.ID, "R-1", 2000)
	if first.Entry.Kind != loyalty.KindEarn || first.Entry.Points != 20 || first.Balance != 50+9+20+50 {
		e.t.Fatalf("the rewarding earning answered %+v (balance %d), want its earn entry and 129 points", first.Entry, first.Balance)
	}
	again, err := e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: newcomer.ID, Amount: loyalty.Money{Value: 2000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R-1", Actor: Till})
	if err != nil || !again.Replayed || again.Entry.ID != first.Entry.ID || again.Balance != first.Balance {
		e.t.Fatalf("the receipt again = %+v, %v; want the first answer", again, err)
	}
	e.earn(newcomer.ID, "R-2", 5000)

	if got := e.referralEntries(newcomer.ID); len(got) != 1 || got[0] != 50 {
		e.t.Fatalf("the newcomer's referral entries = %v, want one of 50", got)
	}
	if got := e.referralEntries(referrer.ID); len(got) != 1 || got[0] != 100 {
		e.t.Fatalf("the referrer's referral entries = %v, want one of 100", got)
	}
	if ref := e.account(newcomer.ID).Member.Referral; ref.Earning != first.Entry.Seq || ref.ReferrerPoints != 100 || ref.NewMemberPoints != 50 {
		e.t.Fatalf("the referral after its reward = %+v", ref)
	}
	if r := e.account(referrer.ID).Member; r.Balance != 150 || r.ReferralsInMonth != 1 {
		e.t.Fatalf("the referrer holds %d points and %d referrals this month, want 150 and 1", r.Balance, r.ReferralsInMonth)
	}
	e.wantReferrers(referrer.ID, 1)
	e.wantFiguresEqualLedger(referrer.ID, newcomer.ID)
}

func testReferralRefused(e *env) {
	e.setReferral(10)
	referrer := e.enroll("ada@example.com")
	code := referrer.ReferralCode()
	for name, tc := range map[string]struct {
		email, code string
		want        error
	}{
		"an unknown code":                           {"grace@example.com", "ZZZZZZZZZZ", loyalty.ErrUnknownReferralCode},
		"a code that cannot be one":                 {"grace@example.com", "not-a-code!", loyalty.ErrUnknownReferralCode},
		"the referrer's own email":                  {"Ada@Example.com ", referrer.ReferralCode(), loyalty.ErrSelfReferral},
		"the referrer's email with a +tag":          {"ada+again@example.com", referrer.ReferralCode(), loyalty.ErrSelfReferral},
		"the code typed in lower case, with a dash": {"ada@EXAMPLE.com", " " + strings.ToLower(code[:5]) + "-" + code[5:], loyalty.ErrSelfReferral},
	} {
		_, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Grace", Email: tc.email}, ReferralCode: tc.code})
		if !errors.Is(err, tc.want) {
			e.t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	for _, email := range []string{"grace@example.com", "ada+again@example.com"} {
		if _, err := e.store.MemberByEmail(e.ctx, email); !errors.Is(err, loyalty.ErrMemberNotFound) {
			e.t.Errorf("a refused enrollment left %s: %v", email, err)
		}
	}
}

func testReferralCap(e *env) {
	e.setReferral(2)
	referrer := e.enroll("ada@example.com")
	for i := range 3 {
		n := e.enrollReferred(fmt.Sprintf("friend%d@example.com", i), referrer)
		e.earn(n.ID, fmt.Sprint("R-", i), 1000)
		if got := e.referralEntries(n.ID); len(got) != 1 || got[0] != 50 {
			e.t.Fatalf("friend %d's referral entries = %v, want one of 50 whatever the cap", i, got)
		}
		if i == 2 {
			if ref := e.account(n.ID).Member.Referral; !ref.Rewarded() || ref.ReferrerPoints != 0 {
				e.t.Fatalf("the referral past the cap = %+v, want rewarded without the referrer's bonus", ref)
			}
		}
	}
	if got := e.referralEntries(referrer.ID); len(got) != 2 {
		e.t.Fatalf("the referrer's bonuses in a month capped at 2 = %v", got)
	}
	e.clock.Set(Start.AddDate(0, 1, 0))
	n := e.enrollReferred("friend-next-month@example.com", referrer)
	e.earn(n.ID, "R-next", 1000)
	if got := e.referralEntries(referrer.ID); len(got) != 3 {
		e.t.Fatalf("the referrer's bonuses after a new month began = %v, want a third", got)
	}
}

func testReferralTakenBack(e *env) {
	e.setReferral(10)
	referrer := e.enroll("ada@example.com")
	newcomer := e.enrollReferred("grace@example.com", referrer)
	earning := e.earn(newcomer.ID, "R-1", 2000)
	tx := earning.Entry.TxID()
	if _, err := e.refund(tx, 500, "refund-1"); err != nil { // 15.00 left: still above the minimum
		e.t.Fatal(err)
	}
	if got := e.referralEntries(referrer.ID); len(got) != 1 {
		e.t.Fatalf("a refund leaving 15.00 of a 10.00 minimum took the bonus back: %v", got)
	}
	r, err := e.refund(tx, 600, "refund-2") // 9.00 left
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Entry.Kind != loyalty.KindReversal {
		e.t.Fatalf("the refund answered %+v, want its reversal entry", r.Entry)
	}
	if got := e.referralEntries(newcomer.ID); len(got) != 2 || got[1] != -50 {
		e.t.Fatalf("the newcomer's referral entries = %v, want 50 then −50", got)
	}
	if got := e.referralEntries(referrer.ID); len(got) != 2 || got[1] != -100 {
		e.t.Fatalf("the referrer's referral entries = %v, want 100 then −100", got)
	}
	if _, err := e.refund(tx, 0, ""); err != nil {
		e.t.Fatal(err)
	}
	if got := e.referralEntries(referrer.ID); len(got) != 2 {
		e.t.Fatalf("the last refund took the bonus back again: %v", got)
	}
	if ref := e.account(newcomer.ID).Member.Referral; !ref.TakenBack {
		e.t.Fatalf("the referral after the refunds = %+v, want taken back", ref)
	}
	if b := e.account(referrer.ID).Member.Balance; b != 50 {
		e.t.Fatalf("the referrer holds %d points, want the welcome's 50", b)
	}
	e.wantReferrers(referrer.ID, 0)
	e.wantFiguresEqualLedger(referrer.ID, newcomer.ID)
}

// wantReferrers checks that the referrers' segment counts want members, and
// holds the referrer when it counts any.
func (e *env) wantReferrers(referrerID string, want int64) {
	e.t.Helper()
	today := loyalty.DateOf(e.clock.Now())
	referrers := loyalty.Segment{Referrers: true}
	if in := referrers.Matches(e.account(referrerID).Member, loyalty.Quintiles{}, today); in != (want > 0) {
		e.t.Fatalf("the referrer in the referrers' segment: %v, want %v", in, want > 0)
	}
	for _, sc := range e.segmentReport(loyalty.Quintiles{}, today).Segments {
		if sc.Segment == referrers && sc.Members != want {
			e.t.Fatalf("the referrers' segment counts %d members, want %d", sc.Members, want)
		}
	}
}

func testReferralRaces(e *env) {
	e.setReferral(3)
	referrer := e.enroll("ada@example.com")
	var friends []loyalty.Member
	for i := range 5 {
		friends = append(friends, e.enrollReferred(fmt.Sprintf("friend%d@example.com", i), referrer))
	}
	var wg sync.WaitGroup
	answers := make([]loyalty.Receipt, 10)
	errs := make([]error, 10)
	for i := range answers {
		wg.Go(func() {
			// Two tills send each friend's receipt at once.
			f := friends[i/2]
			answers[i], errs[i] = e.program.Earn(e.ctx, loyalty.EarnRequest{MemberID: f.ID, Amount: loyalty.Money{Value: 1500, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R-" + f.ID, Actor: Till})
		})
	}
	wg.Wait()
	for i := 0; i < len(answers); i += 2 {
		if errs[i] != nil || errs[i+1] != nil || answers[i].Entry.ID != answers[i+1].Entry.ID || answers[i].Balance != answers[i+1].Balance {
			e.t.Fatalf("a receipt and its duplicate answered %+v (%v) and %+v (%v)", answers[i], errs[i], answers[i+1], errs[i+1])
		}
	}
	if got := e.referralEntries(referrer.ID); len(got) != 3 {
		e.t.Fatalf("the referrer got %v bonuses from 5 friends at a cap of 3", got)
	}
	ids := []string{referrer.ID}
	for _, f := range friends {
		ids = append(ids, f.ID)
		if got := e.referralEntries(f.ID); len(got) != 1 || got[0] != 50 {
			e.t.Fatalf("friend %s's referral entries = %v, want one of 50", f.ID, got)
		}
	}
	e.wantFiguresEqualLedger(ids...)
}
