package api

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// webhookView is a webhook without its secret.
type webhookView struct {
	ID        string              `json:"id"`
	URL       string              `json:"url"`
	Events    []loyalty.EventType `json:"events"`
	CreatedAt time.Time           `json:"createdAt"`
	// Secret signs the deliveries, in the answer that creates the webhook only.
	Secret string `json:"secret,omitempty"`
}

func viewWebhook(w loyalty.Webhook) webhookView {
	events := w.Events
	if events == nil {
		events = []loyalty.EventType{}
	}
	return webhookView{ID: w.ID, URL: w.URL, Events: events, CreatedAt: w.CreatedAt}
}

type webhookBody struct {
	URL    string              `json:"url"`
	Events []loyalty.EventType `json:"events"`
}

// createWebhook: POST /v1/admin/webhooks — an endpoint for the program's
// events (all of them, or those named), with its signing secret, shown once.
func (a *App) createWebhook(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var b webhookBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	w, err := loyalty.NewWebhook(a.IDs, a.Program.Now(), b.URL, b.Events)
	if err != nil {
		return reply{}, err
	}
	if err := a.Store.SaveWebhook(r.Context(), w, a.auditEntry(p, "webhook.create", w.ID, w.URL)); err != nil {
		return reply{}, err
	}
	v := viewWebhook(w)
	v.Secret = w.Secret
	return reply{status: http.StatusCreated, body: v}, nil
}

// listWebhooks: GET /v1/admin/webhooks, oldest first, without secrets.
func (a *App) listWebhooks(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	hooks, err := a.Store.Webhooks(r.Context())
	if err != nil {
		return reply{}, err
	}
	views := make([]webhookView, len(hooks))
	for i, w := range hooks {
		views[i] = viewWebhook(w)
	}
	return reply{body: map[string]any{"webhooks": views}}, nil
}

// deleteWebhook: DELETE /v1/admin/webhooks/{id}. Nothing is sent to it from
// then on; its delivery log expires on its own.
func (a *App) deleteWebhook(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathKeyID(r)
	if err != nil {
		return reply{}, err
	}
	w, err := a.Store.Webhook(r.Context(), id)
	if err != nil {
		return reply{}, err
	}
	if err := a.Store.DeleteWebhook(r.Context(), id, a.auditEntry(p, "webhook.delete", id, w.URL)); err != nil {
		return reply{}, err
	}
	return reply{body: viewWebhook(w)}, nil
}

// deliveryCursor is the form of loyalty.Delivery.Key.
var deliveryCursor = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z#evt_[A-Za-z0-9_-]{1,80}$`)

const maxDeliveryPage = 100

// listDeliveries: GET /v1/admin/webhooks/{id}/deliveries?cursor=&limit= —
// the delivery log, newest event first, each delivery with its attempts.
func (a *App) listDeliveries(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	id, err := pathKeyID(r)
	if err != nil {
		return reply{}, err
	}
	q := r.URL.Query()
	cursor := q.Get("cursor")
	if cursor != "" && !deliveryCursor.MatchString(cursor) {
		return reply{}, badRequest("invalid_request", "cursor must be the next value of an earlier page")
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDeliveryPage {
			return reply{}, badRequest("invalid_request", fmt.Sprintf("limit must be a whole number from 1 to %d", maxDeliveryPage))
		}
		limit = n
	}
	if _, err := a.Store.Webhook(r.Context(), id); err != nil {
		return reply{}, err
	}
	ds, next, err := a.Store.Deliveries(r.Context(), id, cursor, limit)
	if err != nil {
		return reply{}, err
	}
	if ds == nil {
		ds = []loyalty.Delivery{}
	}
	return reply{body: map[string]any{"deliveries": ds, "next": next}}, nil
}
