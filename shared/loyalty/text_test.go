package loyalty

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{" Ada Lovelace ", "Ada Lovelace"},
		{"Zoë", "Zoë"},
		{"محمد", "محمد"},
		{"👩\u200d👩\u200d👧", "👩\u200d👩\u200d👧"}, // joiners inside an emoji are fine
		{"R&D", "R&D"},
	} {
		if got, err := cleanText("name", tc.in, 100, false); err != nil || got != tc.want {
			t.Errorf("cleanText(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{
		"", " ", "Ada\x00", "Ada\a", "Ada\nLovelace", "Ada\u2028L", "Ada\u0085L",
		"Ada\u202eecalevoL", "\u2066Ada\u2069", "Ada\u200f",
		"\u200b", " \u200b\u200c ", "\u2060", "\ufeff", "\u0301",
		"Ada\ufffd", strings.Repeat("a", 101),
	} {
		if _, err := cleanText("name", bad, 100, false); !errors.Is(err, ErrInvalid) {
			t.Errorf("cleanText(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := cleanText("description", "Meals.\nEvery day.", 2000, true); err != nil {
		t.Errorf("a description with a line break: %v", err)
	}
	if _, err := cleanText("description", "Meals\u202e", 2000, true); err == nil {
		t.Error("a description with a bidi override was accepted")
	}
}

func TestValidRef(t *testing.T) {
	for _, ok := range []string{"R-1", "ticket 42", "Ö-7"} {
		if err := validRef("receiptId", ok); err != nil {
			t.Errorf("validRef(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", " ", "   ", " R-1", "R-1 ", "\u200b", "R\x00", "R\u202e1", strings.Repeat("r", 65)} {
		if err := validRef("receiptId", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("validRef(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
