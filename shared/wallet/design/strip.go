package design

import (
	"image"
	"image/color"
	"math"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Strip is the storeCard strip of a tier at scale 1, 2 or 3 (@1x, @2x, @3x):
// StripWidth×StripHeight points of the tier's brushed metal with the tier's
// name engraved at the right. Wallet draws the pass's primary field over its
// left side, in the tier's Foreground colour. A scale outside 1..3 is taken
// as the nearest of them.
func Strip(t loyalty.Tier, scale int) image.Image {
	s := clampScale(scale)
	return plate(t, StripWidth*s, StripHeight*s, float64(s))
}

// Hero is the heroImage of a tier's Google Wallet class: the strip's metal
// and mark at Google's recommended HeroWidth×HeroHeight pixels times scale.
// Its proportions follow the strip's height, so the two read as one design.
func Hero(t loyalty.Tier, scale int) image.Image {
	s := clampScale(scale)
	w, h := HeroWidth*s, HeroHeight*s
	return plate(t, w, h, float64(h)/StripHeight)
}

// plate is a w×h piece of a tier's metal with its engraved mark, at unit
// pixels per point of the strip's design.
func plate(t loyalty.Tier, w, h int, unit float64) *image.Paletted {
	t = known(t)
	img := brushed(t, w, h, unit)
	m := looks[t].metal

	mark := set(bold, 22*unit, 0.24, strings.ToUpper(t.Title()))
	x := w - mark.width() - int(20*unit)
	// Centred on the strip's middle, which is inside the safe band whatever
	// height Wallet gives the strip.
	y := h/2 + mark.capHeight/2
	// A shallow cut: walls under a point wide and a floor a shade darker
	// than the surface, so that the brushing still shows through the letters.
	depth := max(1, int(math.Round(0.75*unit)))
	mark.engrave(img, x, y, depth,
		withAlpha(m.light, 0.90),
		withAlpha(m.dark, 0.85),
		withAlpha(m.dark, 0.32))
	return ramp(img, m)
}

// withAlpha is c at opacity a, for painting over a texture.
func withAlpha(c Color, a float64) color.NRGBA {
	return color.NRGBA{c.R, c.G, c.B, uint8(math.Round(a * 255))}
}
