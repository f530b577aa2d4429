package loyalty

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"
)

// ErrWebhookNotFound: no webhook has that id.
var ErrWebhookNotFound = errors.New("webhook not found")

// Webhook is an endpoint of the shop's that receives the program's events,
// each signed with the webhook's secret.
type Webhook struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Events is what it receives; empty for every event.
	Events []EventType `json:"events,omitempty"`
	// Secret signs the deliveries. It is kept as it is (a signature needs
	// it, a hash would not do) and shown once, when the webhook is made.
	Secret    string    `json:"secret"`
	CreatedAt time.Time `json:"createdAt"`
}

// Wants reports whether the webhook receives events of type t.
func (w Webhook) Wants(t EventType) bool { return len(w.Events) == 0 || slices.Contains(w.Events, t) }

// NewWebhook makes a webhook to rawURL for the events named (none for all),
// with a new secret. The URL is https, or http to this machine (a
// developer's endpoint on the local stack).
func NewWebhook(ids IDs, now time.Time, rawURL string, events []EventType) (Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || len(rawURL) > 2000 || u.Host == "" || u.User != nil || u.Fragment != "" ||
		(u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return Webhook{}, fmt.Errorf("%w: url must be an https URL (or http to localhost) without credentials or fragment, at most 2000 characters", ErrInvalid)
	}
	if len(events) > len(EventTypes) {
		return Webhook{}, fmt.Errorf("%w: events lists more types than there are", ErrInvalid)
	}
	for _, t := range events {
		if !slices.Contains(EventTypes, t) {
			return Webhook{}, fmt.Errorf("%w: %q is not an event type; the types are member.enrolled, points.earned, points.redeemed, transaction.reversed, tier.changed, birthday.rewarded, points.expired, donation.made, referral.rewarded, campaign.delivered", ErrInvalid, t)
		}
	}
	return Webhook{ID: ids.NewID(now), URL: rawURL, Events: events, Secret: "whsec_" + ids.Secret(), CreatedAt: now}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed" // every attempt failed; it is not tried again
)

// Delivery is the sending of one event to one webhook, with its attempts:
// the delivery log. There is one per webhook and event id, so an event
// handed over again is not delivered again.
type Delivery struct {
	WebhookID  string         `json:"webhookId"`
	EventID    string         `json:"eventId"`
	EventType  EventType      `json:"eventType"`
	OccurredAt time.Time      `json:"occurredAt"`
	Status     DeliveryStatus `json:"status"`
	Attempts   []Attempt      `json:"attempts"`
}

// Attempt is one try of a delivery.
type Attempt struct {
	At time.Time `json:"at"`
	// Status is the endpoint's HTTP status, 0 when it gave none.
	Status     int    `json:"status"`
	Error      string `json:"error,omitempty"`
	DurationMs int64  `json:"durationMs"`
}

// Key orders a webhook's deliveries by the time of their event,
// then id: the log lists them newest first, and a delivery's key is the same
// whenever its event is handed over.
func (d Delivery) Key() string {
	return d.OccurredAt.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + d.EventID
}
