package campaigns_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/infra/coldstart"
	"github.com/fidelio/fidelio/shared/awsjson"
	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/metrics/emftest"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/store/storetest"
)

// TestAFanOutGoesThroughSQS runs a campaign's fan-out as the campaigns
// function does in AWS, on a queue of moto_server (127.0.0.1): the first
// page sent by Start, each message received with its receive count, handed
// to HandleSQS as Lambda's event source would, and deleted unless reported
// failed. Each consenting member is delivered to once and the campaign ends.
func TestAFanOutGoesThroughSQS(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cfg := coldstart.UseMoto(ctx, t)
	call := func(target string, in, out any) {
		t.Helper()
		op := awsjson.Operation{ServiceID: "SQS", SigningName: "sqs", Target: "AmazonSQS." + target, Version: "1.0"}
		if err := awsjson.Call(ctx, http.DefaultClient, cfg, op, in, out); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
	var queue struct{ QueueUrl string }
	call("CreateQueue", map[string]string{"QueueName": "campaigns"}, &queue)

	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	program := loyalty.NewProgram(s, storetest.NewClock(storetest.Start), nil)
	for i := range 7 {
		if _, err := program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: fmt.Sprintf("m%d@example.com", i), Marketing: i != 3}}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := loyalty.NewCampaign(loyalty.NewRandomIDs(), storetest.Start, "owner", loyalty.Campaign{Name: "spring", Message: loyalty.Texts{EN: "Hello"}, BonusPoints: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCampaign(ctx, c, loyalty.NewAudit(loyalty.NewRandomIDs(), storetest.Start, loyalty.Actor{}, "campaign.create", c.ID, "")); err != nil {
		t.Fatal(err)
	}
	f := &campaigns.Fanout{Store: s, Program: program, Queue: &campaigns.SQS{Config: cfg, QueueURL: queue.QueueUrl, Client: http.DefaultClient},
		PageSize: 2, Workers: 2, Logger: slog.New(slog.DiscardHandler)}
	var emitted bytes.Buffer
	defer metrics.SetOutput(&emitted)()
	if err := f.Start(ctx, c); err != nil {
		t.Fatal(err)
	}
	for handled := 0; ; handled++ {
		if handled > 20 {
			t.Fatal("the fan-out does not end")
		}
		var got struct {
			Messages []struct {
				MessageId, ReceiptHandle, Body string
				Attributes                     map[string]string
			}
		}
		call("ReceiveMessage", map[string]any{"QueueUrl": queue.QueueUrl, "MaxNumberOfMessages": 1, "WaitTimeSeconds": 1,
			"MessageSystemAttributeNames": []string{"ApproximateReceiveCount"}}, &got)
		if len(got.Messages) == 0 {
			break
		}
		m := got.Messages[0]
		resp, err := f.HandleSQS(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: m.MessageId, Body: m.Body, Attributes: m.Attributes}}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("the page failed: %v %+v", err, resp)
		}
		call("DeleteMessage", map[string]string{"QueueUrl": queue.QueueUrl, "ReceiptHandle": m.ReceiptHandle}, &struct{}{})
	}
	got, err := s.Campaign(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Finished() || got.Pages != 4 || got.Targeted != 6 || got.Delivered != 6 {
		t.Fatalf("progress %+v, want 6 delivered over 4 pages, finished", got.CampaignProgress)
	}
	if n := emftest.Sum(emftest.Parse(t, emitted.Bytes()), "CampaignDeliveries", nil); n != 6 {
		t.Errorf("CampaignDeliveries metric %v, want 6", n)
	}
}
