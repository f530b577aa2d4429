package design

import (
	"image"
	"image/color"
	"math"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Strip is the storeCard strip of a tier at scale 1, 2 or 3 (@1x, @2x, @3x):
// StripWidth×StripHeight points of the tier's brushed metal with the tier's
// rank engraved at the right, one lozenge per step (Bronze one, Platinum
// four). Wallet draws the pass's primary field, the tier's name in the
// member's language, over its left side in the tier's Foreground colour: the
// strip carries no word, so it reads in every language and the name is not
// said twice. A scale outside 1..3 is taken as the nearest of them.
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

// Face is a w×h pixel piece of a tier's brushed metal with its engraved
// rank at the right, for the face of a printed card: the strip's design at
// the scale of its height.
func Face(t loyalty.Tier, w, h int) image.Image {
	return plate(t, w, h, float64(h)/StripHeight)
}

// plate is a w×h piece of a tier's metal with its engraved mark, at unit
// pixels per point of the strip's design.
func plate(t loyalty.Tier, w, h int, unit float64) *image.Paletted {
	t = known(t)
	img := brushed(t, w, h, unit)
	m := looks[t].metal

	mark := rankMark(t, unit)
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

// The lozenges of the rank mark, in points.
const (
	lozengeW, lozengeH, lozengeGap = 11, 16, 7
)

// rankMark is the tier's rank as a row of lozenges, set like a line of text
// so that it is engraved the same way.
func rankMark(t loyalty.Tier, unit float64) text {
	n := t.Rank() + 1
	w := int(math.Ceil(float64(n*lozengeW+(n-1)*lozengeGap) * unit))
	h := int(math.Ceil(lozengeH * unit))
	s := newShape(image.Rect(0, 0, w, h))
	for i := range n {
		x := float32((float64(i*(lozengeW+lozengeGap)) + lozengeW/2.0) * unit)
		hw, hh := float32(lozengeW*unit/2), float32(lozengeH*unit/2)
		s.z.MoveTo(x, 0)
		s.z.LineTo(x+hw, hh)
		s.z.LineTo(x, 2*hh)
		s.z.LineTo(x-hw, hh)
		s.z.ClosePath()
	}
	return text{mask: s.mask(), ascent: h, capHeight: h}
}

// withAlpha is c at opacity a, for painting over a texture.
func withAlpha(c Color, a float64) color.NRGBA {
	return color.NRGBA{c.R, c.G, c.B, uint8(math.Round(a * 255))}
}
