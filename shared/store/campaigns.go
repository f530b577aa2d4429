package store

import (
	"context"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Campaigns keeps the operator's campaigns and how far each went.
type Campaigns interface {
	// SaveCampaign stores a new campaign, with its audit entry.
	SaveCampaign(ctx context.Context, c loyalty.Campaign, audit loyalty.AuditEntry) error
	// SaveCampaignOnce stores a new campaign as SaveCampaign does, with the
	// idempotency record of the request that made it, all or nothing:
	// loyalty.ErrKeyTaken when an unexpired record holds the key.
	SaveCampaignOnce(ctx context.Context, c loyalty.Campaign, rec loyalty.IdempotencyRecord, audit loyalty.AuditEntry) error
	// Campaign reads one, its pushes counted in; loyalty.ErrCampaignNotFound
	// when there is none.
	Campaign(ctx context.Context, id string) (loyalty.Campaign, error)
	// Campaigns lists the newest campaigns first, at most limit of them.
	Campaigns(ctx context.Context, limit int) ([]loyalty.Campaign, error)
	// AdvanceCampaign records a page of the fan-out done: c is the campaign
	// with the page applied (loyalty.CampaignProgress.Apply), written only
	// when the stored campaign is still at fromPages pages, else
	// loyalty.ErrVersionConflict: a page done twice is counted once.
	AdvanceCampaign(ctx context.Context, c loyalty.Campaign, fromPages int64) error
	// CountCampaignPushes adds the notifications a member's delivery
	// reached (pushed) or that were refused (failed) to the campaign's.
	CountCampaignPushes(ctx context.Context, campaignID, memberID string, pushed, failed int64) error
}

// MaxCampaigns is the most campaigns a list answers.
const MaxCampaigns = 100
