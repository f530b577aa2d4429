package design

import (
	_ "embed" // the fonts
	"image"
	"image/color"
	"image/draw"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/math/fixed"
)

// The Go fonts are compiled into the program, so the card looks the same on
// every server and needs no font files at run time. They are kept as the
// drawing uses them, each glyph's outline, compressed (gen_fonts.go makes
// them: 70 KB for both instead of 300, and no TrueType parser linked), and
// each is read by the first drawing that sets text in it, not when the
// process starts: most requests draw nothing, and a function that never
// sets text in a font links none of it. (Functions, not variables set at
// start, hold them: a variable's initialiser would keep the font in every
// binary that imports the package. And one for each: the pass's strip and
// the logo set bold only, so the functions that draw no preview leave the
// regular font out.)
//
//go:generate go run gen_fonts.go
var (
	regularOnce, boldOnce sync.Once
	regularFont, boldFont *outlines
	//go:embed fonts/goregular.outlines.flate
	goRegular []byte
	//go:embed fonts/gobold.outlines.flate
	goBold []byte
)

func regular() *outlines {
	regularOnce.Do(func() { regularFont = mustFont(goRegular) })
	return regularFont
}

func bold() *outlines {
	boldOnce.Do(func() { boldFont = mustFont(goBold) })
	return boldFont
}

// mustFont reads a font compiled into the program. Like regexp.MustCompile
// on a literal, it can only fail on a defect of the build.
func mustFont(compressed []byte) *outlines {
	o, err := readOutlines(compressed)
	if err != nil {
		panic("design: a built-in font does not read: " + err.Error())
	}
	return o
}

// text is a line set in one font and size, rasterised once as a coverage
// mask so that it can be painted several times in different colours (an
// engraving is three paintings).
type text struct {
	mask      *image.Alpha
	ascent    int // from the top of the mask to the baseline
	capHeight int
}

// set rasterises s in f at px pixels per em, with tracking ems of extra space
// between letters.
func set(f *outlines, px, tracking float64, s string) text {
	face := f.face(px)
	ascent, descent := face.ascent().Ceil(), face.descent().Ceil()
	track := fixed.Int26_6(tracking * px * 64)

	s = spaces.Replace(s)
	width := advance(face, s, track).Ceil()
	mask := image.NewAlpha(image.Rect(0, 0, max(width, 1), ascent+descent))
	dot := fixed.P(0, ascent)
	for i, r := range []rune(s) {
		if i > 0 {
			dot.X += track
		}
		face.draw(mask, dot, r)
		dot.X += face.advance(r)
	}
	return text{mask: mask, ascent: ascent, capHeight: face.capHeight().Round()}
}

// spaces maps the spaces the Go fonts lack to one they have: French groups
// thousands with a narrow no-break space (U+202F), which would otherwise be
// drawn as a missing glyph's box.
var spaces = strings.NewReplacer("\u202f", " ", "\u00a0", " ")

// advance is the width of s set in face, tracking included (the Go fonts
// have no kerning).
func advance(face *face, s string, track fixed.Int26_6) fixed.Int26_6 {
	var w fixed.Int26_6
	for i, r := range []rune(s) {
		if i > 0 {
			w += track
		}
		w += face.advance(r)
	}
	return w
}

// fit sets s no wider than maxWidth pixels: at px if it fits, else at a
// smaller size down to minPx, else at minPx cut short with an ellipsis. A
// member's name of any length then stays inside its field.
func fit(f *outlines, px, minPx, tracking float64, s string, maxWidth int) text {
	for size := px; size > minPx; size *= 0.92 {
		if t := set(f, size, tracking, s); t.width() <= maxWidth {
			return t
		}
	}
	t := set(f, minPx, tracking, s)
	for cut := s; t.width() > maxWidth && cut != ""; {
		_, n := utf8.DecodeLastRuneInString(cut)
		cut = cut[:len(cut)-n]
		t = set(f, minPx, tracking, cut+"…")
	}
	return t
}

func (t text) width() int { return t.mask.Bounds().Dx() }

// draw paints t in c with the left end of its baseline at (x, y).
func (t text) draw(dst draw.Image, x, y int, c color.Color) {
	r := t.mask.Bounds().Add(image.Pt(x, y-t.ascent))
	draw.DrawMask(dst, r, image.NewUniform(c), image.Point{}, t.mask, image.Point{}, draw.Over)
}

// engrave cuts t into a surface lit from the top left. Everything is painted
// inside the letters, as in a real cut: the floor a shade darker than the
// surface, the wall below the upper-left edge in shadow, the wall inside the
// lower-right edge catching the light.
func (t text) engrave(dst draw.Image, x, y, depth int, light, dark, floor color.Color) {
	t.draw(dst, x, y, floor)
	text{mask: rim(t.mask, depth), ascent: t.ascent}.draw(dst, x, y, dark)
	text{mask: rim(t.mask, -depth), ascent: t.ascent}.draw(dst, x, y, light)
}

// rim is the part of a mask that a copy of it moved by (d, d) does not
// cover: a band d pixels wide inside the upper-left edges for a positive d,
// inside the lower-right edges for a negative one.
func rim(m *image.Alpha, d int) *image.Alpha {
	b := m.Bounds()
	out := image.NewAlpha(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			a := uint32(m.AlphaAt(x, y).A)
			if a == 0 {
				continue
			}
			moved := uint32(0)
			if p := image.Pt(x-d, y-d); p.In(b) {
				moved = uint32(m.AlphaAt(p.X, p.Y).A)
			}
			out.SetAlpha(x, y, color.Alpha{A: uint8(a * (255 - moved) / 255)})
		}
	}
	return out
}
