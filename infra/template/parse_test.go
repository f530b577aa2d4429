package template_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/infra/template"
)

// small uses every short-tag form CloudFormation has, in the places a
// template puts them.
const small = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Conditions:
  HasUrl: !Not [!Equals [!Ref Url, ""]]
Globals:
  Function:
    CodeUri: .
    Runtime: provided.al2023
    Handler: bootstrap
    Architectures: [arm64]
    Environment:
      Variables:
        PLAIN: fidelio
        QUOTED: "fidelio"
        NUMBER: 10
        REF: !Ref Table
        GETATT_DOTTED: !GetAtt Table.Arn
        GETATT_LIST: !GetAtt [Table, StreamArn]
        SUB: !Sub "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
        SUB_LIST: !Sub
          - "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}"
          - Name: !Ref Table
        JOIN: !Join [",", [a, !Ref Table]]
        IF: !If [HasUrl, !Ref Url, !Ref AWS::NoValue]
        LONG_FORM:
          Fn::GetAtt: [Table, Arn]
Resources:
  PassUpdaterFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      Runtime: provided.al2
      Environment:
        Variables:
          PLAIN: overridden
          OWN: !Ref AWS::StackName
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: get, Path: "/v1/passes/{serial}"}
        Stream:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(5 0 * * ? *)
            ScheduleExpressionTimezone: Europe/Paris
        Hourly:
          Type: ScheduleV2
          Properties: {ScheduleExpression: rate(1 hour)}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub fidelio-${AWS::StackName}
`

func TestParseReadsShortTags(t *testing.T) {
	tpl, err := template.Parse([]byte(small))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := tpl.Functions["PassUpdaterFunction"]
	if !ok {
		t.Fatalf("no PassUpdaterFunction among %v", tpl.Functions)
	}

	t.Run("each variable reads as the template writes it", func(t *testing.T) {
		for name, want := range map[string]string{
			"PLAIN":         "overridden",
			"QUOTED":        "fidelio",
			"NUMBER":        "10",
			"REF":           "!Ref Table",
			"GETATT_DOTTED": "!GetAtt Table.Arn",
			"GETATT_LIST":   "!GetAtt [Table, StreamArn]",
			"SUB":           "!Sub https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
			"SUB_LIST":      "!Sub ['arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}', {Name: !Ref Table}]",
			"JOIN":          "!Join [',', [a, !Ref Table]]",
			"IF":            "!If [HasUrl, !Ref Url, !Ref 'AWS::NoValue']",
			"LONG_FORM":     "{'Fn::GetAtt': [Table, Arn]}",
			"OWN":           "!Ref AWS::StackName",
		} {
			if got := f.Env[name]; got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if len(f.Env) != 12 {
			t.Errorf("%d variables, want the 11 global ones and the function's own: %v", len(f.Env), f.Env)
		}
	})

	t.Run("the function's settings win over the globals", func(t *testing.T) {
		got := []string{f.Dir, f.BuildMethod, f.CodeURI, f.Handler, f.Runtime, strings.Join(f.Architectures, ",")}
		want := []string{"passupdater", "makefile", ".", "bootstrap", "provided.al2", "arm64"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("dir, build method, code, handler, runtime, architectures = %q, want %q", got, want)
		}
	})

	t.Run("HttpApi events become routes with upper-case methods", func(t *testing.T) {
		want := []template.Route{{Method: "GET", Path: "/v1/passes/{serial}"}}
		if !reflect.DeepEqual(f.Routes, want) {
			t.Errorf("routes = %v, want %v", f.Routes, want)
		}
	})

	t.Run("ScheduleV2 events become schedules in order", func(t *testing.T) {
		want := []template.Schedule{
			{Name: "Nightly", Expression: "cron(5 0 * * ? *)", Timezone: "Europe/Paris"},
			{Name: "Hourly", Expression: "rate(1 hour)"},
		}
		if !reflect.DeepEqual(f.Schedules, want) {
			t.Errorf("schedules = %v, want %v", f.Schedules, want)
		}
	})

	t.Run("other resources stay raw", func(t *testing.T) {
		table := tpl.Resources["Table"]
		var props struct {
			TableName string `yaml:"TableName"`
		}
		if table.Type != "AWS::DynamoDB::Table" || table.Properties == nil {
			t.Fatalf("table = %+v", table)
		}
		if err := table.Properties.Decode(&props); err != nil || props.TableName != "fidelio-${AWS::StackName}" {
			t.Errorf("table name = %q (%v), want the !Sub's text", props.TableName, err)
		}
		if _, ok := tpl.Functions["Table"]; ok {
			t.Error("the table is listed as a function")
		}
	})
}

func TestParseRejects(t *testing.T) {
	function := func(metadata, events string) string {
		return "Resources:\n  MembersFunction:\n    Type: AWS::Serverless::Function\n" +
			metadata + "    Properties:\n      Events:\n" + events
	}
	const makefile = "    Metadata:\n      BuildMethod: makefile\n"
	const route = "        Get:\n          Type: HttpApi\n          Properties: {Method: GET, Path: /v1/members}\n"
	for _, c := range []struct {
		name, template, err string
	}{
		{"a document that is not a mapping", "- a\n- b\n", "not a YAML mapping"},
		{"a template without resources", "Globals: {}\n", "no Resources"},
		{"a function sam build would not build with the Makefile", function("", route), "which command under functions/"},
		{"a function whose logical id does not end in Function",
			strings.Replace(function(makefile, route), "MembersFunction", "Members", 1), "which command under functions/"},
		{"an HttpApi event without a path", function(makefile, "        Any:\n          Type: HttpApi\n"), "needs a Method and a Path"},
		{"a ScheduleV2 event without an expression",
			function(makefile, "        Nightly:\n          Type: ScheduleV2\n          Properties: {ScheduleExpressionTimezone: UTC}\n"),
			"needs a ScheduleExpression"},
	} {
		t.Run("it rejects "+c.name, func(t *testing.T) {
			_, err := template.Parse([]byte(c.template))
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("error = %v, want one that says %q", err, c.err)
			}
		})
	}
	t.Run("the control case parses", func(t *testing.T) {
		if _, err := template.Parse([]byte(function(makefile, route))); err != nil {
			t.Error(err)
		}
	})
}

func TestParametersKeepTheirDefaults(t *testing.T) {
	tpl, err := template.Parse([]byte(`
Parameters:
  Stage: {Type: String, Default: dev}
  SecretArn: {Type: String}
  Count: {Type: Number, Default: 3}
Resources: {}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Stage": "dev", "SecretArn": "", "Count": "3"}
	if !reflect.DeepEqual(tpl.Parameters, want) {
		t.Errorf("parameters %v, want %v", tpl.Parameters, want)
	}
}
