package design

import (
	"image"
	"image/color"
	"math"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// brushed paints a tier's metal finish on a w×h image drawn at unit pixels
// per point: fine streaks along x as left by a brush, a row-to-row variation
// that reads as the brush's passes, a soft curvature darkening the long edges,
// two diagonal highlights like light caught on a card tilted in the hand, and
// a faint guilloché of interlaced waves as on a bank card or a banknote.
//
// The noise is a hash of the pixel and the tier's seed rather than a random
// source, so that one tier and size always give the same pixels.
func brushed(t loyalty.Tier, w, h int, unit float64) *image.RGBA {
	lk := looks[known(t)]
	m := lk.metal
	base, dark, light := m.base, rgbOf(m.dark), rgbOf(m.light)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	wPt, hPt := float64(w)/unit, float64(h)/unit

	// Everything but the streaks depends on the column, the row or the
	// distance along the diagonal alone; computing those once keeps a @3x
	// strip to a few tens of milliseconds.
	rows := rowVariation(h, unit, lk.seed)
	waves := guillocheWaves(w, unit, wPt)
	diagonal := func(d float64) (sheen, fall float64) {
		// Two highlights, the second narrow like the edge of a reflection,
		// and away from the light a fall towards the plate's shadow.
		sheen = 0.50*bell(d, 0.30*wPt+0.8*hPt, 0.20*wPt) + 0.30*bell(d, 0.62*wPt+0.8*hPt, 0.045*wPt)
		return sheen, 0.30 * smoothstep(0.55*wPt, 1.25*wPt+hPt, d)
	}
	const perPx = 2 // table entries per pixel along the diagonal
	diag := make([][2]float64, int((float64(w)+1.6*float64(h))*perPx)+2)
	for i := range diag {
		diag[i][0], diag[i][1] = diagonal(float64(i) / perPx / unit)
	}

	streak := make([]float64, w)
	for y := range h {
		streaks(streak, y, unit, lk.seed)
		py := float64(y) / unit
		v := 2*py/hPt - 1
		shade := 1 - 0.12*v*v
		for x := range w {
			tone := shade * (1 + 0.065*streak[x] + 0.045*rows[y])
			dl := diag[int((float64(x)+1.6*float64(y))*perPx)]
			// Brushed metal reflects along its streaks, not evenly.
			sheen := dl[0] * (1 + 0.125*streak[x])

			c := scaleRGB(base, tone)
			c = mixRGB(c, dark, dl[1])
			c = mixRGB(c, light, clamp01(sheen))
			c = mixRGB(c, light, 0.09*waves.coverage(x, py, unit))

			o := img.PixOffset(x, y)
			img.Pix[o+0] = to8(c[0])
			img.Pix[o+1] = to8(c[1])
			img.Pix[o+2] = to8(c[2])
			img.Pix[o+3] = 0xff
		}
	}
	return img
}

// ramp maps a painted metal onto 256 shades running from the metal's shadow
// through its mid tone to its highlight, choosing for each pixel the shade
// of the same luma. Every colour the painting uses is a mix of those three,
// so the eye sees no difference; but a paletted image of one byte a pixel,
// where neighbours along a streak often share a shade, makes a PNG about a
// third smaller than the full-colour one (160 rather than 230 kB for a @3x
// strip), and a pass downloads faster.
func ramp(img *image.RGBA, m metal) *image.Paletted {
	pal := make(color.Palette, 256)
	lumas := make([]float64, 256)
	for i := range pal {
		t := float64(i) / 255
		var c rgb
		if t < 0.5 {
			c = mixRGB(rgbOf(m.dark), rgbOf(m.base), t/0.5)
		} else {
			c = mixRGB(rgbOf(m.base), rgbOf(m.light), (t-0.5)/0.5)
		}
		pal[i] = color.RGBA{to8(c[0]), to8(c[1]), to8(c[2]), 0xff}
		lumas[i] = luma(c)
	}
	// index[y] is the shade nearest to luma y/4, for lumas 0..255 in quarter
	// steps.
	var index [1024]uint8
	for y := range index {
		want, best := float64(y)/4, 0
		for i := range lumas {
			if math.Abs(lumas[i]-want) < math.Abs(lumas[best]-want) {
				best = i
			}
		}
		index[y] = uint8(best)
	}
	b := img.Bounds()
	out := image.NewPaletted(b, pal)
	for i := range out.Pix {
		p := img.Pix[4*i : 4*i+3]
		y := luma(rgb{float64(p[0]), float64(p[1]), float64(p[2])})
		out.Pix[i] = index[min(int(y*4), len(index)-1)]
	}
	return out
}

func luma(c rgb) float64 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }

// streaks fills line with row y's brush streaks: along the row, noise that
// changes smoothly over a few points, at two lengths; across rows, no
// relation at all, so that each row is its own scratch. Smooth along x is
// also what keeps the PNG small: neighbouring pixels share a shade.
func streaks(line []float64, y int, unit float64, seed uint64) {
	octaves := [...]struct{ length, amp float64 }{{36, 0.75}, {7, 0.55}}
	for i := range line {
		line[i] = 0
	}
	for o, oct := range octaves {
		step := oct.length * unit
		// A phase per row keeps the control points from lining up in columns.
		phase := (noise(o, y, seed^0x7a) + 1) / 2 * step
		k := -1
		var a, b float64
		for x := range line {
			f := (float64(x) + phase) / step
			if kk := int(f); kk != k {
				k = kk
				a, b = noise(k, y*2+o, seed), noise(k+1, y*2+o, seed)
			}
			line[x] += oct.amp * (a + (b-a)*smoothstep(0, 1, f-float64(k)))
		}
	}
}

// rowVariation is a value per row, lightly smoothed across about a point, for
// the brush's passes.
func rowVariation(h int, unit float64, seed uint64) []float64 {
	raw := make([]float64, h)
	for y := range h {
		raw[y] = noise(-1, int(float64(y)/unit*2), seed^0x2b)
	}
	out := make([]float64, h)
	r := max(1, int(unit/2))
	for y := range h {
		s, k := 0.0, 0
		for dy := -r; dy <= r; dy++ {
			if yy := y + dy; yy >= 0 && yy < h {
				s += raw[yy]
				k++
			}
		}
		out[y] = s / float64(k)
	}
	return out
}

// waves is a guilloché: two families of fine waves crossing each other,
// lines about half a point wide whatever the scale, fading out towards the
// right where the tier mark sits. Per column it holds each family's offset
// and the fade.
type waves struct {
	offset [2][]float64 // points
	fade   []float64
}

// guilloche is the line spacing of each family, in points.
const guilloche = 7.0

func guillocheWaves(w int, unit, wPt float64) waves {
	var g waves
	g.fade = make([]float64, w)
	for f := range g.offset {
		g.offset[f] = make([]float64, w)
	}
	for x := range w {
		px := float64(x) / unit
		for f, phase := range []float64{0, math.Pi} {
			g.offset[f][x] = 5*math.Sin(2*math.Pi*px/61+phase) + 2*math.Sin(2*math.Pi*px/23)
		}
		g.fade[x] = 1 - smoothstep(0.3*wPt, 0.75*wPt, px)
	}
	return g
}

// coverage is how much of pixel column x at py points the lines cover, 0 to 1.
func (g waves) coverage(x int, py, unit float64) float64 {
	if g.fade[x] == 0 {
		return 0
	}
	a := 0.0
	for f := range g.offset {
		v := (py + g.offset[f][x]) / guilloche
		dist := math.Abs(v-math.Floor(v)-0.5) * guilloche * unit // pixels from the line's centre
		a = math.Max(a, clamp01(0.25*unit+0.5-dist))
	}
	return a * g.fade[x]
}

// noise is a deterministic value in [-1, 1) for a pixel and a seed.
func noise(x, y int, seed uint64) float64 {
	h := seed ^ uint64(int64(x))*0x9e3779b97f4a7c15 ^ uint64(int64(y))*0xc2b2ae3d27d4eb4f
	// splitmix64's finaliser spreads every input bit over the output.
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return float64(h>>11)/float64(1<<52) - 1
}

type rgb [3]float64

func rgbOf(c Color) rgb { return rgb{float64(c.R), float64(c.G), float64(c.B)} }

func scaleRGB(c Color, k float64) rgb {
	return rgb{float64(c.R) * k, float64(c.G) * k, float64(c.B) * k}
}

func mixRGB(a, b rgb, t float64) rgb {
	return rgb{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}

func to8(v float64) uint8 { return uint8(math.Round(min(max(v, 0), 255))) }

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

// bell is a Gaussian bump of width w centred on c.
func bell(x, c, w float64) float64 {
	d := (x - c) / w
	return math.Exp(-d * d)
}

func smoothstep(a, b, x float64) float64 {
	t := clamp01((x - a) / (b - a))
	return t * t * (3 - 2*t)
}
