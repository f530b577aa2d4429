package store_test

import (
	"slices"
	"testing"

	"github.com/fidelio/fidelio/shared/store"
)

func TestNameKeys(t *testing.T) {
	for _, c := range []struct {
		name string
		want []string
	}{
		{"Ada Lovelace", []string{"ada lovelace", "lovelace"}},
		{"  Émile   ZOLA ", []string{"emile zola", "zola"}},
		{"Jean-Pierre Rampal", []string{"jean pierre rampal", "pierre rampal", "rampal"}},
		{"Zoë", []string{"zoe"}},
		{"Anna Anna", []string{"anna anna", "anna"}},
		{"A B C D E F", []string{"a b c d e f", "b c d e f", "c d e f", "d e f"}},
		{"O'Brien, Ægir Øster", []string{"o brien ægir øster", "brien ægir øster", "ægir øster", "øster"}},
		{"-- !", nil},
	} {
		if got := store.NameKeys(c.name); !slices.Equal(got, c.want) {
			t.Errorf("NameKeys(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
