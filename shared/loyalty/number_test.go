package loyalty

import "testing"

func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"TYVF MNJR EH7B", "TYVFMNJREH7B", true},
		{"tyvfmnjreh7b", "TYVFMNJREH7B", true},
		{" tyvf-mnjr-eh7b ", "TYVFMNJREH7B", true},
		{"TYVF MNJR EH7", "", false},
		{"TYVF MNJR EH7BB", "", false},
		{"TYVF MNJR EHIL", "", false}, // I, L, O and U are not in the ids' alphabet
		{"christabella", "", false},
	} {
		got, ok := ParseNumber(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	m := Member{ID: "01KAAAAAAAAAAATYVFMNJREH7B"}
	if n, _ := ParseNumber(m.Number()); n != m.NumberKey() {
		t.Errorf("ParseNumber(%q) = %q, want the member's %q", m.Number(), n, m.NumberKey())
	}
}
