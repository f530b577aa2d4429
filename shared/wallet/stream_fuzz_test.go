package wallet_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/wallet"
)

// FuzzStream hands the pass updater any batch of stream records, decoded as
// Lambda decodes them and read by the DynamoDB store's StreamMember and
// StreamRules: nothing
// panics, a member read from an image reads the same again from its own
// image, and the failures reported are the records from the first failure
// on, by sequence number.
func FuzzStream(f *testing.F) {
	if b, err := os.ReadFile("../../events/passupdater/member-earned.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"PK":{"S":"MEMBER#x"},"SK":{"S":"PROFILE"},"balance":{"S":"ten"}}}},{"dynamodb":{"SequenceNumber":"2"}}]}`))
	f.Add([]byte(`{"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"PK":{"S":"MEMBER#x"},"SK":{"S":"PROFILE"},"qualifying":{"M":{"2026-11-23":{"N":"1e400"}}}}}}]}`))
	f.Add([]byte(`{"Records":[{"dynamodb":{"NewImage":{"PK":{"S":"MEMBER#x"},"SK":{"S":"PROFILE"},"tags":{"L":[{"NULL":true},{"BOOL":true},{"B":"AAEC"},{"SS":["a"]},{"NS":["1"]},{"BS":["AA=="]}]}}}}]}`))
	f.Add([]byte(`{"Records":[{"dynamodb":{"NewImage":{"PK":{"N":"1"},"SK":{}}}}]}`))
	// The program's rules saved, then rules whose data does not read.
	f.Add([]byte(`{"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"PK":{"S":"PROGRAM"},"SK":{"S":"RULES"},"data":{"S":"{\"name\":{\"en\":\"Rewards\"}}"},"version":{"N":"2"}}}}]}`))
	f.Add([]byte(`{"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"PK":{"S":"PROGRAM"},"SK":{"S":"RULES"},"data":{"S":"{"}}}},{"dynamodb":{"SequenceNumber":"2"}}]}`))
	updater := &wallet.Updater{Cards: &wallet.Cards{}, Logger: slog.New(slog.DiscardHandler)}
	handle := updater.HandleStream(dynamo.StreamMember, dynamo.StreamRules)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev events.DynamoDBEvent
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		for _, rec := range ev.Records {
			for _, image := range []map[string]events.DynamoDBAttributeValue{rec.Change.NewImage, rec.Change.OldImage} {
				m, ok, err := dynamo.StreamMember(image)
				if err != nil || !ok {
					continue
				}
				again, err := dynamo.MemberStreamImage(m)
				if err != nil {
					t.Fatalf("the member read from %s has no image: %v", data, err)
				}
				m2, ok, err := dynamo.StreamMember(again)
				first, _ := json.Marshal(m)
				second, _ := json.Marshal(m2)
				if err != nil || !ok || string(first) != string(second) {
					t.Fatalf("a member read from a stream image reads differently from its own image:\n%s\n%s (%v)", first, second, err)
				}
			}
		}
		resp, err := handle(context.Background(), ev)
		if err != nil {
			t.Fatalf("HandleStream returned %v: a batch is never failed whole", err)
		}
		if n := len(resp.BatchItemFailures); n > 0 {
			tail := ev.Records[len(ev.Records)-n:]
			for i, failure := range resp.BatchItemFailures {
				if failure.ItemIdentifier != tail[i].Change.SequenceNumber {
					t.Fatalf("failures %v are not the records from the first failure on", resp.BatchItemFailures)
				}
			}
		}
	})
}
