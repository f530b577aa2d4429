package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// maxBody bounds every request body.
const maxBody = 16 << 10

// decode reads a JSON body strictly: the right media type, at most maxBody,
// no unknown fields, one value. Its errors say what to fix.
func decode(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errUnsupportedType
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("invalid_json", "the body could not be read")
	}
	if len(body) > maxBody {
		return errTooLarge
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
	return nil
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
