package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SchemaVersion is the version of the stored items this build reads and
// writes. A table records the version its items are at (SaveSchemaVersion,
// once a migration has brought every item to it); a table that records none
// is at version 1, the format from before versions were recorded. A build
// reads any version up to its own, and refuses a table at a later one.
//
//   - 1: the items of docs/architecture.md's data model.
//   - 2: members have lookup items (their card number and the words of their
//     name, NameKeys), written with the member; the migration to 2 adds them
//     to the members written before.
//   - 3: on DynamoDB, the lots expiring on a month's last day are indexed
//     under 32 keys (GSI2 EXP#<day>#<nn>), not the day's one; the migration
//     to 3 moves the entries of the lots written before. The embedded store
//     has nothing to move.
//   - 4: members have a lookup item of their referral code, written with the
//     member; the migration to 4 adds it to the members written before.
//   - 5: the segment counters are kept on items of their own
//     (loyalty.SegmentCounters), not in the stats' all-time items; the
//     migration to 5 moves those written before.
//   - 6: every member's activity (loyalty.Activity) is complete and counted
//     in the segment counters; the migration to 6 rebuilds it from the
//     ledger for the members written before segments existed.
//   - 7: on DynamoDB, a shard's segment counters of a month are spread over
//     small items (about 1 KB at most, whatever the month's activity) under
//     several partition keys, no longer in one item that grew over the
//     month; the migration to 7 splits the items written before. The
//     embedded store has nothing to split.
const SchemaVersion = 7

// ErrSchemaTooNew refuses a table whose items a later build wrote: this
// build might misread them, or write items that build cannot read.
var ErrSchemaTooNew = errors.New("the data was written by a later version of Fidelio")

// SchemaError is ErrSchemaTooNew with the version found.
type SchemaError struct{ Found int }

func (e *SchemaError) Error() string {
	return fmt.Sprintf("%s: its items are at schema version %d and this build reads versions up to %d; deploy that version or a later one", ErrSchemaTooNew, e.Found, SchemaVersion)
}

func (e *SchemaError) Is(target error) bool { return target == ErrSchemaTooNew }

// CheckSchema refuses a table at a version later than SchemaVersion.
func CheckSchema(found int) error {
	if found > SchemaVersion {
		return &SchemaError{Found: found}
	}
	return nil
}

// maxNameKeys bounds the lookup items of a name: a name of many words is
// found by its first four words.
const maxNameKeys = 4

// NameKeys are the keys under which a member is found by name: the folded
// name (FoldName) from each of its first words to its end, so "Jean-Pierre
// Rampal" is found by "jean", "pierre" and "rampal". At most 4 distinct keys.
func NameKeys(name string) []string {
	words := strings.Fields(FoldName(name))
	var keys []string
	for i := range words {
		if len(keys) == maxNameKeys {
			break
		}
		key := strings.Join(words[i:], " ")
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	return keys
}

// NameKeysMoved are the name keys a change of name from prev to next
// removes and adds: a key of both stays, so that no transaction touches
// the same lookup item twice.
func NameKeysMoved(prev, next string) (gone, added []string) {
	before, after := NameKeys(prev), NameKeys(next)
	for _, k := range before {
		if !slices.Contains(after, k) {
			gone = append(gone, k)
		}
	}
	for _, k := range after {
		if !slices.Contains(before, k) {
			added = append(added, k)
		}
	}
	return gone, added
}

// FoldName is the form in which names are compared: lower case, accents
// removed, every run of characters other than letters and digits one space.
func FoldName(name string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}
