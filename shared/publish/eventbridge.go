package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fidelio/fidelio/shared/awsjson"
	"github.com/fidelio/fidelio/shared/loyalty"
)

// Source is the source of every event on the bus; its detail-type is the
// event's type and its detail the event (loyalty.Event), so a rule matches
// {"source": ["fidelio"], "detail-type": ["points.earned"]}.
const Source = "fidelio"

var putEvents = awsjson.Operation{ServiceID: "EventBridge", SigningName: "events", Target: "AWSEvents.PutEvents"}

// EventBridge puts events on a bus with PutEvents, called through awsjson
// rather than the SDK's client (whose schema would weigh on the binary).
type EventBridge struct {
	Config aws.Config
	Bus    string
	Client *http.Client
}

// NewEventBridge puts on the bus named (or its ARN) with cfg's credentials.
func NewEventBridge(cfg aws.Config, bus string) *EventBridge {
	return &EventBridge{Config: cfg, Bus: bus, Client: &http.Client{Timeout: 10 * time.Second}}
}

type putEntry struct {
	Source       string
	DetailType   string
	Detail       string
	EventBusName string
	Time         int64
}

// Put puts es, ten a call (PutEvents' most). An entry the bus refused
// fails the call: the change is handed over again, with the same ids.
func (b *EventBridge) Put(ctx context.Context, es []loyalty.Event) error {
	for len(es) > 0 {
		n := min(len(es), 10)
		entries := make([]putEntry, n)
		for i, e := range es[:n] {
			detail, err := json.Marshal(e)
			if err != nil {
				return err
			}
			entries[i] = putEntry{Source: Source, DetailType: string(e.Type), Detail: string(detail), EventBusName: b.Bus, Time: e.OccurredAt.Unix()}
		}
		var out struct {
			FailedEntryCount int
			Entries          []struct{ EventId, ErrorCode, ErrorMessage string }
		}
		if err := awsjson.Call(ctx, b.Client, b.Config, putEvents, map[string]any{"Entries": entries}, &out); err != nil {
			return fmt.Errorf("put events on %s: %w", b.Bus, err)
		}
		if out.FailedEntryCount > 0 {
			for i, r := range out.Entries {
				if r.ErrorCode != "" {
					return fmt.Errorf("put events on %s: %d of %d refused, %s first: %s %s", b.Bus, out.FailedEntryCount, n, es[i].ID, r.ErrorCode, r.ErrorMessage)
				}
			}
			return fmt.Errorf("put events on %s: %d of %d refused", b.Bus, out.FailedEntryCount, n)
		}
		es = es[n:]
	}
	return nil
}
