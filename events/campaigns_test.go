package events_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/loyalty"
)

const campaignSample = "campaigns/page.json"

// sentPages records what the fan-out sends to its queue.
type sentPages []campaigns.Message

func (q *sentPages) Send(_ context.Context, m campaigns.Message, _ time.Duration) error {
	*q = append(*q, m)
	return nil
}

// TestCampaignPageEventReplay replays the campaigns function's sample: the
// first page of a campaign, as its SQS queue delivers it. Decoded strictly
// into the event type the function takes, it must deliver the campaign to
// the one consenting member and finish it; delivered again as a first
// delivery (a duplicate), it must do nothing more.
func TestCampaignPageEventReplay(t *testing.T) {
	_, _, deps := program(t)
	ctx := context.Background()
	en, err := deps.Program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Ada Lovelace", Email: "ada@example.com", Marketing: true}})
	if err != nil {
		t.Fatal(err)
	}
	now := deps.Program.Now()
	c, err := loyalty.NewCampaign(deps.IDs, now, "owner", loyalty.Campaign{Name: "Spring weekend", Message: loyalty.Texts{EN: "Double points this weekend"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	audit := loyalty.NewAudit(deps.IDs, now, loyalty.Actor{Who: loyalty.WhoProgram}, "campaign.create", c.ID, c.Name)
	if err := deps.Store.SaveCampaign(ctx, c, audit); err != nil {
		t.Fatal(err)
	}
	if *update {
		recordCampaignPage(t, campaigns.Message{CampaignID: c.ID})
	}
	data, err := os.ReadFile(campaignSample)
	if err != nil {
		t.Fatalf("%v (run go test ./events -update)", err)
	}
	var ev events.SQSEvent
	if err := decodeStrict(data, &ev); err != nil {
		t.Fatalf("%s is not an SQS event: %v", campaignSample, err)
	}
	var sent sentPages
	f := &campaigns.Fanout{Store: deps.Store, Program: deps.Program, Queue: &sent, PageSize: campaigns.PageSize, Workers: campaigns.Workers, Logger: deps.Logger}
	for range 2 {
		resp, err := f.HandleSQS(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("campaign page: %+v, %v", resp, err)
		}
	}
	got, err := deps.Store.Campaign(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Finished() || got.Targeted != 1 || got.Delivered != 1 || len(sent) != 0 {
		t.Fatalf("campaign after its page: %+v, next pages sent %v; want it finished, delivered to the one member", got.CampaignProgress, sent)
	}
	m, err := deps.Store.Member(ctx, en.Member.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.News == nil || m.News.Text.EN != "Double points this weekend" {
		t.Fatalf("the member's card news: %+v, want the campaign's message", m.News)
	}
}

func recordCampaignPage(t *testing.T, m campaigns.Message) {
	t.Helper()
	body, _ := json.Marshal(m)
	sum := md5.Sum(body)
	ev := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: "059f36b4-87a3-44ab-83d2-661975830a7d", ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
		Body: string(body), Md5OfBody: hex.EncodeToString(sum[:]), EventSource: "aws:sqs", AWSRegion: "eu-west-3",
		EventSourceARN: "arn:aws:sqs:eu-west-3:123456789012:fidelio-dev-CampaignQueue",
		Attributes: map[string]string{
			"ApproximateReceiveCount": "1", "SentTimestamp": "1795860000000", "SenderId": "AROAEXAMPLE:fidelio-dev-AdminFunction",
			"ApproximateFirstReceiveTimestamp": "1795860000100",
		},
		MessageAttributes: map[string]events.SQSMessageAttribute{},
	}}}
	b, _ := json.MarshalIndent(ev, "", "  ")
	os.MkdirAll("campaigns", 0o755)
	if err := os.WriteFile(campaignSample, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
