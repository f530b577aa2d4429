package dynamo_test

import (
	"context"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"gopkg.in/yaml.v3"

	"github.com/fidelio/fidelio/infra/template"
)

// iamCalls records, as IAM names them, the actions a client performs on the
// table and on its indexes. A TransactWriteItems is authorised item by item
// (as the PutItem, UpdateItem, DeleteItem or ConditionCheckItem it holds), so
// that is how it is recorded.
type iamCalls struct {
	mu           sync.Mutex
	table, index map[string]bool
}

// recording returns a client like db that records its calls in c; any
// number of clients can record in one c.
func (c *iamCalls) recording(db *dynamodb.Client) *dynamodb.Client {
	record := middleware.InitializeMiddlewareFunc("RecordIAMActions", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.mu.Lock()
		if c.table == nil {
			c.table, c.index = map[string]bool{}, map[string]bool{}
		}
		switch p := in.Parameters.(type) {
		case *dynamodb.TransactWriteItemsInput:
			for _, item := range p.TransactItems {
				switch {
				case item.Put != nil:
					c.table["dynamodb:PutItem"] = true
				case item.Update != nil:
					c.table["dynamodb:UpdateItem"] = true
				case item.Delete != nil:
					c.table["dynamodb:DeleteItem"] = true
				case item.ConditionCheck != nil:
					c.table["dynamodb:ConditionCheckItem"] = true
				}
			}
		case *dynamodb.TransactGetItemsInput:
			c.table["dynamodb:GetItem"] = true
		case *dynamodb.QueryInput:
			if p.IndexName != nil {
				c.index["dynamodb:Query"] = true
			} else {
				c.table["dynamodb:Query"] = true
			}
		default:
			c.table["dynamodb:"+awsmiddleware.GetOperationName(ctx)] = true
		}
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	})
	return dynamodb.New(db.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error { return s.Initialize.Add(record, middleware.After) })
	})
}

// checkAllowedBy fails t for every recorded action that the template's
// policies of the functions that use the store do not allow: such a call
// works on DynamoDB Local and is refused in AWS. The admin function has
// ApiPolicy and ExportPolicy (its exports' Scans); the jobs have JobPolicy and
// never export, so a Scan is not held against it.
func (c *iamCalls) checkAllowedBy(t *testing.T) {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	tpl, err := template.Load(filepath.Join(filepath.Dir(here), "..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c.checkAllowedByPolicies(t, tpl, "", "ApiPolicy", "ExportPolicy")
	c.checkAllowedByPolicies(t, tpl, "dynamodb:Scan", "JobPolicy")
}

func (c *iamCalls) checkAllowedByPolicies(t *testing.T, tpl *template.Template, exempt string, names ...string) {
	t.Helper()
	type statement struct {
		Effect   string    `yaml:"Effect"`
		Action   yaml.Node `yaml:"Action"`
		Resource yaml.Node `yaml:"Resource"`
	}
	var statements []statement
	for _, name := range names {
		policy, ok := tpl.Resources[name]
		if !ok || policy.Properties == nil {
			t.Fatalf("template.yaml has no %s with properties", name)
		}
		var doc struct {
			PolicyDocument struct {
				Statement []statement `yaml:"Statement"`
			} `yaml:"PolicyDocument"`
		}
		if err := policy.Properties.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		statements = append(statements, doc.PolicyDocument.Statement...)
	}
	onTable, onIndex := map[string]bool{exempt: true}, map[string]bool{exempt: true}
	for _, s := range statements {
		if s.Effect != "Allow" {
			continue
		}
		var actions []string
		if s.Action.Kind == yaml.ScalarNode {
			actions = []string{s.Action.Value}
		} else if err := s.Action.Decode(&actions); err != nil {
			t.Fatal(err)
		}
		allowed := map[string]bool(nil)
		switch {
		case s.Resource.Tag == "!GetAtt" && s.Resource.Value == "Table.Arn":
			allowed = onTable
		case s.Resource.Tag == "!Sub" && strings.HasPrefix(s.Resource.Value, "${Table.Arn}/index/"):
			allowed = onIndex
		}
		for _, a := range actions {
			if allowed != nil {
				allowed[a] = true
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.table) == 0 {
		t.Fatal("no call to the table was recorded")
	}
	for _, on := range []struct {
		what           string
		calls, allowed map[string]bool
	}{{"the table", c.table, onTable}, {"its indexes", c.index, onIndex}} {
		for _, a := range slices.Sorted(maps.Keys(on.calls)) {
			if !on.allowed[a] {
				t.Errorf("the store calls %s on %s, which template.yaml's %s does not allow: it would be refused in AWS", a, on.what, strings.Join(names, " and "))
			}
		}
	}
}
