package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// maxBody bounds every request body.
const maxBody = 16 << 10

// decode reads a JSON body strictly: the right media type in UTF-8, at most
// maxBody, no unknown fields, each key once and written exactly as the
// field's name, one value. Its errors say what to fix.
func decode(r *http.Request, v any) error { return decodeAs(r, v, "application/json") }

// decodeAs is decode for a body sent as one of mediaTypes.
func decodeAs(r *http.Request, v any, mediaTypes ...string) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(mediaTypes, mt) {
		return errUnsupportedType
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errUnsupportedType
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("invalid_json", "the body could not be read")
	}
	if len(body) > maxBody {
		return errTooLarge
	}
	if !utf8.Valid(body) {
		return badRequest("invalid_json", "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, loyalty.ErrInvalid) { // a field's own parser refused it, with a message
			return err
		}
		return badRequest("invalid_json", jsonProblem(err))
	}
	if dec.More() {
		return badRequest("invalid_json", "the body must be one JSON object")
	}
	// encoding/json takes the last of repeated keys and matches names in any
	// case: a second pass over the tokens refuses both.
	return checkKeys(json.NewDecoder(bytes.NewReader(body)), reflect.TypeOf(v), "")
}

// checkKeys reads one JSON value from dec beside the Go type t it fills (nil
// when any shape goes): every object's keys must differ, and a struct's must
// be its fields' names exactly. at is the value's place, for the message.
func checkKeys(dec *json.Decoder, t reflect.Type, at string) error {
	tok, err := dec.Token()
	if err != nil {
		return badRequest("invalid_json", jsonProblem(err))
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
		t = nil // the type reads its own shape
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return badRequest("invalid_json", jsonProblem(err))
			}
			key := tok.(string)
			if seen[key] {
				return badRequest("invalid_json", fmt.Sprintf("field %q appears more than once", at+key))
			}
			seen[key] = true
			var elem reflect.Type
			switch {
			case fields != nil:
				ft, ok := fields[key]
				if !ok {
					for name := range fields {
						if strings.EqualFold(name, key) {
							return badRequest("invalid_json", fmt.Sprintf("field %q must be written %q", at+key, at+name))
						}
					}
					return badRequest("invalid_json", fmt.Sprintf("unknown field %q", at+key))
				}
				elem = ft
			case t != nil && t.Kind() == reflect.Map:
				elem = t.Elem()
			}
			if err := checkKeys(dec, elem, at+key+"."); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := checkKeys(dec, elem, fmt.Sprintf("%s%d.", at, i)); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
	}
	if err != nil {
		return badRequest("invalid_json", jsonProblem(err))
	}
	return nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// fieldsOfType keeps jsonFields of each type asked, so that a request does
// not walk its body's types by reflection again (read only, once made).
var fieldsOfType sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields lists the JSON names of a struct's fields, with their types, as
// encoding/json names them (promoted fields of embedded structs included).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if fields, ok := fieldsOfType.Load(t); ok {
		return fields.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" || (f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct) {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	fieldsOfType.Store(t, fields)
	return fields
}

// jsonProblem says in plain words what is wrong with a JSON body.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Sprintf("field %q must be %s, not a JSON %s", typeErr.Field, kindOf(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("the body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.EOF):
		return "the body is empty; send a JSON object"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "the body is not valid JSON: " + err.Error()
}

func kindOf(k string) string {
	switch k {
	case "int64", "int", "int32":
		return "a whole number"
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	}
	return k
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if status == 0 {
		status = http.StatusOK
	}
	if v == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	encodeJSON(w, v)
}

func encodeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
