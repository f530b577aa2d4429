package api

import (
	"testing"
	"time"
)

func TestUpdateTag(t *testing.T) {
	at := func(sec int64) time.Time { return time.Unix(sec, 0) }
	first := updateTag{}.Next(map[string]time.Time{"a": at(100), "b": at(205)})
	tag, err := parseUpdateTag(first.String())
	if err != nil {
		t.Fatalf("a tag does not read back: %v", err)
	}
	checks := []struct {
		name    string
		serial  string
		updated time.Time
		want    bool
	}{
		{"a card as the tag has it is not listed", "a", at(100), false},
		{"a card changed since is listed", "a", at(101), true},
		{"a card behind the tag (a stale read) is not listed", "b", at(204), false},
		{"a pass the tag does not name is listed", "c", at(1), true},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := tag.Changed(c.serial, c.updated); got != c.want {
				t.Fatalf("Changed(%s, %d) = %v, want %v", c.serial, c.updated.Unix(), got, c.want)
			}
		})
	}
	t.Run("a stale read never moves a pass back", func(t *testing.T) {
		next := tag.Next(map[string]time.Time{"a": at(150), "b": at(200)})
		if next.Changed("b", at(205)) || !next.Changed("b", at(206)) || next.Changed("a", at(150)) {
			t.Fatalf("next tag %s", next)
		}
	})
	t.Run("a first list and an older tag read as empty", func(t *testing.T) {
		for _, s := range []string{"", "1795841782"} {
			if tag, err := parseUpdateTag(s); err != nil || len(tag) != 0 {
				t.Fatalf("parseUpdateTag(%q) = %v, %v", s, tag, err)
			}
		}
	})
	t.Run("a tag of another origin is refused", func(t *testing.T) {
		for _, s := range []string{"abc", "t1.!!", "t1.AAAA", first.String() + "A"} {
			if _, err := parseUpdateTag(s); err == nil {
				t.Fatalf("parseUpdateTag(%q) accepted", s)
			}
		}
	})
}
