package jobs

import (
	"context"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// forgetErasedCards is the expiry job's last step: the registrations that
// phones kept of deleted accounts' cards, ErasedCardDays after the
// deletion, end (store.PurgeErasedCards), a page of cards at a time. A
// card's record goes once its registrations are gone, so a run cut short
// is finished by the next.
func (r *Runner) forgetErasedCards(ctx context.Context, s *summary, today loyalty.Date) error {
	for {
		if err := r.stop(ctx); err != nil {
			return err
		}
		cards, regs, err := store.PurgeErasedCards(ctx, r.index, today, r.PageSize)
		s.Unregistered += regs
		if err != nil || cards < r.PageSize {
			return err
		}
	}
}
