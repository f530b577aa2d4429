// Package publish sends the program's business events out (loyalty.Event):
// to an Amazon EventBridge bus in AWS, and to the webhooks the operator
// registers, signed. It works from the change stream — the DynamoDB stream
// in AWS, the embedded store's change feed locally — never inside a
// request, and sends each event at least once: a change handed over again
// gives the same events with the same ids, which consumers deduplicate.
package publish

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/memberstream"
	"github.com/fidelio/fidelio/shared/metrics"
)

// Bus takes events to a bus (EventBridge); every one or an error.
type Bus interface {
	Put(ctx context.Context, es []loyalty.Event) error
}

// Ledger reads the entries a change wrote.
type Ledger interface {
	Ledger(ctx context.Context, memberID string, before int64, limit int) ([]loyalty.LedgerEntry, error)
}

// Publisher turns changes of members into events and sends them.
type Publisher struct {
	Ledger Ledger
	// Bus is nil where there is no EventBridge (the local stack).
	Bus Bus
	// Hooks is nil where webhooks are not delivered.
	Hooks  *Hooks
	Logger *slog.Logger
}

// Changed sends the events of one committed change of a member, from before
// (nil for a new member) to after. A non-nil error means the change should
// be handed over again: what was sent is sent again with the same ids, and
// a webhook that had it already is not sent it again.
func (p *Publisher) Changed(ctx context.Context, before *loyalty.Member, after loyalty.Member) error {
	var entries []loyalty.LedgerEntry
	if first, last := loyalty.NewEntries(before, after); last >= first {
		var err error
		if entries, err = p.Ledger.Ledger(ctx, after.ID, last+1, int(last-first+1)); err != nil {
			return fmt.Errorf("read the entries %d to %d of %s: %w", first, last, after.ID, err)
		}
		slices.Reverse(entries) // the ledger lists newest first
	}
	es := loyalty.EventsOf(before, after, entries)
	if len(es) == 0 {
		return nil
	}
	if p.Bus != nil {
		if err := p.Bus.Put(ctx, es); err != nil {
			return err
		}
	}
	if p.Hooks != nil {
		if err := p.Hooks.Deliver(ctx, es); err != nil {
			return err
		}
	}
	eventMetrics(es)
	return nil
}

// eventMetrics counts what the events tell: earnings, and the points
// issued (earned, welcome and birthday presents) and redeemed. A change
// handed over again is counted again: the figures are at least the truth,
// the program's own counters (GET /v1/admin/stats) exactly.
func eventMetrics(es []loyalty.Event) {
	var earnings, issued, redeemed int64
	for _, e := range es {
		switch d := e.Data.(type) {
		case loyalty.EnrolledData:
			issued += d.Balance
		case loyalty.TransactionData:
			switch e.Type {
			case loyalty.EventPointsEarned:
				earnings++
				issued += d.Points
			case loyalty.EventBirthdayRewarded, loyalty.EventReferralRewarded:
				issued += d.Points
			case loyalty.EventPointsRedeemed:
				redeemed -= d.Points
			}
		}
	}
	metrics.Emit(nil,
		metrics.Value{Name: "Earnings", Unit: metrics.Count, Value: earnings},
		metrics.Value{Name: "PointsIssued", Unit: metrics.Count, Value: issued},
		metrics.Value{Name: "PointsRedeemed", Unit: metrics.Count, Value: redeemed},
		metrics.Value{Name: "Events", Unit: metrics.Count, Value: int64(len(es))})
}

// HandleStream is the event publisher's Lambda handler: each record is one
// change of an item, handed to Changed in order (memberstream.Handler).
func (p *Publisher) HandleStream(read memberstream.MemberImage) func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return memberstream.Handler(read, p.Changed, p.Logger, "events not published")
}
