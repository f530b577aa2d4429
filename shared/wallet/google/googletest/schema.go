package googletest

import (
	"encoding/json"
	"fmt"
	"slices"
)

// A small schema of the walletobjects/v1 resources Fidelio writes, from
// Google's REST reference: unknown names and wrong types are refused, as
// Google refuses them ("Invalid JSON payload received. Unknown name …").
type kind func(path string, v any) error

type fields map[string]kind

func (f fields) check(path string, body map[string]any) error {
	for name, v := range body {
		k, ok := f[name]
		if !ok {
			return fmt.Errorf("Invalid JSON payload received. Unknown name %q at %q", name, path)
		}
		if err := k(path+"."+name, v); err != nil {
			return err
		}
	}
	return nil
}

func str(path string, v any) error {
	if _, ok := v.(string); !ok {
		return fmt.Errorf("Invalid value at %q: want a string, got %v", path, v)
	}
	return nil
}

func integer(path string, v any) error {
	n, ok := v.(json.Number)
	if _, err := n.Int64(); !ok || err != nil {
		return fmt.Errorf("Invalid value at %q: want an integer, got %v", path, v)
	}
	return nil
}

func enum(values ...string) kind {
	return func(path string, v any) error {
		if s, ok := v.(string); !ok || !slices.Contains(values, s) {
			return fmt.Errorf("Invalid value at %q: %v is not one of %v", path, v, values)
		}
		return nil
	}
}

func obj(f fields) kind {
	return func(path string, v any) error {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("Invalid value at %q: want an object", path)
		}
		return f.check(path, m)
	}
}

func list(k kind) kind {
	return func(path string, v any) error {
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("Invalid value at %q: want a list", path)
		}
		for i, item := range items {
			if err := k(fmt.Sprintf("%s[%d]", path, i), item); err != nil {
				return err
			}
		}
		return nil
	}
}

var (
	image        = obj(fields{"sourceUri": obj(fields{"uri": str, "description": str})})
	classSchema  = fields{"id": str, "issuerName": str, "programName": str, "programLogo": image, "heroImage": image, "hexBackgroundColor": str, "reviewStatus": enum("REVIEW_STATUS_UNSPECIFIED", "UNDER_REVIEW", "APPROVED", "REJECTED", "DRAFT")}
	objectSchema = fields{
		"id": str, "classId": str, "state": enum("ACTIVE", "COMPLETED", "EXPIRED", "INACTIVE"),
		"accountId": str, "accountName": str,
		"loyaltyPoints":   obj(fields{"label": str, "balance": balance}),
		"barcode":         obj(fields{"type": enum("QR_CODE", "PDF_417", "AZTEC", "CODE_128"), "value": str, "alternateText": str}),
		"textModulesData": list(obj(fields{"id": str, "header": str, "body": str})),
		"linksModuleData": obj(fields{"uris": list(obj(fields{"id": str, "uri": str, "description": str}))}),
	}
	messageSchema = fields{"id": str, "header": str, "body": str, "messageType": enum("TEXT", "EXPIRATION_NOTIFICATION", "TEXT_AND_NOTIFY")}
)

// balance needs exactly one of its forms: a zero balance still sends "int": 0.
func balance(path string, v any) error {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return fmt.Errorf("Invalid value at %q: a balance needs exactly one of int, string, double, money", path)
	}
	return fields{"int": integer, "string": str}.check(path, m)
}
