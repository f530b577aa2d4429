package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	varint "encoding/binary"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// updateTag is the Wallet web service's lastUpdated tag: for each pass the
// device was last told about, the card's change time that the device then
// fetched (or a later one). A pass is listed again when its card changed
// after that, judged per pass and never against a clock, so no interleaving
// of changes and device lists hides a change:
//   - a card's change times only increase (loyalty gives every change a later
//     second than the one before), so a change committed after a list read
//     the card shows as later than the tag's entry;
//   - the tag holds what the list read, which is never newer than what the
//     device then fetches (both are consistent reads), so the device always
//     holds at least what its tag says;
//   - a pass the tag does not name (registered since) is always listed.
//
// One pass's time running ahead of the clock thus cannot hide another's
// change. Passes are named by 6 bytes of the SHA-256 of their serial, so a
// tag stays short (15 characters a pass) on a device with many passes.
type updateTag map[passKey]int64

type passKey [6]byte

func keyOf(serial string) passKey {
	sum := sha256.Sum256([]byte(serial))
	return passKey(sum[:6])
}

// updateTagPrefix marks the tags of this form; a tag of an earlier form (a
// plain number of seconds) reads as empty, so its device is sent every pass
// once.
const updateTagPrefix = "t1."

var errUpdateTag = errors.New("not a lastUpdated tag from this service")

// parseUpdateTag reads a tag given out by updateTag.String; "" (a device's
// first list) is the empty tag.
func parseUpdateTag(s string) (updateTag, error) {
	tag := updateTag{}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil || s == "" {
		return tag, nil
	}
	encoded, ok := strings.CutPrefix(s, updateTagPrefix)
	if !ok {
		return nil, errUpdateTag
	}
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return nil, errUpdateTag
	}
	for len(raw) > 0 {
		if len(raw) < len(passKey{}) {
			return nil, errUpdateTag
		}
		k := passKey(raw[:len(passKey{})])
		t, n := varint.Varint(raw[len(k):])
		if n <= 0 {
			return nil, errUpdateTag
		}
		tag[k] = t
		raw = raw[len(k)+n:]
	}
	return tag, nil
}

// Changed reports whether the card of serial, last changed at cardUpdated,
// is newer than what the tag says the device holds.
func (t updateTag) Changed(serial string, cardUpdated time.Time) bool {
	seen, ok := t[keyOf(serial)]
	return !ok || cardUpdated.Unix() > seen
}

// Next is the tag to give a device whose passes were read as cards (serial
// to card change time), after a list made from t: each pass at the later of
// what t said and what was read, so a stale read never moves a pass back.
func (t updateTag) Next(cards map[string]time.Time) updateTag {
	next := make(updateTag, len(cards))
	for serial, updated := range cards {
		k := keyOf(serial)
		next[k] = updated.Unix()
		if seen, ok := t[k]; ok {
			next[k] = max(next[k], seen)
		}
	}
	return next
}

// String encodes the tag, passes in a fixed order.
func (t updateTag) String() string {
	keys := make([]passKey, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b passKey) int { return bytes.Compare(a[:], b[:]) })
	var raw bytes.Buffer
	for _, k := range keys {
		raw.Write(k[:])
		raw.Write(varint.AppendVarint(nil, t[k]))
	}
	return updateTagPrefix + base64.RawURLEncoding.EncodeToString(raw.Bytes())
}
