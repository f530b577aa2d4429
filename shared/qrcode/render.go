// Package qrcode draws text as a QR code, in PNG or SVG, the way a till's
// scanner reads it best: whole-pixel modules and a wide quiet zone.
package qrcode

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	qr "github.com/skip2/go-qrcode"
)

// Level Medium restores up to 15% of a damaged code: enough for a scratched
// phone screen or a glare spot at the till, while a member code (about 50
// characters) stays a version 3 symbol whose modules are large on screen.
const level = qr.Medium

// MaxSize bounds the side of a rendered image in pixels, so that a size taken
// from a request cannot make the server allocate gigabytes.
const MaxSize = 4096

// Image draws text as a QR code on a white square of size×size pixels.
//
// Every module is the same whole number of pixels, so scanners see crisp
// edges; the pixels left over widen the quiet zone, which is never narrower
// than the four modules the standard asks for. A size too small for one pixel
// per module is an error rather than a silently larger image, because callers
// lay the code out in a box of that size.
func Image(text string, size int) (image.Image, error) {
	bitmap, err := bitmap(text)
	if err != nil {
		return nil, err
	}
	modules := len(bitmap) // includes the quiet zone
	if size < modules || size > MaxSize {
		return nil, fmt.Errorf("qr code: a size of %d pixels is outside %d..%d for this text", size, modules, MaxSize)
	}
	px := size / modules
	margin := (size - px*modules) / 2

	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for my, row := range bitmap {
		for mx, dark := range row {
			if !dark {
				continue
			}
			for y := margin + my*px; y < margin+(my+1)*px; y++ {
				start := img.PixOffset(margin+mx*px, y)
				for i := range px {
					img.Pix[start+i] = 1
				}
			}
		}
	}
	return img, nil
}

// PNG renders text as a QR code, a size×size PNG image; see Image.
func PNG(text string, size int) ([]byte, error) {
	img, err := Image(text, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// A two-colour paletted image compresses to a few hundred bytes whatever
	// the level, so the best level costs nothing noticeable.
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr code: encoding png: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG renders text as a QR code that scales to any size: one unit per module,
// quiet zone included, dark modules drawn as one path.
func SVG(text string) ([]byte, error) {
	bitmap, err := bitmap(text)
	if err != nil {
		return nil, err
	}
	n := len(bitmap)
	var path strings.Builder
	for y, row := range bitmap {
		// Runs of dark modules on a row become one rectangle each, which
		// keeps the path a fraction of the size of one square per module.
		for x := 0; x < n; x++ {
			if !row[x] {
				continue
			}
			start := x
			for x < n && row[x] {
				x++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&buf, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`, n, n, path.String())
	return buf.Bytes(), nil
}

// bitmap encodes text; the result holds one row per module, quiet zone
// included. The encoder picks the alphanumeric mode by itself for member
// codes, whose characters are all in that mode's set.
// Modules is the QR code of text as its modules, row by row, the quiet zone
// included: true is dark. A printer draws them as vectors.
func Modules(text string) ([][]bool, error) { return bitmap(text) }

func bitmap(text string) ([][]bool, error) {
	if text == "" {
		return nil, fmt.Errorf("qr code: nothing to encode")
	}
	q, err := qr.New(text, level)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return q.Bitmap(), nil
}
