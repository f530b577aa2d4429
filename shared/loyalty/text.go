package loyalty

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text that people wrote is shown to other people (on a card, a till, a
// report) or names a record (a receipt): it is checked here, once.

// cleanText trims s and refuses it unless it is 1 to most characters and
// checkText accepts it. lines lets a description keep its line breaks.
func cleanText(field, s string, most int, lines bool) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n == 0 || n > most {
		return s, fmt.Errorf("%w: %s must be 1 to %d characters", ErrInvalid, field, most)
	}
	return s, checkText(field, s, lines)
}

// checkText refuses text without a visible character, or with control
// characters (NUL, BEL, line breaks unless lines) or bidirectional controls
// (U+202E and kin), which would change how the text around them is shown.
func checkText(field, s string, lines bool) error {
	visible := false
	for _, r := range s {
		switch {
		case lines && (r == '\n' || r == '\r' || r == '\t'):
		case r == utf8.RuneError, unicode.IsControl(r), unicode.In(r, unicode.Zl, unicode.Zp):
			return fmt.Errorf("%w: %s must not contain control characters or line breaks", ErrInvalid, field)
		case unicode.Is(unicode.Bidi_Control, r):
			return fmt.Errorf("%w: %s must not contain characters that change the direction of text (U+%04X)", ErrInvalid, field, r)
		case unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S):
			visible = true
		}
	}
	if !visible {
		return fmt.Errorf("%w: %s must have a visible character, not only spaces or invisible ones", ErrInvalid, field)
	}
	return nil
}
