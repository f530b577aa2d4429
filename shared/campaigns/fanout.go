// Package campaigns carries a campaign's message to its members: the
// fan-out reads the members a page at a time and delivers to each
// (loyalty.Program.DeliverCampaign), and a queue carries the page to do
// next — SQS and the campaigns function in AWS, a queue in the process
// locally — so that a fan-out cut short resumes where it stopped and
// reaches each member once.
package campaigns

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/metrics"
)

// Message asks for the page of a campaign after Pages pages done.
type Message struct {
	CampaignID string `json:"campaignId"`
	Pages      int64  `json:"pages"`
}

// Queue carries the fan-out's messages; delay holds one back (at most
// MaxDelay).
type Queue interface {
	Send(ctx context.Context, m Message, delay time.Duration) error
}

// MaxDelay is the longest an SQS message can be held back: a campaign that
// starts later waits in several steps.
const MaxDelay = 15 * time.Minute

// PageSize and Workers suit a page to a Lambda's 300 s: 500 members read,
// 16 delivered at once (about 30 ms each on DynamoDB), about a second.
const (
	PageSize = 500
	Workers  = 16
)

// Store is what the fan-out reads and records.
type Store interface {
	Campaign(ctx context.Context, id string) (loyalty.Campaign, error)
	AdvanceCampaign(ctx context.Context, c loyalty.Campaign, fromPages int64) error
	ExportMembers(ctx context.Context, cursor string, limit int) (members []loyalty.Member, next string, err error)
	// Quintiles are the program's RFM quintiles as the segments job last
	// saved them, which a segment's class is scored against.
	Quintiles(ctx context.Context) (loyalty.Quintiles, error)
}

// Fanout does the pages of campaigns.
type Fanout struct {
	Store   Store
	Program *loyalty.Program
	Queue   Queue
	// PageSize is how many members a page reads (the export's limit);
	// Workers how many of them are delivered to at once.
	PageSize, Workers int
	Logger            *slog.Logger
}

// Start sends a new campaign's first message.
func (f *Fanout) Start(ctx context.Context, c loyalty.Campaign) error {
	return f.Queue.Send(ctx, Message{CampaignID: c.ID}, min(max(c.StartsAt.Sub(f.Program.Now()), 0), MaxDelay))
}

// Handle does the page a message asks for and sends the message of the next
// one. redelivered says the queue handed this message over before (its
// handling failed or was cut short). A non-nil error asks for the message
// again: the page is done again, and the members it reached are skipped.
func (f *Fanout) Handle(ctx context.Context, m Message, redelivered bool) error {
	next, delay, err := f.step(ctx, m, redelivered)
	if err != nil || next == nil {
		return err
	}
	return f.Queue.Send(ctx, *next, delay)
}

// step does the page and says what to send next (nil: nothing).
func (f *Fanout) step(ctx context.Context, m Message, redelivered bool) (*Message, time.Duration, error) {
	c, err := f.Store.Campaign(ctx, m.CampaignID)
	if errors.Is(err, loyalty.ErrCampaignNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	now := f.Program.Now()
	switch {
	case c.Finished():
		return nil, 0, nil
	case c.Pages > m.Pages:
		// The page was done. Whoever did it sent the next message, unless
		// it stopped between the two: then this message comes again, and
		// sends it. A first delivery is a duplicate of the one that did it.
		if !redelivered {
			return nil, 0, nil
		}
		return &Message{CampaignID: c.ID, Pages: c.Pages}, 0, nil
	case c.Pages < m.Pages:
		return nil, 0, nil
	case now.Before(c.StartsAt):
		return &m, min(c.StartsAt.Sub(now), MaxDelay), nil
	}
	page, err := f.page(ctx, c)
	if err != nil {
		return nil, 0, err
	}
	c.CampaignProgress = c.Apply(page)
	switch err := f.Store.AdvanceCampaign(ctx, c, m.Pages); {
	case errors.Is(err, loyalty.ErrVersionConflict):
		return nil, 0, nil // another handler did the page, and sends the next
	case err != nil:
		return nil, 0, err
	}
	// Counted once the page is recorded: a page done again counts nothing.
	metrics.Emit(nil, metrics.Value{Name: "CampaignDeliveries", Unit: metrics.Count, Value: page.Delivered},
		metrics.Value{Name: "CampaignFailures", Unit: metrics.Count, Value: page.Failed})
	if c.Finished() {
		f.Logger.InfoContext(ctx, "campaign delivered", slog.String("campaign", c.ID), slog.Int64("targeted", c.Targeted),
			slog.Int64("delivered", c.Delivered), slog.Int64("failed", c.Failed))
		return nil, 0, nil
	}
	return &Message{CampaignID: c.ID, Pages: c.Pages}, 0, nil
}

// page delivers the campaign to the members of its next page.
func (f *Fanout) page(ctx context.Context, c loyalty.Campaign) (loyalty.CampaignPage, error) {
	members, next, err := f.Store.ExportMembers(ctx, c.Cursor, max(f.PageSize, 1))
	if err != nil {
		return loyalty.CampaignPage{}, fmt.Errorf("read the members of campaign %s: %w", c.ID, err)
	}
	q, err := f.Store.Quintiles(ctx)
	if err != nil {
		return loyalty.CampaignPage{}, fmt.Errorf("read the quintiles: %w", err)
	}
	page := loyalty.CampaignPage{Number: c.Pages + 1, Next: next, Last: next == "", At: f.Program.Now()}
	today := loyalty.DateOf(page.At)
	var (
		mu     sync.Mutex
		failed error
		wg     sync.WaitGroup
		work   = make(chan string)
	)
	for range max(f.Workers, 1) {
		wg.Go(func() {
			for id := range work {
				got, err := f.Program.DeliverCampaign(ctx, c, q, id)
				mu.Lock()
				switch {
				case err == nil && got == loyalty.NotTargeted:
				case err == nil:
					page.Targeted++
					page.Delivered++
				case isRefusal(err):
					f.Logger.WarnContext(ctx, "campaign not delivered", slog.String("campaign", c.ID), slog.String("memberId", id), slog.String("error", err.Error()))
					page.Targeted++
					page.Failed++
				default:
					failed = errors.Join(failed, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, m := range members {
		// The export's read may be a moment old: DeliverCampaign decides
		// on the account read again. This only spares the others a read.
		if m.Marketing && c.Segment.Matches(m, q, today) {
			work <- m.ID
		}
	}
	close(work)
	wg.Wait()
	return page, failed
}

// isRefusal tells a member the campaign cannot reach (an account at its
// limit, one that kept changing) from a failure of the store, after which
// the page is done again.
func isRefusal(err error) bool {
	return errors.Is(err, loyalty.ErrPointsLimit) || errors.Is(err, loyalty.ErrBusy) || errors.Is(err, loyalty.ErrInvalid)
}
