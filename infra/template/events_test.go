package template_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestTheEventPublisherIsWiredToTheStreamAndTheBus holds template.yaml's
// events out together: a bus the template makes, a function on the table's
// stream that takes the changes of members (new ones too), knows the bus and
// may put on it, and whose failed records are kept.
func TestTheEventPublisherIsWiredToTheStreamAndTheBus(t *testing.T) {
	tpl := deployed(t)
	if bus := tpl.Resources["EventBus"]; bus.Type != "AWS::Events::EventBus" {
		t.Fatalf("EventBus is a %q, want an AWS::Events::EventBus", bus.Type)
	}
	fn, ok := tpl.Functions["EventPublisherFunction"]
	if !ok || fn.Dir != "eventpublisher" {
		t.Fatalf("no EventPublisherFunction built from functions/eventpublisher: %+v", fn)
	}
	if got := fn.Env["FIDELIO_EVENT_BUS"]; got != "!Ref EventBus" {
		t.Errorf("FIDELIO_EVENT_BUS = %q, want the bus (!Ref EventBus)", got)
	}
	var props struct {
		Policies []yaml.Node `yaml:"Policies"`
		Events   map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Stream                yaml.Node `yaml:"Stream"`
				FunctionResponseTypes []string  `yaml:"FunctionResponseTypes"`
				DestinationConfig     struct {
					OnFailure struct {
						Destination yaml.Node `yaml:"Destination"`
					} `yaml:"OnFailure"`
				} `yaml:"DestinationConfig"`
				FilterCriteria struct {
					Filters []struct {
						Pattern string `yaml:"Pattern"`
					} `yaml:"Filters"`
				} `yaml:"FilterCriteria"`
			} `yaml:"Properties"`
		} `yaml:"Events"`
	}
	if err := tpl.Resources["EventPublisherFunction"].Properties.Decode(&props); err != nil {
		t.Fatal(err)
	}
	stream, ok := props.Events["TableStream"]
	if !ok || stream.Type != "DynamoDB" || stream.Properties.Stream.Tag != "!GetAtt" || stream.Properties.Stream.Value != "Table.StreamArn" {
		t.Fatalf("the function is not on the table's stream: %+v", props.Events)
	}
	if len(stream.Properties.FunctionResponseTypes) != 1 || stream.Properties.FunctionResponseTypes[0] != "ReportBatchItemFailures" {
		t.Error("a failed record is not reported by its sequence number (ReportBatchItemFailures)")
	}
	if d := stream.Properties.DestinationConfig.OnFailure.Destination; d.Tag != "!GetAtt" || !strings.HasPrefix(d.Value, "EventPublisherFailures.") {
		t.Errorf("records that fail every retry are not kept: %v %v", d.Tag, d.Value)
	}
	if f := stream.Properties.FilterCriteria.Filters; len(f) != 1 || !strings.Contains(f[0].Pattern, `"INSERT"`) || !strings.Contains(f[0].Pattern, `"MODIFY"`) || !strings.Contains(f[0].Pattern, `"PROFILE"`) {
		t.Errorf("the filter %v does not take new and changed members (member.enrolled comes from an INSERT)", f)
	}
	var putsOnBus bool
	for _, p := range props.Policies {
		if p.Kind == yaml.MappingNode && len(p.Content) == 2 && p.Content[0].Value == "EventBridgePutEventsPolicy" {
			var args struct {
				EventBusName yaml.Node `yaml:"EventBusName"`
			}
			p.Content[1].Decode(&args)
			putsOnBus = args.EventBusName.Tag == "!Ref" && args.EventBusName.Value == "EventBus"
		}
	}
	if !putsOnBus {
		t.Error("the function may not put events on the bus (EventBridgePutEventsPolicy on EventBus)")
	}
}

// TestThePassUpdaterTakesTheRulesFromTheStream holds the pass updater's
// stream filter to what it handles: the changes of members, and the program's
// rules when saved, whose new name moves the Google classes.
func TestThePassUpdaterTakesTheRulesFromTheStream(t *testing.T) {
	var props struct {
		Events map[string]struct {
			Properties struct {
				FilterCriteria struct {
					Filters []struct {
						Pattern string `yaml:"Pattern"`
					} `yaml:"Filters"`
				} `yaml:"FilterCriteria"`
			} `yaml:"Properties"`
		} `yaml:"Events"`
	}
	if err := deployed(t).Resources["PassUpdaterFunction"].Properties.Decode(&props); err != nil {
		t.Fatal(err)
	}
	type keys map[string]struct {
		S []string `json:"S"`
	}
	takes := map[string]bool{}
	for _, f := range props.Events["TableStream"].Properties.FilterCriteria.Filters {
		var p struct {
			EventName []string `json:"eventName"`
			Dynamodb  struct {
				Keys keys `json:"Keys"`
			} `json:"dynamodb"`
		}
		if err := json.Unmarshal([]byte(f.Pattern), &p); err != nil {
			t.Fatalf("filter %s: %v", f.Pattern, err)
		}
		pk, sk := strings.Join(p.Dynamodb.Keys["PK"].S, ","), strings.Join(p.Dynamodb.Keys["SK"].S, ",")
		for _, event := range p.EventName {
			takes[event+" "+pk+"/"+sk] = true
		}
	}
	for _, want := range []string{"MODIFY /PROFILE", "INSERT PROGRAM/RULES", "MODIFY PROGRAM/RULES"} {
		if !takes[want] {
			t.Errorf("the pass updater's stream filters do not take %s: %v", want, takes)
		}
	}
}
