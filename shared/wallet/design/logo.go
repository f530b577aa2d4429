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

// logoMarkWidth is the default logo's width in points: the mark's disc.
const logoMarkWidth = 36

// Logo is the program's mark for the top left of a pass at scale 1, 2 or 3:
// the roundel on an ink disc, logoMarkWidth×LogoHeight points on
// transparency. Wallet sets the program's name (the logo text) right of it,
// so the mark carries no word.
func Logo(scale int) image.Image {
	s := clampScale(scale)
	u := float64(s)
	w, h := logoMarkWidth*s, LogoHeight*s
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	disc(img, float64(w)/2, float64(h)/2, float64(w)/2, u)
	return img
}

// disc is the mark on its own ground: an ink disc with a hairline rim, which
// keeps its edge visible on the darkest tier, and the roundel inside.
func disc(img *image.RGBA, cx, cy, r, u float64) {
	x, y, rr := float32(cx), float32(cy), float32(r)
	newShape(img.Bounds()).circle(x, y, rr, false).fill(img, ink)
	newShape(img.Bounds()).circle(x, y, rr, false).circle(x, y, rr-float32(0.75*u), true).fill(img, withAlpha(cream, 0.55))
	roundel(img, cx, cy, 0.78*r)
}

// GoogleLogoSize is the side of Google Wallet's programLogo, which Google
// asks to be at least 660×660 pixels and shows cropped to a circle.
const GoogleLogoSize = 660

// googleSafe is the part of the logo's side that the logo's own drawing may
// take: its corners then stay inside Google's circular crop with a margin.
const googleSafe = 0.80

// GoogleLogo is Google Wallet's programLogo: GoogleLogoSize pixels square,
// the operator's logo (a PNG LogoFrom accepts; nil draws the program's mark)
// inside the circle Google crops it to, on a ground it reads on.
func GoogleLogo(operator []byte) (image.Image, error) {
	const n = GoogleLogoSize
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	if operator == nil {
		draw.Draw(img, img.Bounds(), image.NewUniform(ink), image.Point{}, draw.Src)
		roundel(img, n/2, n/2, googleSafe*n/2)
		return img, nil
	}
	src, err := decodeLogo(operator)
	if err != nil {
		return nil, err
	}
	draw.Draw(img, img.Bounds(), image.NewUniform(groundFor(src)), image.Point{}, draw.Src)
	// The logo's diagonal is the circle's safe diameter: its corners are
	// inside the crop.
	b := src.Bounds()
	k := googleSafe * n / math.Hypot(float64(b.Dx()), float64(b.Dy()))
	w, h := int(float64(b.Dx())*k), int(float64(b.Dy())*k)
	at := image.Rect((n-w)/2, (n-h)/2, (n-w)/2+w, (n-h)/2+h)
	xdraw.CatmullRom.Scale(img, at, src, b, xdraw.Over, nil)
	return img, nil
}

// Google's wideProgramLogo size, 1280×400 pixels as its brand guidelines
// recommend.
const WideLogoWidth, WideLogoHeight = 1280, 400

// WideLogo is Google Wallet's wideProgramLogo, shown instead of the square
// logo and the program's name: the operator's logo (nil: the program's mark
// with its name on an ink plate) fitted into WideLogoWidth×WideLogoHeight
// pixels, left-aligned on transparency.
func WideLogo(operator []byte, programName string) (image.Image, error) {
	img := image.NewRGBA(image.Rect(0, 0, WideLogoWidth, WideLogoHeight))
	if operator == nil {
		const u = 8.0 // pixels per point: a 50-point plate is 400 pixels high
		plateH := 32 * u
		r := plateH / 2
		word := fit(bold(), 19*u, 10*u, 0.01, programName, int(WideLogoWidth-plateH-18*u))
		w := math.Min(WideLogoWidth, plateH+6*u+float64(word.width())+12*u)
		top := (WideLogoHeight - plateH) / 2
		newShape(img.Bounds()).roundRect(0, float32(top), float32(w), float32(top+plateH), float32(r), false).fill(img, ink)
		newShape(img.Bounds()).
			roundRect(0, float32(top), float32(w), float32(top+plateH), float32(r), false).
			roundRect(float32(0.75*u), float32(top+0.75*u), float32(w-0.75*u), float32(top+plateH-0.75*u), float32(r-0.75*u), true).
			fill(img, withAlpha(cream, 0.55))
		roundel(img, r, top+r, r-4*u)
		word.draw(img, int(plateH+5*u), int(top+r)+word.capHeight/2, cream)
		return img, nil
	}
	src, err := decodeLogo(operator)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	k := math.Min(WideLogoWidth/float64(b.Dx()), 0.8*WideLogoHeight/float64(b.Dy()))
	w, h := int(float64(b.Dx())*k), int(float64(b.Dy())*k)
	top := (WideLogoHeight - h) / 2
	xdraw.CatmullRom.Scale(img, image.Rect(0, top, w, top+h), src, b, xdraw.Over, nil)
	return img, nil
}

// IconFrom is the operator's logo as the pass's icon at scale 1, 2 or 3: the
// logo fitted into the IconSize square on a ground it reads on, as Wallet
// shows the icon on the lock screen and in notifications.
func IconFrom(pngData []byte, scale int) (image.Image, error) {
	src, err := decodeLogo(pngData)
	if err != nil {
		return nil, err
	}
	n := IconSize * clampScale(scale)
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	draw.Draw(img, img.Bounds(), image.NewUniform(groundFor(src)), image.Point{}, draw.Src)
	b := src.Bounds()
	inner := 0.86 * float64(n)
	k := math.Min(inner/float64(b.Dx()), inner/float64(b.Dy()))
	w, h := max(1, int(float64(b.Dx())*k)), max(1, int(float64(b.Dy())*k))
	xdraw.CatmullRom.Scale(img, image.Rect((n-w)/2, (n-h)/2, (n-w)/2+w, (n-h)/2+h), src, b, xdraw.Over, nil)
	return img, nil
}

// groundFor is the colour to set a logo on: ink under a light logo, white
// under a dark one, judged by the mean luma of its visible pixels.
func groundFor(img image.Image) Color {
	var sum, weight float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if a == 0 {
				continue
			}
			// Premultiplied: divide the alpha back out.
			w := float64(a) / 0xffff
			sum += luma(rgb{float64(r) / float64(a) * 255, float64(g) / float64(a) * 255, float64(bl) / float64(a) * 255}) * w
			weight += w
		}
	}
	if weight > 0 && sum/weight > 170 {
		return ink
	}
	return Color{255, 255, 255}
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
	f := set(bold(), r*1.25, 0, "F")
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

// decodeLogo checks and decodes an operator's PNG logo.
func decodeLogo(pngData []byte) (image.Image, error) {
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
	return src, nil
}

// LogoFrom fits an operator's own PNG logo into the logo box at scale 1, 2 or
// 3: the result is LogoHeight points high and at most LogoMaxWidth wide, the
// logo scaled to fit with its aspect kept and transparent space above and
// below a logo wider than the box's proportions. Wallet sets the program's
// name right of the logo, so the result is no wider than the logo needs.
// Its size is a whole number of points, so that @2x and @3x are exactly two
// and three times @1x, as Wallet expects.
func LogoFrom(pngData []byte, scale int) (image.Image, error) {
	src, err := decodeLogo(pngData)
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	k := math.Min(float64(LogoMaxWidth)/float64(b.Dx()), float64(LogoHeight)/float64(b.Dy()))
	wPt := max(1, int(math.Round(float64(b.Dx())*k)))
	hPt := max(1, int(math.Round(float64(b.Dy())*k)))

	s := clampScale(scale)
	dst := image.NewRGBA(image.Rect(0, 0, wPt*s, LogoHeight*s))
	top := (LogoHeight - hPt) * s / 2
	xdraw.CatmullRom.Scale(dst, image.Rect(0, top, wPt*s, top+hPt*s), src, b, xdraw.Over, nil)
	return dst, nil
}
