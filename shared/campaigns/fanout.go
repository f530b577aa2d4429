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

// Message asks for the page of a campaign, or of a card refresh, after
// Pages pages done.
type Message struct {
	CampaignID string `json:"campaignId,omitempty"`
	RefreshID  string `json:"refreshId,omitempty"`
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
	CardRefresh(ctx context.Context, id string) (loyalty.CardRefresh, error)
	AdvanceCardRefresh(ctx context.Context, r loyalty.CardRefresh, fromPages int64) error
	// Shops are the program's stores, which a store's refresh compares
	// the passes' places with; Promotions the promotions as they are now
	// (one ended early since its refresh was made).
	Shops(ctx context.Context) ([]loyalty.Shop, error)
	Promotions(ctx context.Context) ([]loyalty.Promotion, error)
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

// RefreshStore keeps the card refreshes a start saves.
type RefreshStore interface {
	SaveCardRefresh(ctx context.Context, r loyalty.CardRefresh) (created bool, err error)
	CardRefresh(ctx context.Context, id string) (loyalty.CardRefresh, error)
}

// StartRefresh saves a card refresh and sends its first message, which
// waits for its StartsAt. The same change asking again starts nothing new:
// the refresh saved first is kept, and sent again only while unfinished (a
// start whose message was lost, as a retried request).
func (f *Fanout) StartRefresh(ctx context.Context, refreshes RefreshStore, r loyalty.CardRefresh) error {
	created, err := refreshes.SaveCardRefresh(ctx, r)
	if err != nil {
		return err
	}
	if !created {
		if r, err = refreshes.CardRefresh(ctx, r.ID); err != nil || r.Finished() {
			return err
		}
	}
	return f.Queue.Send(ctx, Message{RefreshID: r.ID, Pages: r.Pages}, min(max(r.StartsAt.Sub(f.Program.Now()), 0), MaxDelay))
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

// run is one fan-out as its messages see it: a campaign or a card refresh.
type run struct {
	id       string
	startsAt time.Time
	progress loyalty.CampaignProgress
	// page delivers to the members of the next page; advance records it.
	page    func(ctx context.Context) (loyalty.CampaignPage, error)
	advance func(ctx context.Context, p loyalty.CampaignProgress) error
	message func(pages int64) Message
}

// load is the fan-out a message names; nil when it is no more.
func (f *Fanout) load(ctx context.Context, m Message) (*run, error) {
	if m.RefreshID != "" {
		r, err := f.Store.CardRefresh(ctx, m.RefreshID)
		if errors.Is(err, loyalty.ErrRefreshNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &run{id: "refresh " + r.ID, startsAt: r.StartsAt, progress: r.CampaignProgress,
			page: func(ctx context.Context) (loyalty.CampaignPage, error) { return f.refreshPage(ctx, r) },
			advance: func(ctx context.Context, p loyalty.CampaignProgress) error {
				from := r.Pages
				r.CampaignProgress = p
				return f.Store.AdvanceCardRefresh(ctx, r, from)
			},
			message: func(pages int64) Message { return Message{RefreshID: r.ID, Pages: pages} },
		}, nil
	}
	c, err := f.Store.Campaign(ctx, m.CampaignID)
	if errors.Is(err, loyalty.ErrCampaignNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &run{id: "campaign " + c.ID, startsAt: c.StartsAt, progress: c.CampaignProgress,
		page: func(ctx context.Context) (loyalty.CampaignPage, error) { return f.page(ctx, c) },
		advance: func(ctx context.Context, p loyalty.CampaignProgress) error {
			from := c.Pages
			c.CampaignProgress = p
			return f.Store.AdvanceCampaign(ctx, c, from)
		},
		message: func(pages int64) Message { return Message{CampaignID: c.ID, Pages: pages} },
	}, nil
}

// step does the page and says what to send next (nil: nothing).
func (f *Fanout) step(ctx context.Context, m Message, redelivered bool) (*Message, time.Duration, error) {
	r, err := f.load(ctx, m)
	if r == nil || err != nil {
		return nil, 0, err
	}
	now := f.Program.Now()
	switch p := r.progress; {
	case !p.FinishedAt.IsZero():
		return nil, 0, nil
	case p.Pages > m.Pages:
		// The page was done. Whoever did it sent the next message, unless
		// it stopped between the two: then this message comes again, and
		// sends it. A first delivery is a duplicate of the one that did it.
		if !redelivered {
			return nil, 0, nil
		}
		next := r.message(p.Pages)
		return &next, 0, nil
	case p.Pages < m.Pages:
		return nil, 0, nil
	case now.Before(r.startsAt):
		return &m, min(r.startsAt.Sub(now), MaxDelay), nil
	}
	page, err := r.page(ctx)
	if err != nil {
		return nil, 0, err
	}
	p := r.progress.Apply(page)
	switch err := r.advance(ctx, p); {
	case errors.Is(err, loyalty.ErrVersionConflict):
		return nil, 0, nil // another handler did the page, and sends the next
	case err != nil:
		return nil, 0, err
	}
	// Counted once the page is recorded: a page done again counts nothing.
	metrics.Emit(nil, metrics.Value{Name: "CampaignDeliveries", Unit: metrics.Count, Value: page.Delivered},
		metrics.Value{Name: "CampaignFailures", Unit: metrics.Count, Value: page.Failed})
	if !p.FinishedAt.IsZero() {
		f.Logger.InfoContext(ctx, "fan-out done", slog.String("of", r.id), slog.Int64("targeted", p.Targeted),
			slog.Int64("delivered", p.Delivered), slog.Int64("failed", p.Failed))
		return nil, 0, nil
	}
	next := r.message(p.Pages)
	return &next, 0, nil
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
	var ids []string
	for _, m := range members {
		// The export's read may be a moment old: DeliverCampaign decides
		// on the account read again. This only spares the others a read.
		if m.Marketing && c.Segment.Matches(m, q, today) {
			ids = append(ids, m.ID)
		}
	}
	return page, f.deliver(ctx, "campaign "+c.ID, ids, &page, func(id string) (loyalty.Delivered, error) {
		return f.Program.DeliverCampaign(ctx, c, q, id)
	})
}

// refreshPage moves the cards of the members of the refresh's next page
// that it changes.
func (f *Fanout) refreshPage(ctx context.Context, r loyalty.CardRefresh) (loyalty.CampaignPage, error) {
	members, next, err := f.Store.ExportMembers(ctx, r.Cursor, max(f.PageSize, 1))
	if err != nil {
		return loyalty.CampaignPage{}, fmt.Errorf("read the members of card refresh %s: %w", r.ID, err)
	}
	var shops []loyalty.Shop
	if r.Store != nil {
		if shops, err = f.Store.Shops(ctx); err != nil {
			return loyalty.CampaignPage{}, fmt.Errorf("read the stores: %w", err)
		}
	}
	if r.Promotion != nil {
		ps, err := f.Store.Promotions(ctx)
		if err != nil {
			return loyalty.CampaignPage{}, fmt.Errorf("read the promotions: %w", err)
		}
		for _, p := range ps {
			if p.ID == r.Promotion.ID {
				r.Promotion = &p
			}
		}
	}
	page := loyalty.CampaignPage{Number: r.Pages + 1, Next: next, Last: next == "", At: f.Program.Now()}
	var ids []string
	for _, m := range members {
		// A member this refresh reached is counted again when a page is
		// done again.
		if m.CardRefresh == r.ID || r.Reaches(m, shops, page.At) {
			ids = append(ids, m.ID)
		}
	}
	return page, f.deliver(ctx, "refresh "+r.ID, ids, &page, func(id string) (loyalty.Delivered, error) {
		return f.Program.RefreshCard(ctx, r, shops, id)
	})
}

// deliver does deliver for each of ids, Workers at once, and counts it on
// page. A failure of the store fails the page, which is done again.
func (f *Fanout) deliver(ctx context.Context, of string, ids []string, page *loyalty.CampaignPage, deliver func(id string) (loyalty.Delivered, error)) error {
	var (
		mu     sync.Mutex
		failed error
		wg     sync.WaitGroup
		work   = make(chan string)
	)
	for range max(f.Workers, 1) {
		wg.Go(func() {
			for id := range work {
				got, err := deliver(id)
				mu.Lock()
				switch {
				case err == nil && got == loyalty.NotTargeted:
				case err == nil:
					page.Targeted++
					page.Delivered++
				case isRefusal(err):
					f.Logger.WarnContext(ctx, "not delivered", slog.String("of", of), slog.String("memberId", id), slog.String("error", err.Error()))
					page.Targeted++
					page.Failed++
				default:
					failed = errors.Join(failed, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	return failed
}

// isRefusal tells a member the campaign cannot reach (an account at its
// limit, one that kept changing) from a failure of the store, after which
// the page is done again.
func isRefusal(err error) bool {
	return errors.Is(err, loyalty.ErrPointsLimit) || errors.Is(err, loyalty.ErrBusy) || errors.Is(err, loyalty.ErrInvalid)
}
