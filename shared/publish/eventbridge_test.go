package publish_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/infra/coldstart"
	"github.com/fidelio/fidelio/shared/awsjson"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/publish"
	"github.com/fidelio/fidelio/shared/store/dynamo"
)

// TestTheStreamReachesTheBus hands the stream records of an enrollment and
// an earning, as Lambda would, to the publisher's handler on an EventBridge
// bus of moto_server (127.0.0.1), whose rule sends the bus's events to a
// queue: the queue receives each event once, as the documented envelope.
func TestTheStreamReachesTheBus(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cfg := coldstart.UseMoto(ctx, t)
	call := func(service, target string, in, out any) {
		t.Helper()
		op := awsjson.Operation{ServiceID: service, SigningName: map[string]string{"EventBridge": "events", "SQS": "sqs"}[service], Target: target}
		if err := awsjson.Call(ctx, http.DefaultClient, cfg, op, in, out); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
	var queue struct{ QueueUrl string }
	call("SQS", "AmazonSQS.CreateQueue", map[string]string{"QueueName": "events"}, &queue)
	var attrs struct{ Attributes map[string]string }
	call("SQS", "AmazonSQS.GetQueueAttributes", map[string]any{"QueueUrl": queue.QueueUrl, "AttributeNames": []string{"QueueArn"}}, &attrs)
	call("EventBridge", "AWSEvents.CreateEventBus", map[string]string{"Name": "fidelio-test"}, &struct{}{})
	call("EventBridge", "AWSEvents.PutRule", map[string]string{"Name": "all", "EventBusName": "fidelio-test", "EventPattern": `{"source":["fidelio"]}`}, &struct{}{})
	call("EventBridge", "AWSEvents.PutTargets", map[string]any{"Rule": "all", "EventBusName": "fidelio-test", "Targets": []map[string]string{{"Id": "queue", "Arn": attrs.Attributes["QueueArn"]}}}, &struct{}{})

	p := newProgram(t)
	m := p.enrollAndEarn()
	var ev events.DynamoDBEvent
	for _, ch := range p.changes() {
		var err error
		rec := events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{SequenceNumber: strconv.FormatUint(ch.Seq, 10)}}
		if rec.Change.NewImage, err = dynamo.MemberStreamImage(ch.After); err != nil {
			t.Fatal(err)
		}
		if ch.Before == nil {
			rec.EventName = "INSERT"
		} else if rec.Change.OldImage, err = dynamo.MemberStreamImage(*ch.Before); err != nil {
			t.Fatal(err)
		}
		ev.Records = append(ev.Records, rec)
	}
	pub := &publish.Publisher{Ledger: p.store, Bus: publish.NewEventBridge(cfg, "fidelio-test"), Logger: slog.New(slog.DiscardHandler)}
	resp, err := pub.HandleStream(dynamo.StreamMember)(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("the batch failed: %v %+v", err, resp)
	}

	got := map[string]loyalty.EventType{}
	for len(got) < 2 {
		var out struct {
			Messages []struct{ Body, ReceiptHandle string }
		}
		call("SQS", "AmazonSQS.ReceiveMessage", map[string]any{"QueueUrl": queue.QueueUrl, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1}, &out)
		if len(out.Messages) == 0 {
			t.Fatalf("the queue holds nothing more; received %v", got)
		}
		for _, msg := range out.Messages {
			var envelope struct {
				Source     string        `json:"source"`
				DetailType string        `json:"detail-type"`
				Detail     loyalty.Event `json:"detail"`
			}
			if err := json.Unmarshal([]byte(msg.Body), &envelope); err != nil {
				t.Fatalf("%v: %s", err, msg.Body)
			}
			if envelope.Source != "fidelio" || envelope.DetailType != string(envelope.Detail.Type) || envelope.Detail.MemberID != m.ID {
				t.Errorf("event %s", msg.Body)
			}
			if _, dup := got[envelope.Detail.ID]; dup {
				t.Errorf("event %s twice", envelope.Detail.ID)
			}
			got[envelope.Detail.ID] = envelope.Detail.Type
			call("SQS", "AmazonSQS.DeleteMessage", map[string]string{"QueueUrl": queue.QueueUrl, "ReceiptHandle": msg.ReceiptHandle}, &struct{}{})
		}
	}
	if got["evt_"+m.ID+"_enrolled"] != loyalty.EventMemberEnrolled || got["evt_"+m.ID+"-2"] != loyalty.EventPointsEarned {
		t.Errorf("the bus received %v, want the enrollment and the earning", got)
	}
}
