package embedded

import "bytes"

// The change feed writes of the member as it was only the fields that
// differ from the member as it is (changeRecord), compared as the JSON that
// encoding/json writes of a struct: one object, no space, each field once.

// field is a member of a JSON object: its quoted name and its value.
type field struct{ name, value []byte }

// fieldsOf splits a compact JSON object into its members, appended to out.
func fieldsOf(obj []byte, out []field) []field {
	for i := 1; i < len(obj) && obj[i] != '}'; {
		nameEnd := endOfValue(obj, i)
		valueEnd := endOfValue(obj, nameEnd+1)
		out = append(out, field{obj[i:nameEnd], obj[nameEnd+1 : valueEnd]})
		i = valueEnd + 1 // past the comma
	}
	return out
}

// endOfValue is where the JSON value that starts at i ends.
func endOfValue(b []byte, i int) int {
	depth, inString := 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
				if depth == 0 {
					return i + 1
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return i
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case c == ',' && depth == 0:
			return i
		}
	}
	return i
}

// memberFields is room for a member's fields, so that splitting one
// allocates nothing.
type memberFields [48]field

// find looks for name in fs from fs[from] on, then from the start: two
// objects of one struct list their fields in the same order.
func find(fs []field, name []byte, from int) (at int, found bool) {
	for i := range fs {
		at = (from + i) % len(fs)
		if bytes.Equal(fs[at].name, name) {
			return at, true
		}
	}
	return from, false
}

// fieldsChanged is the object of the fields of before that after does not
// hold as they are, null for those after holds and before did not.
func fieldsChanged(before, after []byte) []byte {
	var wasRoom, isRoom memberFields
	was, is := fieldsOf(before, wasRoom[:0]), fieldsOf(after, isRoom[:0])
	out := make([]byte, 1, len(before))
	out[0] = '{'
	add := func(name, value []byte) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, name...), ':'), value...)
	}
	at := 0
	for _, f := range was {
		var found bool
		if at, found = find(is, f.name, at); !found || !bytes.Equal(is[at].value, f.value) {
			add(f.name, f.value)
		}
	}
	at = 0
	for _, f := range is {
		var found bool
		if at, found = find(was, f.name, at); !found {
			add(f.name, null)
		}
	}
	return append(out, '}')
}

var null = []byte("null")

// withFields is the object after with the fields of changed in place of its
// own, and without those changed holds as null: the member as it was, read
// into a new struct, where a field missing and a field null are alike.
func withFields(after, changed []byte) []byte {
	var isRoom, wasRoom memberFields
	is, was := fieldsOf(after, isRoom[:0]), fieldsOf(changed, wasRoom[:0])
	out := make([]byte, 1, len(after)+len(changed))
	out[0] = '{'
	add := func(f field) {
		if bytes.Equal(f.value, null) {
			return
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, f.name...), ':'), f.value...)
	}
	at := 0
	for _, f := range is {
		var found bool
		if at, found = find(was, f.name, at); found {
			f = was[at]
		}
		add(f)
	}
	at = 0
	for _, f := range was {
		var found bool
		if at, found = find(is, f.name, at); !found {
			add(f)
		}
	}
	return append(out, '}')
}
