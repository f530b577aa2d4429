package dynamo_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store/dynamo"
)

func TestStreamImagesRoundTrip(t *testing.T) {
	m := loyalty.Member{
		ID: "01M83XJ880G3SNSD86VQ1KAVWD", Name: "Ada", Email: "ada@example.com", Tier: loyalty.Silver, Balance: 570,
		Birthday: loyalty.Date{Year: 1990, Month: time.May, Day: 17}, Qualifying: map[string]int64{"2026-11-23": 520},
		Version: 3, Serial: "01M83XJ880G3SNSD86VQ1KAVWD", CreatedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		CardUpdatedAt: time.Date(2026, 11, 23, 10, 5, 0, 0, time.UTC),
	}
	image, err := dynamo.MemberStreamImage(m)
	if err != nil {
		t.Fatal(err)
	}
	// Through JSON, as Lambda delivers a stream record.
	b, _ := json.Marshal(image)
	var delivered map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(b, &delivered); err != nil {
		t.Fatal(err)
	}
	got, ok, err := dynamo.StreamMember(delivered)
	if err != nil || !ok || !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip = %+v, %v, %v; want %+v", got, ok, err, m)
	}
	if _, ok, _ := dynamo.StreamMember(map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("MEMBER#x"), "SK": events.NewStringAttribute("TX#00000000000000000001")}); ok {
		t.Fatal("a ledger entry's image was read as a member")
	}
}
