package loyalty

import "strings"

// numberLength is the length of a member number without its spaces.
const numberLength = 12

// Number is the member number printed under the card's QR code and read out
// at the till: the random end of the member's id, in groups of four. It is for
// people; the signed code is what proves who the member is.
func (m Member) Number() string {
	tail := m.NumberKey()
	if tail == "" {
		return m.ID
	}
	return strings.Join([]string{tail[:4], tail[4:8], tail[8:]}, " ")
}

// ParseNumber reads a member number as a person types it, with or without
// its spaces (or dashes), in any case, and returns it as the 12 characters
// of the member's id it is; false when s cannot be one.
func ParseNumber(s string) (string, bool) {
	compact := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(compact) != numberLength {
		return "", false
	}
	for _, r := range compact {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return "", false
		}
	}
	return compact, true
}

// NumberKey is the member's number as ParseNumber returns it, "" for an id
// too short to have one.
func (m Member) NumberKey() string {
	if len(m.ID) < numberLength {
		return ""
	}
	return m.ID[len(m.ID)-numberLength:]
}
