package design

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"

	xdraw "golang.org/x/image/draw"
)

// The program's own colours, the same on every tier: a deep ink and a warm
// cream, like an enamel badge. The mark carries its own ground so that it
// reads on the dark cards and the light ones alike.
var (
	ink   = Color{24, 36, 62}
	cream = Color{246, 236, 212}
)

// Icon is the program's mark on a square of IconSize points at scale 1, 2 or
// 3: an "F" in a ring on ink.
func Icon(scale int) image.Image {
	s := clampScale(scale)
	n := IconSize * s
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	draw.Draw(img, img.Bounds(), image.NewUniform(ink), image.Point{}, draw.Src)
	roundel(img, float64(n)/2, float64(n)/2, 0.40*float64(n))
	return img
}

// Logo is the program's logo for the top left of a pass at scale 1, 2 or 3:
// the roundel and the wordmark "Fidelio" on an ink plate, LogoHeight points
// high and as wide as it needs (well under LogoMaxWidth), on transparency.
func Logo(scale int) image.Image {
	s := clampScale(scale)
	u := float64(s)
	h := LogoHeight * s
	plateH := 32 * u
	r := plateH / 2
	word := set(bold, 19*u, 0.01, "Fidelio")
	w := int(math.Ceil(plateH + 6*u + float64(word.width()) + 12*u))

	img := image.NewRGBA(image.Rect(0, 0, w, h))
	top := (float64(h) - plateH) / 2
	newShape(img.Bounds()).
		roundRect(0, float32(top), float32(w), float32(top+plateH), float32(r), false).
		fill(img, ink)
	// A hairline rim keeps the plate's edge visible on the darkest tier.
	newShape(img.Bounds()).
		roundRect(0, float32(top), float32(w), float32(top+plateH), float32(r), false).
		roundRect(float32(0.75*u), float32(top+0.75*u), float32(float64(w)-0.75*u), float32(top+plateH-0.75*u), float32(r-0.75*u), true).
		fill(img, withAlpha(cream, 0.55))
	roundel(img, r, top+r, r-4*u)
	word.draw(img, int(plateH+5*u), int(top+r)+word.capHeight/2, cream)
	return img
}

// roundel draws the mark, a ring with an "F" inside, centred on (cx, cy)
// with outer radius r.
func roundel(dst draw.Image, cx, cy, r float64) {
	box := image.Rect(int(cx-r)-1, int(cy-r)-1, int(cx+r)+2, int(cy+r)+2).Intersect(dst.Bounds())
	lx, ly := float32(cx)-float32(box.Min.X), float32(cy)-float32(box.Min.Y)
	newShape(box).
		circle(lx, ly, float32(r), false).
		circle(lx, ly, float32(r*0.86), true).
		fill(dst, cream)
	f := set(bold, r*1.25, 0, "F")
	// Centre the letter's ink, not its advance, which has side bearings.
	b := inkBounds(f.mask)
	x := int(math.Round(cx - float64(b.Min.X) - float64(b.Dx())/2))
	y := int(math.Round(cy + float64(f.capHeight)/2))
	f.draw(dst, x, y, cream)
}

// inkBounds is the smallest rectangle holding a mask's non-zero pixels.
func inkBounds(m *image.Alpha) image.Rectangle {
	var r image.Rectangle
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if m.AlphaAt(x, y).A != 0 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// The limits on an operator's logo: a real logo is a few hundred pixels on
// a side and well under a megabyte; anything far outside that is a mistake,
// and decoding a huge image would cost the server its memory.
const (
	maxLogoBytes = 4 << 20
	minLogoSide  = 8
	maxLogoSide  = 2048
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// LogoFrom fits an operator's own PNG logo into the logo box at scale 1, 2 or
// 3: the result is LogoHeight points high and at most LogoMaxWidth wide, the
// logo scaled to fit with its aspect kept and transparent space above and
// below a logo wider than the box's proportions. Wallet sets the program's
// name right of the logo, so the result is no wider than the logo needs.
func LogoFrom(pngData []byte, scale int) (image.Image, error) {
	if !bytes.HasPrefix(pngData, pngSignature) {
		return nil, errors.New("logo: the file is not a PNG image (it must start with the PNG signature)")
	}
	if len(pngData) > maxLogoBytes {
		return nil, fmt.Errorf("logo: the file is %d bytes; a logo must be at most %d", len(pngData), maxLogoBytes)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(pngData))
	if err != nil {
		return nil, fmt.Errorf("logo: the PNG image cannot be read: %w", err)
	}
	if cfg.Width < minLogoSide || cfg.Height < minLogoSide || cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
		return nil, fmt.Errorf("logo: the image is %d×%d pixels; each side must be %d to %d", cfg.Width, cfg.Height, minLogoSide, maxLogoSide)
	}
	src, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return nil, fmt.Errorf("logo: the PNG image cannot be read: %w", err)
	}

	s := clampScale(scale)
	boxW, boxH := float64(LogoMaxWidth*s), float64(LogoHeight*s)
	k := math.Min(boxW/float64(cfg.Width), boxH/float64(cfg.Height))
	w := max(1, int(math.Round(float64(cfg.Width)*k)))
	h := max(1, int(math.Round(float64(cfg.Height)*k)))

	dst := image.NewRGBA(image.Rect(0, 0, w, int(boxH)))
	top := (int(boxH) - h) / 2
	xdraw.CatmullRom.Scale(dst, image.Rect(0, top, w, top+h), src, src.Bounds(), xdraw.Over, nil)
	return dst, nil
}
