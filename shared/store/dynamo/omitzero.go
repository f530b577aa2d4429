package dynamo

import (
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// dropZeros removes from item, the attributes of v, those of the fields
// tagged omitzero that hold their zero value, as encoding/json leaves them
// out: the SDK's encoder knows only omitempty, and writes a zero time as
// "0001-01-01T00:00:00Z". A field absent reads back as its zero value.
func dropZeros(v reflect.Value, item map[string]types.AttributeValue) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	for i := range v.NumField() {
		f, field := v.Type().Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			dropZeros(field, item) // its fields are the item's
			continue
		}
		if name == "" {
			name = f.Name
		}
		if hasOption(opts, "omitzero") && isZero(field) {
			delete(item, name)
			continue
		}
		dropNestedZeros(field, item[name])
	}
}

// dropNestedZeros follows a field into the map, list or struct it is
// written as.
func dropNestedZeros(v reflect.Value, av types.AttributeValue) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch av := av.(type) {
	case *types.AttributeValueMemberM:
		switch v.Kind() {
		case reflect.Struct:
			dropZeros(v, av.Value)
		case reflect.Map:
			if v.Type().Key().Kind() != reflect.String {
				return
			}
			for _, k := range v.MapKeys() {
				dropNestedZeros(v.MapIndex(k), av.Value[k.String()])
			}
		}
	case *types.AttributeValueMemberL:
		if (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) && v.Len() == len(av.Value) {
			for i := range v.Len() {
				dropNestedZeros(v.Index(i), av.Value[i])
			}
		}
	}
}

// isZero is encoding/json's test for omitzero: the value's IsZero method
// when it has one, else the zero value of its type.
func isZero(v reflect.Value) bool {
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		return true
	}
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
		return z.IsZero()
	}
	return v.IsZero()
}

func hasOption(opts, want string) bool {
	for opt := range strings.SplitSeq(opts, ",") {
		if opt == want {
			return true
		}
	}
	return false
}
