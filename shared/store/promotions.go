package store

import (
	"context"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// PromotionStore keeps the operator's promotions (listed by
// loyalty.Book.Promotions). Each change is written with its audit entry,
// all or nothing.
type PromotionStore interface {
	// CreatePromotion stores a new promotion; loyalty.ErrPromotionExists
	// when its id is taken, even by one that ended.
	CreatePromotion(ctx context.Context, p loyalty.Promotion, audit loyalty.AuditEntry) error
	// Promotion reads one; loyalty.ErrPromotionNotFound when there is none.
	Promotion(ctx context.Context, id string) (loyalty.Promotion, error)
	// EndPromotion ends a promotion at the audit entry's time and returns
	// it; one that no longer applies then is returned as it is, and no
	// audit entry is written.
	EndPromotion(ctx context.Context, id string, audit loyalty.AuditEntry) (loyalty.Promotion, error)
}
