package storetest

import (
	"errors"
	"reflect"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// profileTests check the member space's changes of a profile and the
// deletion of an account.
var profileTests = []struct {
	name string
	fn   func(*env)
}{
	{"a change of name moves the member's name lookups", testNameChange},
	{"an email change moves the claim, and another member's email is refused", testEmailChange},
	{"an erased member is found by neither email nor name, and the program's totals stay", testErase},
	{"an erased member's referral code finds no one", testErasedReferralCode},
	{"a deleted account's card is listed to its device once, then the device's registration ends", testErasedCardListedOnce},
	{"a deleted account's card is unregistered from the phones that never asked again, after ErasedCardDays", testErasedCardPurged},
}

func testNameChange(e *env) {
	m := e.enrollNamed("Ada Lovelace", "ada.name@example.com")
	name := "Augusta Ada King"
	if _, err := e.program.ChangeProfile(e.ctx, m.ID, loyalty.ProfileChange{Name: &name}); err != nil {
		e.t.Fatal(err)
	}
	e.wantIDs("members named augusta", e.searchIDs("augusta"), []string{m.ID})
	e.wantIDs("members named ada k", e.searchIDs("ada k"), []string{m.ID})
	e.wantIDs("members named lovelace", e.searchIDs("lovelace"), []string{})
}

func (e *env) searchIDs(q string) []string {
	ids, _ := e.search(q)
	return ids
}

func testEmailChange(e *env) {
	m := e.enroll("old@example.com")
	other := e.enroll("taken@example.com")
	if _, err := e.program.ChangeEmail(e.ctx, m.ID, "Taken@Example.com"); !errors.Is(err, loyalty.ErrEmailTaken) {
		e.t.Errorf("changing to another member's email: %v, want ErrEmailTaken", err)
	}
	changed, err := e.program.ChangeEmail(e.ctx, m.ID, "New@Example.com")
	if err != nil {
		e.t.Fatal(err)
	}
	if changed.Email != "new@example.com" {
		e.t.Errorf("the email reads %q", changed.Email)
	}
	if found, err := e.store.MemberByEmail(e.ctx, "new@example.com"); err != nil || found.ID != m.ID {
		e.t.Errorf("by the new email: %v %v", found.ID, err)
	}
	if _, err := e.store.MemberByEmail(e.ctx, "old@example.com"); !errors.Is(err, loyalty.ErrMemberNotFound) {
		e.t.Errorf("by the old email: %v, want ErrMemberNotFound", err)
	}
	if found, err := e.store.MemberByEmail(e.ctx, "taken@example.com"); err != nil || found.ID != other.ID {
		e.t.Errorf("the other member's claim after the refused change: %v %v", found.ID, err)
	}
	if again, err := e.program.ChangeEmail(e.ctx, m.ID, "new@example.com"); err != nil || again.Version != changed.Version {
		e.t.Errorf("confirming the same email again: version %d (was %d), %v", again.Version, changed.Version, err)
	}
	e.enroll("old@example.com") // the old address is free for someone else
}

func testErase(e *env) {
	e.clock.Set(Start)
	m := e.enrollAt(Start, "erase@example.com", "1990-06-15", "Europe/Paris")
	earned := e.earn(m.ID, "R-1", 2_500)
	e.plan(m.ID, loyalty.DonationPlan{CharityID: e.charity("erase-charity", nil).ID, MonthlyPoints: 100})
	day := loyalty.DateOf(Start)
	before, err := store.StatsReport(e.ctx, e.store, day, day)
	if err != nil {
		e.t.Fatal(err)
	}
	ledger, err := e.store.Ledger(e.ctx, m.ID, 0, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	erased, err := e.program.Erase(e.ctx, m.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if erased.Name != "" || erased.Email != "" || !erased.Birthday.IsZero() || erased.TokenHash != "" || erased.DonationPlan != nil ||
		erased.ErasedAt.IsZero() || erased.CodeGeneration != m.CodeGeneration+1 || erased.Balance != earned.Balance {
		e.t.Errorf("erased member %+v", erased)
	}
	if _, err := e.store.MemberByEmail(e.ctx, "erase@example.com"); !errors.Is(err, loyalty.ErrMemberNotFound) {
		e.t.Errorf("by email: %v, want ErrMemberNotFound", err)
	}
	e.wantIDs("members named member", e.searchIDs("member"), []string{})
	e.wantIDs("birthdays on 06-15", e.birthdays("06-15", 10), []string{})
	e.wantIDs("pledges due", e.pledgesDue(day.String()), []string{})
	after, err := store.StatsReport(e.ctx, e.store, day, day)
	if err != nil {
		e.t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		e.t.Errorf("the program's figures changed with the erasure:\nbefore %+v\nafter  %+v", before, after)
	}
	kept, err := e.store.Ledger(e.ctx, m.ID, 0, 100)
	if err != nil || len(kept) != len(ledger) {
		e.t.Errorf("the ledger kept %d entries of %d: %v", len(kept), len(ledger), err)
	}
	again, err := e.program.Erase(e.ctx, m.ID)
	if err != nil || again.Version != erased.Version {
		e.t.Errorf("erasing again: version %d (was %d), %v", again.Version, erased.Version, err)
	}
	e.enroll("erase@example.com") // the address is free again
}

func testErasedReferralCode(e *env) {
	e.setReferral(10)
	referrer := e.enroll("referrer@example.com")
	if _, err := e.program.Erase(e.ctx, referrer.ID); err != nil {
		e.t.Fatal(err)
	}
	if found, err := e.store.MembersByReferralCode(e.ctx, referrer.ReferralCode()); err != nil || len(found) != 0 {
		e.t.Errorf("the erased member's code finds %d members, %v; want no one", len(found), err)
	}
	_, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Grace Hopper", Email: "grace@example.com"}, ReferralCode: referrer.ReferralCode()})
	if !errors.Is(err, loyalty.ErrUnknownReferralCode) {
		e.t.Errorf("joining with the erased member's code: %v, want ErrUnknownReferralCode", err)
	}
	if missing, err := e.store.AddMemberLookups(e.ctx, referrer.ID, true); err != nil || missing != 0 {
		e.t.Errorf("the lookup migration would write %d items back for the erased member: %v", missing, err)
	}
}

func testErasedCardListedOnce(e *env) {
	gone, kept := e.enroll("gone@example.com"), e.enroll("kept@example.com")
	for _, m := range []loyalty.Member{gone, kept} {
		if _, err := e.store.Register(e.ctx, store.Registration{DeviceID: "phone", Serial: m.Serial, PushToken: "token", CreatedAt: Start}); err != nil {
			e.t.Fatal(err)
		}
	}
	erased, err := e.program.Erase(e.ctx, gone.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	listed := func() map[string]time.Time {
		e.t.Helper()
		cards, err := store.DeviceCards(e.ctx, e.store, "phone")
		if err != nil {
			e.t.Fatal(err)
		}
		out := map[string]time.Time{}
		for _, c := range cards {
			out[c.Serial] = c.UpdatedAt
		}
		return out
	}
	if first := listed(); len(first) != 2 || !first[gone.Serial].Equal(erased.CardUpdatedAt) || !first[kept.Serial].Equal(kept.CardUpdatedAt) {
		e.t.Errorf("the device's cards after the deletion = %v, want both, the deleted one at %v", first, erased.CardUpdatedAt)
	}
	if again := listed(); len(again) != 1 || again[kept.Serial].IsZero() {
		e.t.Errorf("the device's cards asked again = %v, want only %s", again, kept.Serial)
	}
	if regs, err := e.store.PassRegistrations(e.ctx, gone.Serial); err != nil || len(regs) != 0 {
		e.t.Errorf("the deleted card's registrations = %v, %v; want none", regs, err)
	}
}

func testErasedCardPurged(e *env) {
	gone, quiet, kept := e.enroll("gone.purge@example.com"), e.enroll("quiet.purge@example.com"), e.enroll("kept.purge@example.com")
	for _, r := range []store.Registration{
		{DeviceID: "phone-off", Serial: gone.Serial}, {DeviceID: "phone-lost", Serial: gone.Serial}, {DeviceID: "phone-off", Serial: kept.Serial},
	} {
		r.PushToken, r.CreatedAt = "token-"+r.DeviceID, Start
		if _, err := e.store.Register(e.ctx, r); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, m := range []loyalty.Member{gone, quiet} {
		if _, err := e.program.Erase(e.ctx, m.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	// Deleting again changes nothing, and records nothing more.
	e.clock.Set(Start.Add(24 * time.Hour))
	if _, err := e.program.Erase(e.ctx, gone.ID); err != nil {
		e.t.Fatal(err)
	}
	erasedOn := loyalty.DateOf(Start)
	purge := func(today loyalty.Date) (cards, regs int) {
		e.t.Helper()
		cards, regs, err := store.PurgeErasedCards(e.ctx, e.store, today, 100)
		if err != nil {
			e.t.Fatal(err)
		}
		return cards, regs
	}
	if cards, regs := purge(erasedOn.AddDays(store.ErasedCardDays - 1)); cards != 0 || regs != 0 {
		e.t.Errorf("a day early, the purge took %d cards and %d registrations", cards, regs)
	}
	if regs, _ := e.store.PassRegistrations(e.ctx, gone.Serial); len(regs) != 2 {
		e.t.Errorf("within the days kept the deleted card has %d registrations, want 2", len(regs))
	}
	if cards, regs := purge(erasedOn.AddDays(store.ErasedCardDays)); cards != 2 || regs != 2 {
		e.t.Errorf("on the day, the purge took %d cards and %d registrations, want 2 and 2", cards, regs)
	}
	if regs, err := e.store.PassRegistrations(e.ctx, gone.Serial); err != nil || len(regs) != 0 {
		e.t.Errorf("the deleted card's registrations after the purge = %v, %v; want none", regs, err)
	}
	for device, want := range map[string][]string{"phone-off": {kept.Serial}, "phone-lost": nil} {
		if serials, err := e.store.DeviceSerials(e.ctx, device); err != nil || len(serials) != len(want) || (len(want) > 0 && serials[0] != want[0]) {
			e.t.Errorf("%s's cards after the purge = %v, %v; want %v", device, serials, err, want)
		}
	}
	if regs, _ := e.store.PassRegistrations(e.ctx, kept.Serial); len(regs) != 1 {
		e.t.Errorf("a kept card's registrations after the purge = %v, want its one", regs)
	}
	if cards, regs := purge(erasedOn.AddDays(store.ErasedCardDays + 40)); cards != 0 || regs != 0 {
		e.t.Errorf("a purge after the first took %d cards and %d registrations more", cards, regs)
	}
}
