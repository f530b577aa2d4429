package design

import (
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/vector"
)

// kappa places the control points of a cubic Bézier that follows a quarter
// circle to within 0.03% of its radius.
const kappa = 0.5522847

// shape collects closed outlines and fills them with anti-aliased edges.
// Outlines drawn in opposite directions cancel, which is how a ring gets its
// hole.
type shape struct {
	z  *vector.Rasterizer
	at image.Rectangle
}

// newShape starts a shape that covers r; its outlines are given in pixels
// from r's top-left corner. Keeping r to the shape's box keeps the cost to
// the pixels it touches.
func newShape(r image.Rectangle) shape {
	return shape{z: vector.NewRasterizer(r.Dx(), r.Dy()), at: r}
}

// roundRect adds a rectangle with corners of radius r, clockwise, or
// anticlockwise to cut a hole.
func (s shape) roundRect(x0, y0, x1, y1, r float32, hole bool) shape {
	k := r * (1 - kappa)
	z := s.z
	z.MoveTo(x0+r, y0)
	if !hole {
		z.LineTo(x1-r, y0)
		z.CubeTo(x1-k, y0, x1, y0+k, x1, y0+r)
		z.LineTo(x1, y1-r)
		z.CubeTo(x1, y1-k, x1-k, y1, x1-r, y1)
		z.LineTo(x0+r, y1)
		z.CubeTo(x0+k, y1, x0, y1-k, x0, y1-r)
		z.LineTo(x0, y0+r)
		z.CubeTo(x0, y0+k, x0+k, y0, x0+r, y0)
	} else {
		z.CubeTo(x0+k, y0, x0, y0+k, x0, y0+r)
		z.LineTo(x0, y1-r)
		z.CubeTo(x0, y1-k, x0+k, y1, x0+r, y1)
		z.LineTo(x1-r, y1)
		z.CubeTo(x1-k, y1, x1, y1-k, x1, y1-r)
		z.LineTo(x1, y0+r)
		z.CubeTo(x1, y0+k, x1-k, y0, x1-r, y0)
	}
	z.ClosePath()
	return s
}

// circle adds a circle, clockwise, or anticlockwise to cut a hole.
func (s shape) circle(cx, cy, r float32, hole bool) shape {
	k := r * kappa
	z := s.z
	if !hole {
		z.MoveTo(cx, cy-r)
		z.CubeTo(cx+k, cy-r, cx+r, cy-k, cx+r, cy)
		z.CubeTo(cx+r, cy+k, cx+k, cy+r, cx, cy+r)
		z.CubeTo(cx-k, cy+r, cx-r, cy+k, cx-r, cy)
		z.CubeTo(cx-r, cy-k, cx-k, cy-r, cx, cy-r)
	} else {
		z.MoveTo(cx, cy-r)
		z.CubeTo(cx-k, cy-r, cx-r, cy-k, cx-r, cy)
		z.CubeTo(cx-r, cy+k, cx-k, cy+r, cx, cy+r)
		z.CubeTo(cx+k, cy+r, cx+r, cy+k, cx+r, cy)
		z.CubeTo(cx+r, cy-k, cx+k, cy-r, cx, cy-r)
	}
	z.ClosePath()
	return s
}

// fill paints the outlines onto dst in c.
func (s shape) fill(dst draw.Image, c color.Color) {
	s.z.Draw(dst, s.at, image.NewUniform(c), image.Point{})
}

// mask returns the outlines' coverage, for clipping.
func (s shape) mask() *image.Alpha {
	m := image.NewAlpha(s.at)
	s.z.Draw(m, s.at, image.Opaque, image.Point{})
	return m
}
