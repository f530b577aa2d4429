package template_test

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/fidelio/fidelio/infra/template"
)

// actionsOf lists the actions the managed policies of a function allow (a
// `!Ref` to an AWS::IAM::ManagedPolicy of the template) and the names of its
// SAM policy templates (such as SQSSendMessagePolicy).
func actionsOf(t *testing.T, tpl *template.Template, function string) []string {
	t.Helper()
	var props struct {
		Policies []yaml.Node `yaml:"Policies"`
	}
	if err := tpl.Resources[function].Properties.Decode(&props); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, p := range props.Policies {
		if p.Tag != "!Ref" {
			if p.Kind != yaml.MappingNode || len(p.Content) != 2 {
				t.Fatalf("%s: a policy that is neither a !Ref nor a SAM policy template", function)
			}
			actions = append(actions, p.Content[0].Value)
			continue
		}
		var doc struct {
			PolicyDocument struct {
				Statement []struct {
					Action yaml.Node `yaml:"Action"`
				} `yaml:"Statement"`
			} `yaml:"PolicyDocument"`
		}
		if err := tpl.Resources[p.Value].Properties.Decode(&doc); err != nil {
			t.Fatalf("%s: policy %s: %v", function, p.Value, err)
		}
		for _, s := range doc.PolicyDocument.Statement {
			if s.Action.Kind == yaml.ScalarNode {
				actions = append(actions, s.Action.Value)
				continue
			}
			var list []string
			if err := s.Action.Decode(&list); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, list...)
		}
	}
	return actions
}

// TestOnlyFunctionsThatDrawCardsMayReadTheSecret holds each function's
// policies to what it reads: a job reads the table and nothing else; the API
// functions and the pass updater read the secret and the public URL too; the
// event publisher reads the table and puts on its bus; the campaigns'
// fan-out reads the table and sends to its queue.
func TestOnlyFunctionsThatDrawCardsMayReadTheSecret(t *testing.T) {
	tpl := deployed(t)
	jobs := map[string]bool{"birthdays": true, "donations": true, "expiry": true, "tierreview": true, "segments": true}
	for name, fn := range tpl.Functions {
		if fn.Dir == "web" {
			continue
		}
		t.Run(fn.Dir, func(t *testing.T) {
			actions := actionsOf(t, tpl, name)
			if !slices.Contains(actions, "dynamodb:GetItem") {
				t.Errorf("it may not read the table: %v", actions)
			}
			reads := slices.Contains(actions, "secretsmanager:GetSecretValue") && slices.Contains(actions, "ssm:GetParameter")
			switch {
			case jobs[fn.Dir] || fn.Dir == "eventpublisher" || fn.Dir == "campaigns":
				for _, a := range actions {
					publisher := fn.Dir == "eventpublisher" && (a == "EventBridgePutEventsPolicy" || a == "SQSSendMessagePolicy")
					fanout := fn.Dir == "campaigns" && a == "SQSSendMessagePolicy"
					if !strings.HasPrefix(a, "dynamodb:") && !publisher && !fanout {
						t.Errorf("a job may %s, which it never needs", a)
					}
				}
			case !reads:
				t.Errorf("it may not read the secret and the public URL it needs: %v", actions)
			}
		})
	}
}
