package loyalty

import (
	"fmt"
	"strings"
)

// Tier is a member's level in the program. It decides the earn multiplier and
// the card's look.
type Tier string

const (
	Bronze   Tier = "bronze"
	Silver   Tier = "silver"
	Gold     Tier = "gold"
	Platinum Tier = "platinum"
)

// Tiers lists every tier from the lowest to the highest.
var Tiers = []Tier{Bronze, Silver, Gold, Platinum}

// Rank orders tiers: Bronze is 0. An unknown tier is -1.
func (t Tier) Rank() int {
	for i, x := range Tiers {
		if x == t {
			return i
		}
	}
	return -1
}

// Title is the tier's name as a person reads it ("Gold").
func (t Tier) Title() string {
	if t == "" {
		return ""
	}
	return strings.ToUpper(string(t[:1])) + string(t[1:])
}

// ParseTier accepts a tier's name in any case.
func ParseTier(s string) (Tier, error) {
	t := Tier(strings.ToLower(s))
	if t.Rank() < 0 {
		return "", fmt.Errorf("%w: %q is not a tier (bronze, silver, gold, platinum)", ErrInvalid, s)
	}
	return t, nil
}

// below returns the tier one step down, or t itself at the bottom.
func (t Tier) below() Tier {
	if r := t.Rank(); r > 0 {
		return Tiers[r-1]
	}
	return t
}
