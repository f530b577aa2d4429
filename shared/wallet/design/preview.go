package design

import (
	"fmt"
	"image"
	"image/draw"
	"math"
	"slices"
	"strings"

	xdraw "golang.org/x/image/draw"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/qrcode"
)

// Field is a label over a value, as Wallet sets a pass's fields; both are
// as the member reads them (Wallet shows labels in capitals).
type Field struct{ Label, Value string }

// Card is what a preview shows: the front of the member's pass, its fields
// in the places Wallet gives them.
type Card struct {
	Tier loyalty.Tier // an unknown tier is shown as the lowest
	// ProgramName is the pass's logo text, set right of the logo.
	ProgramName string
	// Logo is an operator's own logo, as LogoFrom returns it; nil shows the
	// program's mark.
	Logo image.Image
	// Header is the field at the top right (the balance), Primary the field
	// over the strip (the tier), Row the secondary and auxiliary fields,
	// which a store card sets in one row under the strip.
	Header, Primary Field
	Row             []Field
	Code            string // the member code the QR code carries
	AltText         string // the text under the QR code (the member number)
}

// The preview is a 375×500-point card drawn at 2 pixels per point, the size
// of a card in Wallet on a phone.
const (
	previewScale            = 2
	previewW, previewH      = 375, 500
	previewRadius           = 14
	previewMargin           = 16
	stripTop                = 66
	panelW, panelH, qrSide  = 176, 196, 156
	panelRadius, panelInset = 10, 10
	labelSize, valueSize    = 9, 17
	primarySize             = 34
	// headerFieldW is the room kept for the header field whatever its value,
	// so that the program's name is set the same on every card.
	headerFieldW = 100
	rowGap       = 12
)

// placed is one line of text of the preview, its left baseline at (x, y).
type placed struct {
	s     string
	t     text
	x, y  int
	color Color
}

// CardPreview draws the whole card as a member sees it in Wallet, 750×1000
// pixels with rounded corners: the tier's background, the logo and the
// program's name at the top left, the header field at the top right, the
// strip with the primary field over its left side, the row of fields under
// it, and the QR code over its alternate text on a white panel at the
// bottom. It is for web pages and emails that show the card before it is
// added to a wallet. The error is the QR code's, for a Code that no QR code
// can hold.
func CardPreview(c Card) (image.Image, error) {
	const u = previewScale
	t := known(c.Tier)
	pal := Palette(t)
	W, H := previewW*u, previewH*u

	qr, err := qrcode.Image(c.Code, qrSide*u)
	if err != nil {
		return nil, fmt.Errorf("card preview: %w", err)
	}

	card := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(card, card.Bounds(), image.NewUniform(pal.Background), image.Point{}, draw.Src)
	gloss(card)
	// A hairline of light along the edge, as on the milled edge of a card.
	newShape(card.Bounds()).
		roundRect(0, 0, float32(W), float32(H), previewRadius*u, false).
		roundRect(u, u, float32(W-u), float32(H-u), previewRadius*u-u, true).
		fill(card, withAlpha(Color{255, 255, 255}, 0.22))

	logo := previewLogo(c.Logo)
	at := image.Pt(12*u, 8*u)
	draw.Draw(card, image.Rectangle{Min: at, Max: at.Add(logo.Bounds().Size())}, logo, logo.Bounds().Min, draw.Over)
	draw.Draw(card, image.Rect(0, stripTop*u, W, (stripTop+StripHeight)*u), Strip(t, u), image.Point{}, draw.Src)

	// The barcode panel, white whatever the tier, as Wallet draws it.
	px, py := (W-panelW*u)/2, H-(previewMargin+panelH)*u
	newShape(image.Rect(px, py, px+panelW*u, py+panelH*u)).
		roundRect(0, 0, panelW*u, panelH*u, panelRadius*u, false).
		fill(card, Color{255, 255, 255})
	qx := px + (panelW-qrSide)/2*u
	draw.Draw(card, qr.Bounds().Add(image.Pt(qx, py+panelInset*u)), qr, image.Point{}, draw.Src)

	for _, p := range layout(c, logo.Bounds().Dx()) {
		p.t.draw(card, p.x, p.y, p.color)
	}

	// Clip to the card's rounded corners; outside them is transparent.
	out := image.NewRGBA(card.Bounds())
	corners := newShape(card.Bounds()).
		roundRect(0, 0, float32(W), float32(H), previewRadius*u, false).mask()
	draw.DrawMask(out, out.Bounds(), card, image.Point{}, corners, image.Point{}, draw.Src)
	return out, nil
}

// previewLogo is the logo as the pass shows it at the preview's scale.
func previewLogo(operator image.Image) image.Image {
	if operator == nil {
		return Logo(previewScale)
	}
	return fitInto(operator, LogoMaxWidth*previewScale, LogoHeight*previewScale)
}

// layout places every text of the preview: the same texts as the pass's
// front, where Wallet sets them. logoW is the logo's width in pixels.
func layout(c Card, logoW int) []placed {
	const u = previewScale
	pal := Palette(known(c.Tier))
	W, H := previewW*u, previewH*u
	var out []placed
	add := func(s string, t text, x, y int, col Color) { out = append(out, placed{s, t, x, y, col}) }
	label := func(s string, maxW int) text {
		return fit(regular(), labelSize*u, 7*u, 0.08, strings.ToUpper(s), maxW)
	}

	// The program's name, in room that depends on the logo alone.
	if c.ProgramName != "" {
		x := 12*u + logoW + 8*u
		name := fit(bold(), 16*u, 10*u, 0, c.ProgramName, W-previewMargin*u-headerFieldW*u-x)
		add(c.ProgramName, name, x, (8+LogoHeight/2)*u+name.capHeight/2, pal.Foreground)
	}

	if c.Header != (Field{}) {
		right := W - previewMargin*u
		l := label(c.Header.Label, headerFieldW*u)
		v := fit(bold(), valueSize*u, 12*u, 0, c.Header.Value, headerFieldW*u)
		add(strings.ToUpper(c.Header.Label), l, right-l.width(), 26*u, pal.Label)
		add(c.Header.Value, v, right-v.width(), 46*u, pal.Foreground)
	}

	// The primary field over the strip's left, clear of the rank mark.
	if c.Primary != (Field{}) {
		x, maxW := previewMargin*u, (StripWidth-previewMargin-110)*u
		l := label(c.Primary.Label, maxW)
		v := fit(bold(), primarySize*u, 18*u, 0, c.Primary.Value, maxW)
		add(strings.ToUpper(c.Primary.Label), l, x, (stripTop+48)*u, pal.Foreground)
		add(c.Primary.Value, v, x, (stripTop+48+8)*u+v.capHeight, pal.Foreground)
	}

	// The row under the strip: the first field at the left edge, the last at
	// the right, the others spread between, each given an equal share of
	// the width when all do not fit.
	if n := len(c.Row); n > 0 {
		labelY, valueY := (stripTop+StripHeight+22)*u, (stripTop+StripHeight+44)*u
		avail := W - 2*previewMargin*u
		labels, values := make([]text, n), make([]text, n)
		widths := make([]int, n)
		setField := func(i, maxW int) {
			labels[i] = label(c.Row[i].Label, maxW)
			values[i] = fit(bold(), valueSize*u, 11*u, 0, c.Row[i].Value, maxW)
			widths[i] = max(labels[i].width(), values[i].width())
		}
		total := 0
		for i := range c.Row {
			setField(i, avail)
			total += widths[i]
		}
		// When they do not all fit, the fields that need less than an equal
		// share keep their width and the others share what is left, so
		// only the longest values shrink.
		if room := avail - (n-1)*rowGap*u; total > room {
			order := make([]int, n)
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(a, b int) int { return widths[a] - widths[b] })
			total = 0
			for k, i := range order {
				setField(i, min(widths[i], (room-total)/(n-k)))
				total += widths[i]
			}
		}
		gap := 0
		if n > 1 {
			gap = (avail - total) / (n - 1)
		}
		x := previewMargin * u
		for i, f := range c.Row {
			add(strings.ToUpper(f.Label), labels[i], x, labelY, pal.Label)
			add(f.Value, values[i], x, valueY, pal.Foreground)
			x += widths[i] + gap
		}
	}

	if c.AltText != "" {
		px, py := (W-panelW*u)/2, H-(previewMargin+panelH)*u
		alt := fit(regular(), 11*u, 8*u, 0.02, c.AltText, (panelW-2*panelInset)*u)
		add(c.AltText, alt, px+(panelW*u-alt.width())/2, py+panelH*u-9*u, Color{60, 60, 67})
	}
	return out
}

// gloss lays light over a card the way a lamp falls on plastic: a broad,
// faint highlight across the upper left and a slight fall-off towards the
// lower right. It stays within a few percent so that the fields keep the
// palette's contrast.
func gloss(img *image.RGBA) {
	b := img.Bounds()
	W, H := float64(b.Dx()), float64(b.Dy())
	white, black := rgb{255, 255, 255}, rgb{0, 0, 0}
	// Light and shade depend only on the distance along the diagonal, so
	// they are computed once per step of it.
	type light struct{ white, black float64 }
	steps := make([]light, int(W+0.6*H)+1)
	for i := range steps {
		d := float64(i) / (W + 0.6*H)
		steps[i] = light{0.07 * bell(d, 0.25, 0.16), 0.08 * smoothstep(0.45, 1, d)}
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			l := steps[int(float64(x-b.Min.X)+0.6*float64(y-b.Min.Y))]
			o := img.PixOffset(x, y)
			c := rgb{float64(img.Pix[o]), float64(img.Pix[o+1]), float64(img.Pix[o+2])}
			c = mixRGB(mixRGB(c, white, l.white), black, l.black)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2] = to8(c[0]), to8(c[1]), to8(c[2])
		}
	}
}

// fitInto scales img down, keeping its aspect, to fit a w×h box; an image
// that fits already is returned as it is.
func fitInto(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	if b.Dx() <= w && b.Dy() <= h {
		return img
	}
	k := math.Min(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*k)), max(1, int(float64(b.Dy())*k))))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Over, nil)
	return dst
}
