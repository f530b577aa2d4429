package store

import (
	"context"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// CardRefreshes keeps the card refreshes and how far each went.
type CardRefreshes interface {
	// SaveCardRefresh stores a new refresh; one already stored under its id
	// is left as it is (created false), so a change asking twice is one
	// refresh.
	SaveCardRefresh(ctx context.Context, r loyalty.CardRefresh) (created bool, err error)
	// CardRefresh reads one; loyalty.ErrRefreshNotFound when there is none.
	CardRefresh(ctx context.Context, id string) (loyalty.CardRefresh, error)
	// AdvanceCardRefresh records a page of the fan-out done, as
	// AdvanceCampaign does: loyalty.ErrVersionConflict unless the stored
	// refresh is still at fromPages pages.
	AdvanceCardRefresh(ctx context.Context, r loyalty.CardRefresh, fromPages int64) error
	// UnfinishedCardRefreshes lists the refreshes whose fan-out is not over,
	// for the local stack to resume them at its start.
	UnfinishedCardRefreshes(ctx context.Context) ([]loyalty.CardRefresh, error)
}
