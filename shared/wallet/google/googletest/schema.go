package googletest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// The stand-in checks every body against Google's own description of the
// API: the walletobjects v1 discovery document that the module
// google.golang.org/api ships, at the version go.mod pins (the stand-in
// serves tests only, so the module is never linked into a function). What
// Google refuses with a 400, the stand-in refuses: a name the document does
// not know, a value of the wrong JSON type or out of an int32's range, a
// value outside an enum, a field the document says is "Required." missing
// from an insert or update, and a URI without a scheme where the document
// says "URIs must have a scheme".

// discoveryModule and discoveryFile locate the document.
const (
	discoveryModule = "google.golang.org/api"
	discoveryFile   = "walletobjects/v1/walletobjects-api.json"
)

// schema is a schema or property of a discovery document.
type schema struct {
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Ref                  string             `json:"$ref"`
	Description          string             `json:"description"`
	Enum                 []string           `json:"enum"`
	Items                *schema            `json:"items"`
	Properties           map[string]*schema `json:"properties"`
	AdditionalProperties *schema            `json:"additionalProperties"`
}

// schemas are the discovery document's schemas by name ("LoyaltyObject").
type schemas map[string]*schema

var loadSchemas = sync.OnceValues(func() (schemas, error) {
	// go mod download prints where the module is, downloading it first when
	// the module cache lacks it.
	out, err := exec.Command("go", "mod", "download", "-json", discoveryModule).Output()
	if err != nil {
		return nil, fmt.Errorf("locate %s (go mod download): %w", discoveryModule, err)
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return nil, fmt.Errorf("locate %s: %v %s", discoveryModule, err, mod.Error)
	}
	doc, err := os.ReadFile(filepath.Join(mod.Dir, discoveryFile))
	if err != nil {
		return nil, err
	}
	var d struct {
		Schemas schemas `json:"schemas"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", discoveryFile, err)
	}
	for _, name := range []string{"LoyaltyClass", "LoyaltyObject", "AddMessageRequest"} {
		if d.Schemas[name] == nil {
			return nil, fmt.Errorf("%s has no schema %s", discoveryFile, name)
		}
	}
	return d.Schemas, nil
})

// Check checks a request body, decoded with json.Decoder.UseNumber, against
// the named schema of the discovery document ("LoyaltyObject"). A whole
// resource (an insert or an update) must have every field the document says
// is required; a patch need not.
func (s schemas) Check(name string, body map[string]any, whole bool) error {
	return s.check(name, &schema{Ref: name}, body, whole)
}

// oneOf lists the schemas whose description says that only one of their
// fields may be set ("Only one of these subtypes (string, int, double, money)
// should be populated"): Google refuses a balance with none or two.
var oneOf = map[string]bool{"LoyaltyPointsBalance": true}

func (s schemas) check(path string, p *schema, v any, whole bool) error {
	ref := p.Ref
	if ref != "" {
		if p = s[ref]; p == nil {
			return fmt.Errorf("the discovery document has no schema %s", ref)
		}
	}
	if v == nil {
		return nil // JSON null leaves a field unset
	}
	invalid := func(want string) error {
		return fmt.Errorf("Invalid value at '%s' (%s), %v", path, want, v)
	}
	switch p.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return invalid("an object")
		}
		for _, name := range slices.Sorted(maps.Keys(m)) {
			prop := p.Properties[name]
			if prop == nil {
				prop = p.AdditionalProperties
			}
			if prop == nil {
				return fmt.Errorf("Invalid JSON payload received. Unknown name %q at '%s': Cannot find field.", name, path)
			}
			if err := s.check(path+"."+name, prop, m[name], whole); err != nil {
				return err
			}
		}
		if whole {
			for _, name := range slices.Sorted(maps.Keys(p.Properties)) {
				if _, set := m[name]; !set && strings.HasPrefix(p.Properties[name].Description, "Required.") {
					return fmt.Errorf("Invalid argument: '%s.%s' is required", path, name)
				}
			}
		}
		if oneOf[ref] && len(m) != 1 {
			return fmt.Errorf("Invalid value at '%s': exactly one of %s must be set", path, strings.Join(slices.Sorted(maps.Keys(p.Properties)), ", "))
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return invalid("a list")
		}
		for i, item := range items {
			if err := s.check(fmt.Sprintf("%s[%d]", path, i), p.Items, item, whole); err != nil {
				return err
			}
		}
	case "string":
		if p.Format == "int64" || p.Format == "uint64" {
			// Protocol buffers' JSON takes 64-bit integers as strings or numbers.
			n := fmt.Sprint(v)
			if _, err := json.Number(n).Int64(); err != nil {
				return invalid("TYPE_" + strings.ToUpper(p.Format))
			}
			return nil
		}
		str, ok := v.(string)
		if !ok {
			return invalid("TYPE_STRING")
		}
		if len(p.Enum) > 0 && !slices.Contains(p.Enum, str) {
			return invalid("one of " + strings.Join(p.Enum, ", "))
		}
		if strings.Contains(p.Description, "URIs must have a scheme") {
			if u, err := url.Parse(str); err != nil || u.Scheme == "" {
				return fmt.Errorf("Invalid value at '%s': URIs must have a scheme, got %q", path, str)
			}
		}
	case "integer":
		n, ok := v.(json.Number)
		i, err := n.Int64()
		lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
		if p.Format == "uint32" {
			lo, hi = 0, math.MaxUint32
		}
		if !ok || err != nil || i < lo || i > hi {
			return invalid("TYPE_" + strings.ToUpper(p.Format))
		}
	case "number":
		n, ok := v.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			return invalid("TYPE_DOUBLE")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return invalid("TYPE_BOOL")
		}
	case "any":
	default:
		return fmt.Errorf("the discovery document's type %q at '%s' is not known to the stand-in", p.Type, path)
	}
	return nil
}

// decodeBody decodes a request body as Google does, numbers kept exact.
func decodeBody(r io.Reader) (map[string]any, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var body map[string]any
	err := dec.Decode(&body)
	return body, err
}
