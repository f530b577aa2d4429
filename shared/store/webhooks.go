package store

import (
	"context"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Webhooks keeps the operator's webhooks and their delivery log.
type Webhooks interface {
	// SaveWebhook stores a new webhook, with its audit entry.
	SaveWebhook(ctx context.Context, w loyalty.Webhook, audit loyalty.AuditEntry) error
	// Webhook reads one; loyalty.ErrWebhookNotFound when there is none.
	Webhook(ctx context.Context, id string) (loyalty.Webhook, error)
	// Webhooks lists every webhook, oldest first.
	Webhooks(ctx context.Context) ([]loyalty.Webhook, error)
	// DeleteWebhook removes a webhook (loyalty.ErrWebhookNotFound when there
	// is none), with its audit entry; its delivery log stays until it expires.
	DeleteWebhook(ctx context.Context, id string, audit loyalty.AuditEntry) error

	// SaveDelivery creates or replaces a delivery (by webhook and Key).
	SaveDelivery(ctx context.Context, d loyalty.Delivery) error
	// Delivery reads the delivery of webhookID under key (Delivery.Key);
	// ok is false when there is none.
	Delivery(ctx context.Context, webhookID, key string) (d loyalty.Delivery, ok bool, err error)
	// Deliveries lists a webhook's deliveries newest first: those whose Key
	// is below cursor ("" for the newest), at most limit, with the cursor of
	// the next page, "" after the last.
	Deliveries(ctx context.Context, webhookID, cursor string, limit int) (ds []loyalty.Delivery, next string, err error)
}
