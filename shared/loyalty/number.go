package loyalty

import "strings"

// Number is the member number printed under the card's QR code and read out
// at the till: the random end of the member's id, in groups of four. It is for
// people; the signed code is what proves who the member is.
func (m Member) Number() string {
	if len(m.ID) < 12 {
		return m.ID
	}
	tail := m.ID[len(m.ID)-12:]
	return strings.Join([]string{tail[:4], tail[4:8], tail[8:]}, " ")
}
