package jobs_test

import (
	"testing"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/store"
)

// TestTheExpiryJobEndsTheRegistrationsOfDeletedCards: a phone that never
// asks again for a deleted account's card keeps its registration until the
// expiry job's run store.ErasedCardDays after the deletion, and no longer.
func TestTheExpiryJobEndsTheRegistrationsOfDeletedCards(t *testing.T) {
	f := newFixture(t)
	m := f.enroll("2026-11-23T10:00:00Z", "gone.phone@example.com", "", "")
	if _, err := f.store.Register(f.ctx, store.Registration{DeviceID: "phone-off", Serial: m.Serial, PushToken: "token"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.program.Erase(f.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	registered := func() int {
		t.Helper()
		regs, err := f.store.PassRegistrations(f.ctx, m.Serial)
		if err != nil {
			t.Fatal(err)
		}
		return len(regs)
	}
	if s := f.run(jobs.NameExpiry, "2026-12-22T00:30:00Z"); s.Unregistered != 0 || registered() != 1 {
		t.Errorf("29 days after the deletion the run ended %d registrations, %d left; want 0 and 1", s.Unregistered, registered())
	}
	if s := f.run(jobs.NameExpiry, "2026-12-23T00:30:00Z"); s.Unregistered != 1 || registered() != 0 {
		t.Errorf("30 days after the deletion the run ended %d registrations, %d left; want 1 and 0", s.Unregistered, registered())
	}
	if s := f.run(jobs.NameExpiry, "2026-12-24T00:30:00Z"); s.Unregistered != 0 {
		t.Errorf("the next run ended %d registrations more", s.Unregistered)
	}
}
