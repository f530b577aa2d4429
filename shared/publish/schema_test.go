package publish_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// jsonFields lists the JSON names of a struct type's fields.
func jsonFields(v any) []string {
	var out []string
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

type schemaObject struct {
	Ref        string                  `json:"$ref"`
	OneOf      []schemaObject          `json:"oneOf"`
	AllOf      []schemaObject          `json:"allOf"`
	Required   []string                `json:"required"`
	Properties map[string]schemaObject `json:"properties"`
	Const      string                  `json:"const"`
	Defs       map[string]schemaObject `json:"$defs"`
}

func (s schemaObject) propertyNames() []string {
	var out []string
	for k := range s.Properties {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestTheEventSchemaDescribesTheEvents holds docs/events.schema.json to the
// event types and the Go types of their data, both ways: a field added to
// an event and not documented, or documented and never sent, fails here.
func TestTheEventSchemaDescribesTheEvents(t *testing.T) {
	raw, err := os.ReadFile("../../docs/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc schemaObject
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, o := range doc.OneOf {
		listed = append(listed, strings.TrimPrefix(o.Ref, "#/$defs/"))
	}
	var types []string
	for _, typ := range loyalty.EventTypes {
		types = append(types, string(typ))
		def, ok := doc.Defs[string(typ)]
		if !ok || def.Properties["type"].Const != string(typ) || len(def.AllOf) != 1 || def.AllOf[0].Ref != "#/$defs/envelope" {
			t.Errorf("%s: no definition of its own on the envelope", typ)
		}
	}
	if !slices.Equal(listed, types) {
		t.Errorf("the schema lists %q, the program %q", listed, types)
	}
	check := func(name string, got schemaObject, v any) {
		t.Helper()
		if want := jsonFields(v); !slices.Equal(got.propertyNames(), want) {
			t.Errorf("%s: the schema has %q, the Go type %q", name, got.propertyNames(), want)
		}
	}
	check("envelope", doc.Defs["envelope"], loyalty.Event{})
	check("transaction", doc.Defs["transaction"], loyalty.TransactionData{})
	check("member.enrolled", doc.Defs["member.enrolled"].Properties["data"], loyalty.EnrolledData{})
	check("tier.changed", doc.Defs["tier.changed"].Properties["data"], loyalty.TierChangedData{})
	check("campaign.delivered", doc.Defs["campaign.delivered"].Properties["data"], loyalty.CampaignDeliveredData{})
	check("money", doc.Defs["money"], loyalty.Money{})
	for _, typ := range []loyalty.EventType{loyalty.EventPointsEarned, loyalty.EventPointsRedeemed, loyalty.EventTransactionReversed, loyalty.EventBirthdayRewarded, loyalty.EventPointsExpired, loyalty.EventDonationMade} {
		if ref := doc.Defs[string(typ)].Properties["data"].Ref; ref != "#/$defs/transaction" {
			t.Errorf("%s: data is %q, want the transaction", typ, ref)
		}
	}
}
