package design

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"image"
	"image/draw"
	"io"

	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// outlines is a font as gen_fonts.go writes it: each glyph's outline as
// x/image/font/sfnt loads it, in font units with y pointing down. Drawing
// from it scales and rasterises exactly as x/image/font/opentype does, so
// the cards are the same pixels, without linking a TrueType parser.
type outlines struct {
	unitsPerEm                 int32
	ascent, descent, capHeight int32
	glyphOf                    map[rune]int // 0, the missing glyph's box, for characters not there
	glyphs                     []glyph
}

type glyph struct {
	advance int32
	ops     []segmentOp
	points  []fixed.Point26_6 // every op's points in turn
}

// A segmentOp is sfnt's: each takes one, one, two or three points.
type segmentOp uint8

const (
	moveTo segmentOp = iota
	lineTo
	quadTo
	cubeTo
)

func (op segmentOp) points() int {
	switch op {
	case quadTo:
		return 2
	case cubeTo:
		return 3
	}
	return 1
}

var errOutlines = errors.New("design: a font's outlines are cut short or corrupt")

// readOutlines inflates and reads a font written by gen_fonts.go.
func readOutlines(compressed []byte) (*outlines, error) {
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(compressed)))
	if err != nil {
		return nil, err
	}
	r := reader{b: raw}
	o := &outlines{unitsPerEm: int32(r.u16()), ascent: int32(r.i16()), descent: int32(r.i16()), capHeight: int32(r.i16())}
	chars := int(r.u16())
	o.glyphOf = make(map[rune]int, chars)
	c := rune(0)
	for range chars {
		c += rune(r.u16())
		o.glyphOf[c] = int(r.u16())
	}
	o.glyphs = make([]glyph, r.u16())
	for i := range o.glyphs {
		g := &o.glyphs[i]
		g.advance = int32(r.u16())
		segments := int(r.u16())
		g.ops = make([]segmentOp, 0, segments)
		g.points = make([]fixed.Point26_6, 0, segments*3/2)
		var at fixed.Point26_6
		for range segments {
			op := segmentOp(r.u8())
			if op > cubeTo {
				return nil, errOutlines
			}
			g.ops = append(g.ops, op)
			for range op.points() {
				at.X += fixed.Int26_6(r.i16())
				at.Y += fixed.Int26_6(r.i16())
				g.points = append(g.points, at)
			}
		}
	}
	if r.short {
		return nil, errOutlines
	}
	for _, g := range o.glyphOf {
		if g >= len(o.glyphs) {
			return nil, errOutlines
		}
	}
	return o, nil
}

// A reader reads big-endian numbers from b; past its end it reads zeros
// and says it fell short.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) next(n int) []byte {
	if len(r.b) < n {
		r.short, r.b = true, nil
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8   { return r.next(1)[0] }
func (r *reader) u16() uint16 { return binary.BigEndian.Uint16(r.next(2)) }
func (r *reader) i16() int16  { return int16(r.u16()) }

// A face is a font at a size, as opentype.NewFace makes it with the
// size in pixels, 72 dpi and no hinting.
type face struct {
	o    *outlines
	ppem fixed.Int26_6
	rast vector.Rasterizer
}

func (o *outlines) face(px float64) *face {
	return &face{o: o, ppem: fixed.Int26_6(0.5 + px*64)}
}

// scale is sfnt's: v font units at ppem, rounded half away from zero.
func (f *face) scale(v fixed.Int26_6) fixed.Int26_6 {
	v *= f.ppem
	half := fixed.Int26_6(f.o.unitsPerEm) / 2
	if v >= 0 {
		v += half
	} else {
		v -= half
	}
	return v / fixed.Int26_6(f.o.unitsPerEm)
}

func (f *face) ascent() fixed.Int26_6    { return f.scale(fixed.Int26_6(f.o.ascent)) }
func (f *face) descent() fixed.Int26_6   { return f.scale(fixed.Int26_6(f.o.descent)) }
func (f *face) capHeight() fixed.Int26_6 { return f.scale(fixed.Int26_6(f.o.capHeight)) }

func (f *face) advance(r rune) fixed.Int26_6 {
	return f.scale(fixed.Int26_6(f.o.glyphs[f.o.glyphOf[r]].advance))
}

// draw paints r's glyph opaque into dst with its origin at dot, as
// font.Drawer does with opentype's Face.Glyph.
func (f *face) draw(dst *image.Alpha, dot fixed.Point26_6, r rune) {
	g := &f.o.glyphs[f.o.glyphOf[r]]
	if len(g.points) == 0 {
		return // a space: nothing to paint
	}
	points := make([]fixed.Point26_6, len(g.points))
	bounds := fixed.Rectangle26_6{Min: fixed.Point26_6{X: 1<<31 - 1, Y: 1<<31 - 1}, Max: fixed.Point26_6{X: -1 << 31, Y: -1 << 31}}
	for i, p := range g.points {
		p = fixed.Point26_6{X: f.scale(p.X), Y: f.scale(p.Y)}
		points[i] = p
		bounds.Min.X, bounds.Min.Y = min(bounds.Min.X, p.X), min(bounds.Min.Y, p.Y)
		bounds.Max.X, bounds.Max.Y = max(bounds.Max.X, p.X), max(bounds.Max.Y, p.Y)
	}
	// From here as opentype.Face.Glyph: the glyph's pixels, and the
	// sub-pixel bias from glyph space to the mask's.
	b := bounds.Add(dot)
	dr := image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
	biasX, biasY := dot.X-fixed.Int26_6(dr.Min.X<<6), dot.Y-fixed.Int26_6(dr.Min.Y<<6)
	at := func(i int) (float32, float32) {
		return float32(points[i].X+biasX) / 64, float32(points[i].Y+biasY) / 64
	}
	mask := image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))
	f.rast.Reset(dr.Dx(), dr.Dy())
	f.rast.DrawOp = draw.Src
	i := 0
	for _, op := range g.ops {
		switch op {
		case moveTo:
			f.rast.MoveTo(at(i))
		case lineTo:
			f.rast.LineTo(at(i))
		case quadTo:
			x1, y1 := at(i)
			x2, y2 := at(i + 1)
			f.rast.QuadTo(x1, y1, x2, y2)
		case cubeTo:
			x1, y1 := at(i)
			x2, y2 := at(i + 1)
			x3, y3 := at(i + 2)
			f.rast.CubeTo(x1, y1, x2, y2, x3, y3)
		}
		i += op.points()
	}
	f.rast.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	draw.DrawMask(dst, dr, image.Opaque, image.Point{}, mask, image.Point{}, draw.Over)
}
