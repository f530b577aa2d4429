package design

import (
	"fmt"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Color is an opaque sRGB colour.
type Color struct{ R, G, B uint8 }

// RGBA makes Color a color.Color.
func (c Color) RGBA() (r, g, b, a uint32) {
	return uint32(c.R) * 0x101, uint32(c.G) * 0x101, uint32(c.B) * 0x101, 0xffff
}

// Hex is the colour as "#rrggbb", the form of Google Wallet's
// hexBackgroundColor.
func (c Color) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// CSS is the colour as "rgb(r, g, b)", the form of pass.json's
// backgroundColor, foregroundColor and labelColor.
func (c Color) CSS() string { return fmt.Sprintf("rgb(%d, %d, %d)", c.R, c.G, c.B) }

// Colors are a tier's pass colours: Background fills the card, Foreground is
// field values (and the text Wallet draws over the strip), Label is field
// labels.
type Colors struct {
	Background, Foreground, Label Color
}

// metal is the finish of a tier's strip: the mid tone of the brushed surface,
// the colour its highlights run to and the colour of its shadows.
type metal struct {
	base, light, dark Color
}

// look is everything that sets one tier apart.
type look struct {
	colors Colors
	metal  metal
	seed   uint64
}

// The tiers alternate light and dark cards and change hue, so that a member
// and the staff at the till tell them apart at a glance: a dark warm bronze, a
// pale cool silver, a saturated gold and a near-black titanium-platinum. Each
// foreground keeps a contrast ratio of at least 4.5 with its background and
// with its strip (tested), so the fields Wallet draws stay legible.
var looks = map[loyalty.Tier]look{
	loyalty.Bronze: {
		colors: Colors{
			Background: Color{112, 62, 34},
			Foreground: Color{253, 240, 226},
			Label:      Color{240, 204, 170},
		},
		metal: metal{base: Color{142, 84, 46}, light: Color{236, 176, 124}, dark: Color{62, 32, 16}},
		seed:  0xb4021e,
	},
	loyalty.Silver: {
		colors: Colors{
			Background: Color{212, 216, 222},
			Foreground: Color{26, 31, 40},
			Label:      Color{74, 82, 96},
		},
		metal: metal{base: Color{186, 191, 199}, light: Color{250, 251, 253}, dark: Color{112, 118, 130}},
		seed:  0x5117e2,
	},
	loyalty.Gold: {
		colors: Colors{
			Background: Color{214, 172, 70},
			Foreground: Color{40, 28, 6},
			Label:      Color{84, 58, 12},
		},
		metal: metal{base: Color{204, 160, 58}, light: Color{255, 232, 156}, dark: Color{118, 82, 16}},
		seed:  0x601d,
	},
	loyalty.Platinum: {
		colors: Colors{
			Background: Color{36, 39, 46},
			Foreground: Color{238, 240, 244},
			Label:      Color{170, 178, 192},
		},
		metal: metal{base: Color{62, 66, 75}, light: Color{196, 204, 218}, dark: Color{18, 19, 23}},
		seed:  0x9a71,
	},
}

// Palette returns a tier's pass colours. An unknown tier gets the lowest
// tier's.
func Palette(t loyalty.Tier) Colors {
	return looks[known(t)].colors
}
