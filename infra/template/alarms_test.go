package template_test

import (
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type alarm struct {
	Dimensions []struct {
		Value yaml.Node `yaml:"Value"`
	} `yaml:"Dimensions"`
	MetricName   string    `yaml:"MetricName"`
	AlarmActions yaml.Node `yaml:"AlarmActions"`
	Metrics      []struct {
		MetricStat struct {
			Metric struct {
				MetricName string `yaml:"MetricName"`
				Dimensions []struct {
					Value yaml.Node `yaml:"Value"`
				} `yaml:"Dimensions"`
			} `yaml:"Metric"`
		} `yaml:"MetricStat"`
	} `yaml:"Metrics"`
}

// watched lists what the alarm reads: "<metric> <resource>" for each
// metric whose dimension references a resource of the template.
func (a alarm) watched() []string {
	var out []string
	for _, d := range a.Dimensions {
		out = append(out, a.MetricName+" "+strings.Split(d.Value.Value, ".")[0])
	}
	for _, m := range a.Metrics {
		for _, d := range m.MetricStat.Metric.Dimensions {
			out = append(out, m.MetricStat.Metric.MetricName+" "+strings.Split(d.Value.Value, ".")[0])
		}
	}
	return out
}

// TestEveryFunctionAndQueueIsWatched holds template.yaml's alarms to its
// resources: every function's errors and throttles, every dead-letter queue
// (the stream consumers' and the schedules' that SAM makes), the stream
// consumers' iterator age and the push failure rate are alarmed, and every
// alarm notifies the topic the AlarmTopicArn parameter names.
func TestEveryFunctionAndQueueIsWatched(t *testing.T) {
	tpl := deployed(t)
	var watched []string
	for name, r := range tpl.Resources {
		if r.Type != "AWS::CloudWatch::Alarm" {
			continue
		}
		var a alarm
		if err := r.Properties.Decode(&a); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if text, _ := yaml.Marshal(&a.AlarmActions); !strings.Contains(string(text), "AlarmTopicArn") {
			t.Errorf("%s notifies no one: %s", name, text)
		}
		watched = append(watched, a.watched()...)
	}
	var want []string
	for id := range tpl.Functions {
		want = append(want, "Errors "+id, "Throttles "+id)
		var props struct {
			Events map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					DeadLetterConfig *struct{} `yaml:"DeadLetterConfig"`
				} `yaml:"Properties"`
			} `yaml:"Events"`
		}
		tpl.Resources[id].Properties.Decode(&props)
		for name, ev := range props.Events {
			switch {
			case ev.Type == "DynamoDB":
				want = append(want, "IteratorAge "+id)
			case ev.Type == "ScheduleV2" && ev.Properties.DeadLetterConfig != nil:
				want = append(want, "ApproximateNumberOfMessagesVisible "+id+name+"Queue")
			}
		}
	}
	for name, r := range tpl.Resources {
		if r.Type == "AWS::SQS::Queue" {
			want = append(want, "ApproximateNumberOfMessagesVisible "+name)
		}
	}
	for _, w := range want {
		if !slices.Contains(watched, w) {
			t.Errorf("no alarm on %s", w)
		}
	}
	if _, ok := tpl.Resources["PushFailureRateAlarm"]; !ok {
		t.Error("no alarm on the push failure rate")
	}
	if d := tpl.Resources["Dashboard"]; d.Type != "AWS::CloudWatch::Dashboard" {
		t.Error("no dashboard")
	}
}
