package coldstart

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/fidelio/fidelio/infra/template"
)

// AccessKeyID is the functions' access key. DynamoDB Local keeps a database
// per access key: a test that reads or writes the functions' tables connects
// with it.
const AccessKeyID = "ASIACOLDSTARTEXAMPLE"

// Stage is what stands in for AWS around a function: the template's
// parameters, DynamoDB (DynamoDB Local) and Secrets Manager (moto_server).
type Stage struct {
	Template *template.Template
	// Parameters are the stack's parameters; one not given takes its Default.
	Parameters map[string]string
	// DynamoDB and SecretsManager are the services' endpoints, such as
	// http://127.0.0.1:8000; SecretsManager (moto_server) serves SSM too.
	DynamoDB, SecretsManager string
}

// Env is the environment Lambda gives the function dir (such as "members"):
// its own variables (region, credentials, name, log format) and the ones
// template.yaml declares, each !Ref and !Sub resolved as CloudFormation
// would on this stage. The only departures from a deployment are the
// SDK's standard endpoint variables, AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM and
// AWS_ENDPOINT_URL_EVENTBRIDGE, so the code takes the path it takes in AWS. A value it cannot resolve is an error: a variable the template adds
// must be given a stand-in here.
func (s Stage) Env(dir string) ([]string, error) {
	var fn *template.Function
	var id string
	for name, f := range s.Template.Functions {
		if f.Dir == dir {
			fn, id = &f, name
		}
	}
	if fn == nil {
		return nil, fmt.Errorf("template.yaml has no function for functions/%s", dir)
	}
	env := []string{
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=coldstart-secret-access-key",
		"AWS_SESSION_TOKEN=coldstart-session-token",
		"AWS_LAMBDA_FUNCTION_NAME=fidelio-" + id,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_LOG_GROUP_NAME=/fidelio/coldstart/" + dir,
		"_HANDLER=" + fn.Handler,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.DynamoDB,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + s.SecretsManager,
		// moto_server also keeps the public URL's SSM parameter.
		"AWS_ENDPOINT_URL_SSM=" + s.SecretsManager,
		// and the event publisher's bus.
		"AWS_ENDPOINT_URL_EVENTBRIDGE=" + s.SecretsManager,
	}
	names := make([]string, 0, len(fn.Env))
	for name := range fn.Env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := s.resolve(fn.Env[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", id, name, err)
		}
		env = append(env, name+"="+v)
	}
	return env, nil
}

// param is a parameter's value on this stage.
func (s Stage) param(name string) (string, bool) {
	if v, ok := s.Parameters[name]; ok {
		return v, true
	}
	v, ok := s.Template.Parameters[name]
	return v, ok
}

var subVariable = regexp.MustCompile(`\$\{([^}]+)\}`)

// resolve gives a value as the template renders it ("!Ref Table",
// "!Sub fidelio-${Stage}") the value it has on this stage.
func (s Stage) resolve(v string) (string, error) {
	if ref, ok := strings.CutPrefix(v, "!Ref "); ok {
		return s.ref(ref)
	}
	if sub, ok := strings.CutPrefix(v, "!Sub "); ok {
		var err error
		out := subVariable.ReplaceAllStringFunc(sub, func(m string) string {
			r, e := s.ref(m[2 : len(m)-1])
			if e != nil && err == nil {
				err = e
			}
			return r
		})
		return out, err
	}
	if strings.HasPrefix(v, "!") {
		return "", fmt.Errorf("no stand-in for %s", v)
	}
	return v, nil
}

// ref is what !Ref name gives: a parameter's value, a table's name, or a
// queue's URL.
func (s Stage) ref(name string) (string, error) {
	if v, ok := s.param(name); ok {
		return v, nil
	}
	r, ok := s.Template.Resources[name]
	if ok && r.Type == "AWS::SQS::Queue" {
		// A queue's URL: nothing is sent at start, and a send would find
		// no one listening on the discard port.
		return "http://127.0.0.1:9/000000000000/" + name, nil
	}
	if !ok || r.Type != "AWS::DynamoDB::Table" || r.Properties == nil {
		return "", fmt.Errorf("no stand-in for !Ref %s", name)
	}
	var props struct {
		TableName yamlText `yaml:"TableName"`
	}
	if err := r.Properties.Decode(&props); err != nil {
		return "", fmt.Errorf("table %s: %w", name, err)
	}
	return s.resolve(string(props.TableName))
}

// yamlText reads a scalar as the template package renders it: a
// CloudFormation tag, if any, then the value.
type yamlText string

func (t *yamlText) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: not a single value", n.Line)
	}
	*t = yamlText(n.Value)
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		*t = yamlText(n.Tag + " " + n.Value)
	}
	return nil
}
