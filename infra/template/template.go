// Package template reads the project's AWS SAM template, template.yaml, into
// a typed view of its functions: the code each one runs, its runtime and
// environment, its HTTP routes and its schedules. The template is the single
// source of truth for routes and schedules; the local stack serves what this
// package finds in it, and this package's test holds it to the Go code.
//
// The file is decoded into yaml.Node form, where CloudFormation's short tags
// (!Ref, !GetAtt, !Sub, !If, …) are only tags on a node: nothing is resolved,
// and a value that uses one is rendered as text, such as "!Ref Table".
package template

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is the view of one SAM template.
type Template struct {
	// Parameters holds each parameter's Default ("" when it has none), by name.
	Parameters map[string]string
	// Resources holds every resource by logical id, for what the typed
	// view leaves out.
	Resources map[string]Resource
	// Functions holds the AWS::Serverless::Function resources by logical
	// id, with Globals.Function applied as SAM applies it.
	Functions map[string]Function
}

// Resource is one resource as written. Properties and Metadata are nil when
// the resource has none; decode them with yaml.Node.Decode.
type Resource struct {
	Type       string
	Properties *yaml.Node
	Metadata   *yaml.Node
}

// Function is one function with Globals.Function applied: scalars the
// function sets replace the global ones, environment variables are merged
// (the function's win) and lists are appended to the global ones.
type Function struct {
	// Dir names the command under functions/ that the function runs, such
	// as "members". See Load for how it is derived.
	Dir string
	// BuildMethod is Metadata.BuildMethod, the way sam build builds it.
	BuildMethod   string
	CodeURI       string
	Handler       string
	Runtime       string
	Architectures []string
	// Env holds the environment variables, each value rendered as text.
	Env map[string]string
	// Routes are the HttpApi events, in the template's order.
	Routes []Route
	// Schedules are the ScheduleV2 events, in the template's order.
	Schedules []Schedule
}

// Route is one HTTP route, as API Gateway matches it.
type Route struct {
	// Method is upper-case, as in an API Gateway route key.
	Method string
	// Path uses {name} for a path parameter, as API Gateway does.
	Path string
}

// Schedule is one EventBridge Scheduler schedule.
type Schedule struct {
	// Name is the event's key under the function's Events.
	Name string
	// Expression is a cron(…), rate(…) or at(…) expression.
	Expression string
	// Timezone is an IANA zone; empty means UTC.
	Timezone string
}

// Load reads the template at path. A function's Dir comes from its logical
// id: sam build runs `make build-<LogicalId>` for a function built with
// Metadata BuildMethod makefile, and the Makefile's build-%Function rule
// builds ./functions/<stem lower-cased>. Load reads that rule backwards
// ("MembersFunction" runs functions/members) and rejects a function it does
// not fit, so the template cannot deploy one command while the local stack
// runs another.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	return t, nil
}

// Parse reads a template from its text, as Load does.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	err := yaml.Unmarshal(data, &doc)
	if err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a YAML mapping")
	}
	root := doc.Content[0]
	resources := get(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil, errors.New("no Resources mapping")
	}
	globals := get(root, "Globals", "Function")
	t := &Template{Parameters: map[string]string{}, Resources: map[string]Resource{}, Functions: map[string]Function{}}
	if params := get(root, "Parameters"); params != nil && params.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(params.Content); i += 2 {
			name := params.Content[i].Value
			if t.Parameters[name], err = text(get(params.Content[i+1], "Default")); err != nil {
				return nil, fmt.Errorf("parameter %s: %w", name, err)
			}
		}
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, node := resources.Content[i].Value, resources.Content[i+1]
		typ, err := text(get(node, "Type"))
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		r := Resource{Type: typ, Properties: get(node, "Properties"), Metadata: get(node, "Metadata")}
		t.Resources[id] = r
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		f, err := function(id, r, globals)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", id, err)
		}
		t.Functions[id] = f
	}
	return t, nil
}

// function reads one function resource with the globals applied.
func function(id string, r Resource, globals *yaml.Node) (Function, error) {
	var f Function
	var err error
	if f.BuildMethod, err = text(get(r.Metadata, "BuildMethod")); err != nil {
		return f, err
	}
	stem, ok := strings.CutSuffix(id, "Function")
	if f.BuildMethod != "makefile" || !ok || stem == "" {
		return f, errors.New("cannot tell which command under functions/ it runs: " +
			"it needs Metadata BuildMethod makefile and a logical id <Dir>Function")
	}
	f.Dir = strings.ToLower(stem)

	props := r.Properties
	for _, field := range []struct {
		key string
		dst *string
	}{{"CodeUri", &f.CodeURI}, {"Handler", &f.Handler}, {"Runtime", &f.Runtime}} {
		node := get(props, field.key)
		if node == nil {
			node = get(globals, field.key)
		}
		if *field.dst, err = text(node); err != nil {
			return f, fmt.Errorf("property %s: %w", field.key, err)
		}
	}
	for _, from := range []*yaml.Node{globals, props} {
		archs, err := texts(get(from, "Architectures"))
		if err != nil {
			return f, fmt.Errorf("property Architectures: %w", err)
		}
		f.Architectures = append(f.Architectures, archs...)
	}

	f.Env = map[string]string{}
	for _, from := range []*yaml.Node{globals, props} {
		vars := get(from, "Environment", "Variables")
		if vars == nil {
			continue
		}
		if vars.Kind != yaml.MappingNode {
			return f, errors.New("property Environment.Variables is not a mapping")
		}
		for i := 0; i+1 < len(vars.Content); i += 2 {
			if f.Env[vars.Content[i].Value], err = text(vars.Content[i+1]); err != nil {
				return f, fmt.Errorf("variable %s: %w", vars.Content[i].Value, err)
			}
		}
	}

	events := get(props, "Events")
	if events == nil {
		return f, nil
	}
	if events.Kind != yaml.MappingNode {
		return f, errors.New("property Events is not a mapping")
	}
	for i := 0; i+1 < len(events.Content); i += 2 {
		name, event := events.Content[i].Value, events.Content[i+1]
		if err := f.addEvent(name, event); err != nil {
			return f, fmt.Errorf("event %s: %w", name, err)
		}
	}
	return f, nil
}

// addEvent records an event of a type this view covers; the others (a
// stream, a queue) are left to Resources.
func (f *Function) addEvent(name string, event *yaml.Node) error {
	typ, err := text(get(event, "Type"))
	if err != nil {
		return err
	}
	props := get(event, "Properties")
	switch typ {
	case "HttpApi":
		var r Route
		if r.Method, err = text(get(props, "Method")); err != nil {
			return err
		}
		if r.Path, err = text(get(props, "Path")); err != nil {
			return err
		}
		// A route without both would be API Gateway's catch-all, which the
		// local stack could not serve as the template means it.
		if r.Method == "" || !strings.HasPrefix(r.Path, "/") {
			return errors.New("an HttpApi event needs a Method and a Path starting with /")
		}
		r.Method = strings.ToUpper(r.Method)
		f.Routes = append(f.Routes, r)
	case "ScheduleV2":
		s := Schedule{Name: name}
		if s.Expression, err = text(get(props, "ScheduleExpression")); err != nil {
			return err
		}
		if s.Timezone, err = text(get(props, "ScheduleExpressionTimezone")); err != nil {
			return err
		}
		if s.Expression == "" {
			return errors.New("a ScheduleV2 event needs a ScheduleExpression")
		}
		f.Schedules = append(f.Schedules, s)
	}
	return nil
}

// get follows keys through nested mappings; nil when one is missing.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, key := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

// text renders a value: a plain scalar as its value, anything else (a short
// tag, a list, a mapping) as one line of YAML, quoted only where YAML needs
// it, such as "!GetAtt Table.Arn" or "!If [A, !Ref B, !Ref 'AWS::NoValue']"
// (in a flow list "::" needs quotes). A missing value is "".
func text(n *yaml.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	// YAML's own tags (!!str, !!int) start with "!!"; CloudFormation's with one "!".
	if n.Kind == yaml.ScalarNode && strings.HasPrefix(n.ShortTag(), "!!") {
		return n.Value, nil
	}
	out, err := yaml.Marshal(oneLine(n))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// texts renders each item of a list.
func texts(n *yaml.Node) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("not a list")
	}
	out := make([]string, len(n.Content))
	for i, item := range n.Content {
		var err error
		if out[i], err = text(item); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// oneLine copies n with its collections in flow style and its scalars
// unquoted where YAML allows, so that a value reads the same however the
// template happens to quote it. Comments stay behind.
func oneLine(n *yaml.Node) *yaml.Node {
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Alias: n.Alias}
	switch n.Kind {
	case yaml.SequenceNode, yaml.MappingNode:
		c.Style = yaml.FlowStyle
	case yaml.ScalarNode:
		// A literal or folded block cannot be written on one line.
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			c.Style = yaml.DoubleQuotedStyle
		}
	}
	for _, child := range n.Content {
		c.Content = append(c.Content, oneLine(child))
	}
	return c
}
