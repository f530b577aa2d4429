package events_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/storetest"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apns/apnstest"
	"github.com/fidelio/fidelio/shared/wire"
)

const streamSample = "passupdater/member-earned.json"

// TestStreamEventReplay replays the pass updater's sample: a stream record
// of a member whose balance an earning changed, as the table's stream with
// NEW_AND_OLD_IMAGES delivers it. Decoded strictly into the event type the
// function takes, it must make exactly one push to the registered device.
func TestStreamEventReplay(t *testing.T) {
	_, cfg, deps := program(t)
	ctx := context.Background()
	en, err := deps.Program.Enroll(ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Ada Lovelace", Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		rc, err := deps.Program.Earn(ctx, loyalty.EarnRequest{MemberID: en.Member.ID, Amount: loyalty.Money{Value: 52000, Currency: "EUR"}, StoreID: "paris-rivoli", ReceiptID: "R-0100", Actor: loyalty.Actor{Who: loyalty.WhoStaff, StoreID: "paris"}, Confirmed: true})
		if err != nil {
			t.Fatal(err)
		}
		after, _ := deps.Store.Member(ctx, rc.Entry.MemberID)
		recordStream(t, en.Member, after)
	}
	data, err := os.ReadFile(streamSample)
	if err != nil {
		t.Fatalf("%v (run go test ./events -update)", err)
	}
	var ev events.DynamoDBEvent
	if err := decodeStrict(data, &ev); err != nil {
		t.Fatalf("%s is not a DynamoDB stream event: %v", streamSample, err)
	}
	pushes := apnstest.New(t)
	updater, err := wire.NewUpdater(cfg, deps.Cards.(*wallet.Cards), deps.Store, deps.Logger, pushes.URL, pushes.Roots())
	if err != nil {
		t.Fatal(err)
	}
	deps.Store.Register(ctx, store.Registration{DeviceID: "d41d8cd98f00b204e9800998ecf8427e", Serial: en.Member.Serial, PushToken: "sample-push-token", CreatedAt: storetest.Start})
	for range 2 { // the record delivered again pushes nothing more
		resp, err := updater.HandleStream(dynamo.StreamMember, dynamo.StreamRules)(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("stream batch: %+v, %v", resp, err)
		}
	}
	if got := pushes.Pushes(); len(got) != 1 || got[0].Token != "sample-push-token" || got[0].Topic != passType {
		t.Fatalf("pushes = %+v, want one to the registered device", got)
	}
}

func recordStream(t *testing.T, before, after loyalty.Member) {
	t.Helper()
	oldImage, err := dynamo.MemberStreamImage(before)
	if err != nil {
		t.Fatal(err)
	}
	newImage, err := dynamo.MemberStreamImage(after)
	if err != nil {
		t.Fatal(err)
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
		AWSRegion: "eu-west-3", EventID: "c4ca4238a0b923820dcc509a6f75849b", EventName: "MODIFY", EventSource: "aws:dynamodb", EventVersion: "1.1",
		EventSourceArn: "arn:aws:dynamodb:eu-west-3:123456789012:table/fidelio-dev/stream/2026-11-23T10:00:00.000",
		Change: events.DynamoDBStreamRecord{
			ApproximateCreationDateTime: events.SecondsEpochTime{Time: storetest.Start.Add(time.Second)},
			Keys:                        map[string]events.DynamoDBAttributeValue{"PK": newImage["PK"], "SK": newImage["SK"]},
			NewImage:                    newImage, OldImage: oldImage,
			SequenceNumber: "4421584500000000017450439091", SizeBytes: 1024, StreamViewType: "NEW_AND_OLD_IMAGES",
		},
	}}}
	b, _ := json.MarshalIndent(ev, "", "  ")
	os.MkdirAll("passupdater", 0o755)
	if err := os.WriteFile(streamSample, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
