package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fidelio/fidelio/shared/awsjson"
	"github.com/fidelio/fidelio/shared/loyalty"
)

// SQS is the fan-out's queue in AWS, called through the signed JSON call
// (the SDK's SQS client would add its schema to the binaries).
type SQS struct {
	Config   aws.Config
	QueueURL string
	Client   *http.Client
}

var sendMessage = awsjson.Operation{ServiceID: "SQS", SigningName: "sqs", Target: "AmazonSQS.SendMessage", Version: "1.0"}

func (q *SQS) Send(ctx context.Context, m Message, delay time.Duration) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	in := map[string]any{"QueueUrl": q.QueueURL, "MessageBody": string(body), "DelaySeconds": int(min(delay, MaxDelay) / time.Second)}
	if err := awsjson.Call(ctx, q.Client, q.Config, sendMessage, in, &struct{}{}); err != nil {
		return fmt.Errorf("send the fan-out's message: %w", err)
	}
	return nil
}

// HandleSQS is the campaigns function's handler: each record is a page to
// do. A record that fails is reported alone and comes back after the
// queue's visibility timeout; after maxReceiveCount, to the dead-letter
// queue, and the campaign waits there for an operator (its progress says
// where it stopped).
func (f *Fanout) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var out events.SQSEventResponse
	for _, rec := range ev.Records {
		var m Message
		err := json.Unmarshal([]byte(rec.Body), &m)
		if err == nil {
			err = f.Handle(ctx, m, rec.Attributes["ApproximateReceiveCount"] != "1")
		}
		if err != nil {
			f.Logger.ErrorContext(ctx, "campaign page failed", slog.String("messageId", rec.MessageId), slog.String("error", err.Error()))
			out.BatchItemFailures = append(out.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return out, nil
}

// Local is the fan-out's queue in the local stack: each message is handled
// by a goroutine of the process, after its delay, and again after a
// failure, once Run started the queue. What a stop loses is taken up by
// Resume at the next start, from the progress recorded in the store.
type Local struct {
	// Handle is Fanout.Handle.
	Handle func(ctx context.Context, m Message, redelivered bool) error
	Logger *slog.Logger
	// Retry is how long a failed message waits before it is handled again.
	Retry time.Duration
	// Hop, when set, is the longest a message waits before it is handled,
	// as MaxDelay is on SQS: a fan-out not due yet sends itself back, so one
	// waiting for a moment of a clock that jumps (a test's) starts then.
	Hop time.Duration

	ctx     context.Context
	started chan struct{}
	mu      sync.Mutex
	pending int
	idle    chan struct{}
}

// NewLocal returns a queue that holds its messages until Run.
func NewLocal(logger *slog.Logger) *Local {
	return &Local{Logger: logger, Retry: time.Second, started: make(chan struct{})}
}

// Run handles the messages, those sent before included, until ctx ends.
func (q *Local) Run(ctx context.Context) {
	q.ctx = ctx
	close(q.started)
}

func (q *Local) Send(_ context.Context, m Message, delay time.Duration) error {
	q.mu.Lock()
	q.pending++
	q.mu.Unlock()
	go func() {
		defer q.done()
		<-q.started
		for redelivered := false; ; redelivered = true {
			if q.Hop > 0 {
				delay = min(delay, q.Hop)
			}
			if !q.sleep(delay) {
				return
			}
			err := q.Handle(q.ctx, m, redelivered)
			if err == nil {
				return
			}
			q.Logger.ErrorContext(q.ctx, "fan-out page failed; done again", slog.String("campaign", m.CampaignID), slog.String("refresh", m.RefreshID), slog.String("error", err.Error()))
			delay = q.Retry
		}
	}()
	return nil
}

// sleep waits d, and reports false when the queue stopped meanwhile.
func (q *Local) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-q.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (q *Local) done() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending--; q.pending == 0 && q.idle != nil {
		close(q.idle)
		q.idle = nil
	}
}

// Idle returns a channel closed when no message is left: every campaign
// sent is finished, or the queue stopped (the tests wait on it).
func (q *Local) Idle() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	ch := make(chan struct{})
	if q.pending == 0 {
		close(ch)
		return ch
	}
	if q.idle == nil {
		q.idle = make(chan struct{})
	}
	return q.idle
}

// Resume sends the next page of each campaign given that is not finished:
// at a start of the local stack, for the fan-outs a stop cut short.
func (f *Fanout) Resume(ctx context.Context, campaigns []loyalty.Campaign) error {
	for _, c := range campaigns {
		if c.Finished() {
			continue
		}
		delay := min(max(c.StartsAt.Sub(f.Program.Now()), 0), MaxDelay)
		if err := f.Queue.Send(ctx, Message{CampaignID: c.ID, Pages: c.Pages}, delay); err != nil {
			return err
		}
	}
	return nil
}

// ResumeRefreshes sends the next page of each card refresh given that is
// not finished, as Resume does for campaigns.
func (f *Fanout) ResumeRefreshes(ctx context.Context, refreshes []loyalty.CardRefresh) error {
	for _, r := range refreshes {
		if r.Finished() {
			continue
		}
		delay := min(max(r.StartsAt.Sub(f.Program.Now()), 0), MaxDelay)
		if err := f.Queue.Send(ctx, Message{RefreshID: r.ID, Pages: r.Pages}, delay); err != nil {
			return err
		}
	}
	return nil
}
