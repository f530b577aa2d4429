package embedded

import "bytes"

// The change feed writes of the member as it was only the fields that
// differ from the member as it is (changeRecord), compared as the JSON that
// encoding/json writes of a struct: one object, no space, each field once.

// field is a member of a JSON object: its quoted name and its value.
type field struct{ name, value []byte }

// fieldsOf splits a compact JSON object into its members.
func fieldsOf(obj []byte) []field {
	var out []field
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

func find(fs []field, name []byte) (field, bool) {
	for _, f := range fs {
		if bytes.Equal(f.name, name) {
			return f, true
		}
	}
	return field{}, false
}

// fieldsChanged is the object of the fields of before that after does not
// hold as they are, null for those after holds and before did not.
func fieldsChanged(before, after []byte) []byte {
	was, is := fieldsOf(before), fieldsOf(after)
	out := []byte{'{'}
	add := func(name, value []byte) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, name...), ':'), value...)
	}
	for _, f := range was {
		if now, ok := find(is, f.name); !ok || !bytes.Equal(now.value, f.value) {
			add(f.name, f.value)
		}
	}
	for _, f := range is {
		if _, ok := find(was, f.name); !ok {
			add(f.name, []byte("null"))
		}
	}
	return append(out, '}')
}

// withFields is the object after with the fields of changed in place of its
// own, and without those changed holds as null: the member as it was, read
// into a new struct, where a field missing and a field null are alike.
func withFields(after, changed []byte) []byte {
	is, was := fieldsOf(after), fieldsOf(changed)
	out := make([]byte, 0, len(after)+len(changed))
	out = append(out, '{')
	add := func(f field) {
		if bytes.Equal(f.value, []byte("null")) {
			return
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, f.name...), ':'), f.value...)
	}
	for _, f := range is {
		if c, ok := find(was, f.name); ok {
			f = c
		}
		add(f)
	}
	for _, f := range was {
		if _, ok := find(is, f.name); !ok {
			add(f)
		}
	}
	return append(out, '}')
}
