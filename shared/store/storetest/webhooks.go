package storetest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

var webhookTests = []struct {
	name string
	fn   func(*env)
}{
	{"webhooks are saved, listed and deleted, each change audited", testWebhooks},
	{"a webhook's delivery log is replaced by key and pages newest first", testDeliveryLog},
}

func testWebhooks(e *env) {
	ids := &SeqIDs{}
	a, err := loyalty.NewWebhook(ids, Start, "https://shop.example/hooks", []loyalty.EventType{loyalty.EventPointsEarned})
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := loyalty.NewWebhook(ids, Start, "https://crm.example/fidelio", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, w := range []loyalty.Webhook{a, b} {
		if err := e.store.SaveWebhook(e.ctx, w, loyalty.NewAudit(ids, Start, Owner, "webhook.create", w.ID, w.URL)); err != nil {
			e.t.Fatal(err)
		}
	}
	got, err := e.store.Webhook(e.ctx, a.ID)
	if err != nil || got.URL != a.URL || got.Secret != a.Secret || !slices.Equal(got.Events, a.Events) || !got.CreatedAt.Equal(Start) {
		e.t.Fatalf("Webhook(a) = %+v, %v; want %+v", got, err, a)
	}
	all, err := e.store.Webhooks(e.ctx)
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		e.t.Fatalf("Webhooks = %+v, %v; want a then b", all, err)
	}
	if err := e.store.DeleteWebhook(e.ctx, a.ID, loyalty.NewAudit(ids, Start, Owner, "webhook.delete", a.ID, "")); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.Webhook(e.ctx, a.ID); !errors.Is(err, loyalty.ErrWebhookNotFound) {
		e.t.Errorf("Webhook after its deletion: %v, want ErrWebhookNotFound", err)
	}
	if err := e.store.DeleteWebhook(e.ctx, a.ID, loyalty.NewAudit(ids, Start, Owner, "webhook.delete", a.ID, "")); !errors.Is(err, loyalty.ErrWebhookNotFound) {
		e.t.Errorf("deleting it again: %v, want ErrWebhookNotFound", err)
	}
	if all, err := e.store.Webhooks(e.ctx); err != nil || len(all) != 1 || all[0].ID != b.ID {
		e.t.Errorf("Webhooks after a deletion = %+v, %v; want b alone", all, err)
	}
	want := []string{"webhook.delete " + a.ID, "webhook.create " + b.ID, "webhook.create " + a.ID}
	if got := actions(e.trail()); !slices.Equal(got, want) {
		e.t.Errorf("audit trail %q, want %q (the refused deletion recorded nothing)", got, want)
	}
}

func testDeliveryLog(e *env) {
	delivery := func(webhook string, n int) loyalty.Delivery {
		return loyalty.Delivery{
			WebhookID: webhook, EventID: fmt.Sprintf("evt_%d", n), EventType: loyalty.EventPointsEarned,
			OccurredAt: Start.Add(time.Duration(n) * time.Second), Status: loyalty.DeliveryPending,
		}
	}
	const hook, other = "01WEBHOOK00000000000000001", "01WEBHOOK00000000000000002"
	for n := 1; n <= 5; n++ {
		if err := e.store.SaveDelivery(e.ctx, delivery(hook, n)); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.store.SaveDelivery(e.ctx, delivery(other, 9)); err != nil {
		e.t.Fatal(err)
	}
	done := delivery(hook, 3)
	done.Status = loyalty.DeliveryDelivered
	done.Attempts = []loyalty.Attempt{{At: Start, Status: 500, Error: "answered 500", DurationMs: 12}, {At: Start.Add(time.Second), Status: 204, DurationMs: 3}}
	if err := e.store.SaveDelivery(e.ctx, done); err != nil {
		e.t.Fatal(err)
	}
	got, ok, err := e.store.Delivery(e.ctx, hook, done.Key())
	if err != nil || !ok || got.Status != loyalty.DeliveryDelivered || len(got.Attempts) != 2 || got.Attempts[0].Status != 500 || got.Attempts[1].Status != 204 {
		e.t.Fatalf("Delivery(3) = %+v, %v, %v; want it delivered at the second attempt", got, ok, err)
	}
	if _, ok, err := e.store.Delivery(e.ctx, other, done.Key()); ok || err != nil {
		e.t.Errorf("another webhook's delivery of the same event: %v, %v; want none", ok, err)
	}
	var events []string
	pages := 0
	for cursor := ""; ; pages++ {
		page, next, err := e.store.Deliveries(e.ctx, hook, cursor, 2)
		if err != nil {
			e.t.Fatalf("Deliveries(%q): %v", cursor, err)
		}
		for _, d := range page {
			events = append(events, d.EventID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if want := []string{"evt_5", "evt_4", "evt_3", "evt_2", "evt_1"}; !slices.Equal(events, want) || pages != 2 {
		e.t.Errorf("the log lists %q in %d pages after the first, want %q in 2", events, pages, want)
	}
	if page, next, err := e.store.Deliveries(e.ctx, "01WEBHOOK00000000000000003", "", 10); err != nil || len(page) != 0 || next != "" {
		e.t.Errorf("the log of a webhook without deliveries: %v, %q, %v", page, next, err)
	}
}
