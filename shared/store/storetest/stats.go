package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

var statsTests = []struct {
	name string
	fn   func(*env)
}{
	{"the program's figures equal what the ledger says, day by day, over two months", testStatsEqualLedger},
	{"a report reads a bounded number of counters a day, however many members changed", testStatsBoundedReads},
	{"a report's days are checked", testStatsRange},
}

// testStatsEqualLedger drives every kind of change over two months, with
// duplicates that must count once, and holds reports of several periods to
// the figures recomputed from the members and their ledgers.
func testStatsEqualLedger(e *env) {
	rules := loyalty.DefaultRules()
	rules.ExpiryMonths = 1
	rules.PointValue = loyalty.PointValue{Minor: 3, Points: 2}
	if _, err := e.store.SaveRules(e.ctx, rules); err != nil {
		e.t.Fatal(err)
	}
	charity, err := loyalty.PrepareCharity(loyalty.Charity{ID: "trees", Name: "Trees", PointsPerUnit: 100, Currency: "EUR", MinPoints: 10, Step: 10}, nil, Start)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SaveCharity(e.ctx, charity); err != nil {
		e.t.Fatal(err)
	}
	at := func(days int) { e.clock.Set(Start.AddDate(0, 0, days)) }
	today := func() loyalty.Date { return loyalty.DateOf(e.clock.Now()) }
	must := func(what string) func(any, error) {
		return func(_ any, err error) {
			e.t.Helper()
			if err != nil {
				e.t.Fatalf("%s: %v", what, err)
			}
		}
	}
	enroll := func(email, birthday string) string {
		var bd loyalty.Date
		if birthday != "" {
			bd = day(birthday)
		}
		req := loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: email, Birthday: bd}, Key: loyalty.IdemKey{Scope: "enroll", Key: email}}
		first, err := e.program.Enroll(e.ctx, req)
		must("enroll "+email)(nil, err)
		again, err := e.program.Enroll(e.ctx, req) // a re-enrolment replayed
		if err != nil || !again.Replayed || again.Member.ID != first.Member.ID {
			e.t.Fatalf("enrolment of %s replayed: %+v, %v", email, again, err)
		}
		return first.Member.ID
	}
	earn := func(id, storeID, receipt string, cents int64) loyalty.Receipt {
		req := loyalty.EarnRequest{MemberID: id, Amount: loyalty.Money{Value: cents, Currency: "EUR"}, StoreID: storeID, ReceiptID: receipt, Actor: Till, Confirmed: true}
		r, err := e.program.Earn(e.ctx, req)
		must("earn "+receipt)(nil, err)
		if again, err := e.program.Earn(e.ctx, req); err != nil || !again.Replayed {
			e.t.Fatalf("earning %s sent again: %+v, %v", receipt, again, err)
		}
		return r
	}
	adjust := func(id string, points int64, key string) {
		_, err := e.program.Adjust(e.ctx, loyalty.AdjustRequest{MemberID: id, Points: points, Note: "by hand", Actor: Owner, Key: loyalty.IdemKey{Scope: "adjust", Key: key}})
		must("adjust "+key)(nil, err)
	}

	at(0)
	ada := enroll("ada@example.com", "1990-01-02") // her present comes on day 40
	bob := enroll("bob@example.com", "")
	eve := enroll("eve@example.com", "")
	big := earn(ada, "paris", "A-1", 60_000) // 600 points: silver
	earn(bob, "lyon", "B-1", 5_000)
	at(5)
	earn(ada, "lyon", "A-2", 3_000) // within her 30 days: active longer, counted once
	must("redeem")(e.redeem(bob, 40, "bob-1"))
	adjust(eve, 100, "eve+")
	adjust(eve, -30, "eve-")
	at(10)
	must("reverse")(e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: big.Entry.TxID(), Actor: Owner})) // back to bronze
	must("reverse again")(e.program.Reverse(e.ctx, loyalty.ReverseRequest{Tx: big.Entry.TxID(), Actor: Owner}))
	must("donate")(e.program.Donate(e.ctx, loyalty.DonateRequest{MemberID: bob, CharityID: "trees", Points: 10, Actor: loyalty.Actor{Who: loyalty.WhoMember}, Key: loyalty.IdemKey{Scope: "donate", Key: "bob-gift"}}))
	earn(eve, "paris", "E-1", 55_000) // silver
	at(40)                            // 2027-01-02: December's lots expired; Ada's birthday
	for _, id := range []string{ada, bob, eve} {
		must("expire")(e.program.ExpireLot(e.ctx, id, day("2026-12-31"), today()))
		must("expire again")(e.program.ExpireLot(e.ctx, id, day("2026-12-31"), today()))
	}
	for range 2 {
		must("birthday")(e.program.BirthdayReward(e.ctx, ada, e.clock.Now()))
	}
	earn(bob, "paris", "B-2", 2_000) // after a gap: active again
	at(45)
	earn(eve, "lyon", "E-2", 10_000)
	dave := enroll("dave@example.com", "")
	earn(dave, "nice", "D-1", 1_000)
	must("review")(e.program.ReviewTier(e.ctx, eve, day("2027-12-03"))) // a year after her upgrade, below silver: down to bronze

	members := []string{ada, bob, eve, dave}
	for _, period := range [][2]loyalty.Date{
		{day("2026-11-01"), day("2027-02-28")}, // every change, and days before and after
		{day("2026-11-26"), day("2026-12-10")}, // a past period: stocks less the days after it
		{day("2027-01-02"), day("2027-01-02")},
	} {
		report, err := store.StatsReport(e.ctx, e.store, period[0], period[1])
		if err != nil {
			e.t.Fatal(err)
		}
		wantStatsEqualLedger(e.t, e.store, members, report)
	}
}

// wantStatsEqualLedger recomputes a report's figures from the members and
// their ledgers, independently of the counters, and reports every
// difference. A day's tiers are not in the ledger: each day's must add up to
// the members enrolled by then, and the last day's must be the members' own
// tiers when it is today or later.
func wantStatsEqualLedger(t *testing.T, s store.Store, memberIDs []string, got loyalty.StatsReport) {
	t.Helper()
	rules, err := s.Rules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	type history struct {
		member  loyalty.Member
		entries []loyalty.LedgerEntry
	}
	var all []history
	var lastChange loyalty.Date
	for _, id := range memberIDs {
		m, err := s.Member(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		h := history{m, workloadLedger(t, s, id)}
		all = append(all, h)
		if d := loyalty.DateOf(m.UpdatedAt); lastChange.Before(d) {
			lastChange = d
		}
	}
	flowsOn := func(d loyalty.Date) loyalty.Figures {
		f := loyalty.Figures{Money: map[string]loyalty.Sales{}, Stores: map[string]loyalty.StoreFigures{}, Tiers: map[loyalty.Tier]int64{}}
		for _, h := range all {
			if loyalty.DateOf(h.member.CreatedAt) == d {
				f.Enrollments++
				if h.member.Referral != nil {
					f.Referrals.Joined++
				}
			}
			for _, e := range h.entries {
				if loyalty.DateOf(e.CreatedAt) != d {
					continue
				}
				if ref := h.member.Referral; ref.Rewarded() && e.Seq == ref.Earning {
					f.Referrals.Rewarded++
				}
				switch e.Kind {
				case loyalty.KindEarn:
					f.Earnings++
					f.Points.Issued += e.Points
					st, cur := f.Stores[e.Ref.StoreID], f.Money[e.Amount.Currency]
					st.Earnings, st.Points = st.Earnings+1, st.Points+e.Points
					cur.Earnings, cur.Amount = cur.Earnings+1, cur.Amount+e.Amount.Value
					f.Stores[e.Ref.StoreID], f.Money[e.Amount.Currency] = st, cur
				case loyalty.KindReversal:
					if e.Ref.RewardID != "" { // an undone redemption
						f.Points.Redeemed -= e.Points
						st := f.Stores[e.Ref.StoreID]
						st.Redemptions, st.RedeemedPoints = st.Redemptions-1, st.RedeemedPoints-e.Points
						f.Stores[e.Ref.StoreID] = st
						continue
					}
					f.Reversals++
					f.Points.Reversed -= e.Points
					st, cur := f.Stores[e.Ref.StoreID], f.Money[e.Amount.Currency]
					st.Reversals, st.ReversedPoints = st.Reversals+1, st.ReversedPoints-e.Points
					cur.Reversals, cur.ReversedAmount = cur.Reversals+1, cur.ReversedAmount+e.Amount.Value
					f.Stores[e.Ref.StoreID], f.Money[e.Amount.Currency] = st, cur
				case loyalty.KindWelcome, loyalty.KindBirthday:
					f.Points.Issued += e.Points
				case loyalty.KindRedeem:
					f.Points.Redeemed -= e.Points
					if e.Ref.StoreID != "" {
						st := f.Stores[e.Ref.StoreID]
						st.Redemptions, st.RedeemedPoints = st.Redemptions+1, st.RedeemedPoints-e.Points
						f.Stores[e.Ref.StoreID] = st
					}
				case loyalty.KindExpire:
					f.Points.Expired -= e.Points
				case loyalty.KindDonate:
					f.Points.Donated -= e.Points
				case loyalty.KindAdjust:
					f.Points.Adjusted += e.Points
				case loyalty.KindReferral:
					if e.Points > 0 {
						f.Points.Issued += e.Points
						continue
					}
					f.Points.Reversed -= e.Points
					if e.Ref.Referrer != "" { // the new member's bonus taken back
						f.Referrals.TakenBack++
					}
				default:
					t.Errorf("entry %s is a %s, which the recount does not know", e.TxID(), e.Kind)
				}
			}
		}
		return f
	}
	stocksAt := func(d loyalty.Date, f *loyalty.Figures) {
		f.Outstanding, f.ActiveMembers = 0, 0
		for _, h := range all {
			active := false
			for _, e := range h.entries {
				ed := loyalty.DateOf(e.CreatedAt)
				if ed.Before(d.AddDays(1)) {
					f.Outstanding += e.Points
					active = active || e.Kind == loyalty.KindEarn && !ed.Before(d.AddDays(-(loyalty.StatsWindowDays-1)))
				}
			}
			if active {
				f.ActiveMembers++
			}
		}
		if rules.PointValue.Points > 0 {
			f.OutstandingValue = &loyalty.Money{Value: f.Outstanding * rules.PointValue.Minor / rules.PointValue.Points, Currency: rules.Currency}
		}
	}
	want := loyalty.StatsReport{From: got.From, To: got.To}
	want.Total = loyalty.Figures{Money: map[string]loyalty.Sales{}, Stores: map[string]loyalty.StoreFigures{}, Tiers: map[loyalty.Tier]int64{}}
	var enrolled int64
	for _, h := range all {
		if loyalty.DateOf(h.member.CreatedAt).Before(got.From) {
			enrolled++
		}
	}
	for d := got.From; !got.To.Before(d); d = d.AddDays(1) {
		f := flowsOn(d)
		stocksAt(d, &f)
		enrolled += f.Enrollments
		i := len(want.Days)
		if i < len(got.Days) {
			f.Tiers = got.Days[i].Tiers
			var sum int64
			for _, n := range f.Tiers {
				sum += n
			}
			if sum != enrolled {
				t.Errorf("%s: %d members in the tiers %v, %d enrolled", d, sum, f.Tiers, enrolled)
			}
		}
		want.Days = append(want.Days, loyalty.DayFigures{Day: d, Figures: f})
		addFlows(&want.Total, f)
	}
	stocksAt(got.To, &want.Total)
	want.Total.Tiers = got.Total.Tiers
	if lastChange.Before(got.To.AddDays(1)) { // else later changes moved the members since
		tiers := map[loyalty.Tier]int64{}
		for _, tier := range loyalty.Tiers {
			tiers[tier] = 0
		}
		for _, h := range all {
			tiers[h.member.Tier]++
		}
		if !reflect.DeepEqual(got.Total.Tiers, tiers) {
			t.Errorf("%s to %s: tiers %v, the members are in %v", got.From, got.To, got.Total.Tiers, tiers)
		}
	}
	if len(got.Days) != len(want.Days) {
		t.Fatalf("%s to %s: %d days, want %d", got.From, got.To, len(got.Days), len(want.Days))
	}
	for i := range want.Days {
		if !reflect.DeepEqual(got.Days[i], want.Days[i]) {
			t.Errorf("%s: the counters say\n%s\nthe ledger says\n%s", want.Days[i].Day, asJSON(got.Days[i]), asJSON(want.Days[i]))
		}
	}
	if !reflect.DeepEqual(got.Total, want.Total) {
		t.Errorf("%s to %s in total: the counters say\n%s\nthe ledger says\n%s", got.From, got.To, asJSON(got.Total), asJSON(want.Total))
	}
}

func addFlows(total *loyalty.Figures, f loyalty.Figures) {
	total.Enrollments += f.Enrollments
	total.Earnings += f.Earnings
	total.Reversals += f.Reversals
	total.Referrals.Joined += f.Referrals.Joined
	total.Referrals.Rewarded += f.Referrals.Rewarded
	total.Referrals.TakenBack += f.Referrals.TakenBack
	p, q := &total.Points, f.Points
	p.Issued, p.Redeemed, p.Expired = p.Issued+q.Issued, p.Redeemed+q.Redeemed, p.Expired+q.Expired
	p.Donated, p.Reversed, p.Adjusted = p.Donated+q.Donated, p.Reversed+q.Reversed, p.Adjusted+q.Adjusted
	for c, s := range f.Money {
		m := total.Money[c]
		m.Earnings, m.Amount, m.Reversals, m.ReversedAmount = m.Earnings+s.Earnings, m.Amount+s.Amount, m.Reversals+s.Reversals, m.ReversedAmount+s.ReversedAmount
		total.Money[c] = m
	}
	for id, s := range f.Stores {
		m := total.Stores[id]
		m.Earnings, m.Points, m.Reversals, m.ReversedPoints = m.Earnings+s.Earnings, m.Points+s.Points, m.Reversals+s.Reversals, m.ReversedPoints+s.ReversedPoints
		m.Redemptions, m.RedeemedPoints = m.Redemptions+s.Redemptions, m.RedeemedPoints+s.RedeemedPoints
		total.Stores[id] = m
	}
}

// testStatsBoundedReads changes many more members than there are shards on
// one day and checks that the counters read are at most one item a shard
// for each day and for all time: what a report reads follows its days,
// never the members.
func testStatsBoundedReads(e *env) {
	const members = 3 * loyalty.StatsShards
	for i := range members {
		m := e.enroll(fmt.Sprintf("m%d@example.com", i))
		e.earn(m.ID, fmt.Sprint("R-", i), 1_000)
	}
	e.clock.Set(Start.AddDate(0, 0, 1))
	for i := range members / 2 {
		e.enroll(fmt.Sprintf("n%d@example.com", i))
	}
	readFrom, err := loyalty.StatsRange(loyalty.DateOf(Start), loyalty.DateOf(Start).AddDays(29))
	if err != nil {
		e.t.Fatal(err)
	}
	counters, err := e.store.StatsCounters(e.ctx, readFrom)
	if err != nil {
		e.t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range counters {
		k := fmt.Sprint(c.Day, "/", c.Shard)
		if seen[k] || c.Shard < 0 || c.Shard >= loyalty.StatsShards {
			e.t.Errorf("counters of day %q shard %d read twice or out of range", c.Day, c.Shard)
		}
		seen[k] = true
	}
	// Two days and all time, each at most every shard.
	if most := 3 * loyalty.StatsShards; len(counters) > most {
		e.t.Errorf("a report read %d counter items for %d members on two days, more than %d", len(counters), members+members/2, most)
	}
	later, err := e.store.StatsCounters(e.ctx, loyalty.DateOf(Start).AddDays(1))
	if err != nil {
		e.t.Fatal(err)
	}
	if len(later) >= len(counters) {
		e.t.Errorf("reading from the second day read %d items, from the first %d: a report reads the days it asks for", len(later), len(counters))
	}
}

func testStatsRange(e *env) {
	for _, r := range [][2]string{{"2026-11-30", "2026-11-01"}, {"2025-01-01", "2026-01-02"}} {
		if _, err := store.StatsReport(e.ctx, e.store, day(r[0]), day(r[1])); !errors.Is(err, loyalty.ErrInvalid) {
			e.t.Errorf("a report from %s to %s: %v, want invalid", r[0], r[1], err)
		}
	}
	report, err := store.StatsReport(e.ctx, e.store, day("2026-01-01"), day("2026-12-31"))
	if err != nil || len(report.Days) != 365 || report.Total.Outstanding != 0 || report.Total.OutstandingValue == nil {
		e.t.Errorf("a year of an empty program: %d days, outstanding %d (%v), %v", len(report.Days), report.Total.Outstanding, report.Total.OutstandingValue, err)
	}
}
