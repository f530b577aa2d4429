// Package pdfcard prints a member's physical card: a PDF of its front and
// back at ID-1 size (ISO/IEC 7810, 85.60 × 53.98 mm) with 2 mm of bleed on
// every side, for shops that hand out plastic cards and for members without
// a smartphone. The front is the tier's metal (the cards' own design, drawn
// at 300 dpi); the back carries the member's QR code drawn as vectors, one
// rectangle per run of dark modules, so it prints sharp at any resolution.
// Only the cards function links it.
package pdfcard

import (
	"fmt"
	"math"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/qrcode"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// The card's trim size and the bleed around it, in millimetres, and the
// resolution of its images.
const (
	Width, Height = 85.60, 53.98
	Bleed         = 2.0
	DPI           = 300
)

// Card is what the printed card shows.
type Card struct {
	ProgramName  string
	MemberName   string
	MemberNumber string
	Tier         loyalty.Tier
	// TierName is the tier's name in the member's language.
	TierName string
	// Code is the signed member code the QR code carries.
	Code string
	// Terms, when set, are printed small on the back.
	Terms string
}

// PDF renders the card: page 1 the front, page 2 the back, each
// (Width+2·Bleed) × (Height+2·Bleed) mm with its TrimBox on the card's edge.
func PDF(c Card) ([]byte, error) {
	modules, err := qrcode.Modules(c.Code)
	if err != nil {
		return nil, err
	}
	w, h := Width+2*Bleed, Height+2*Bleed
	pdf := &document{width: w, height: h, title: c.ProgramName + " — " + c.MemberNumber}
	fg := design.Palette(c.Tier).Foreground
	ink := [3]uint8{fg.R, fg.G, fg.B}
	inset := Bleed + 5 // the safe area: 5 mm inside the trim

	// Front: the tier's metal over the whole page, bleed included.
	px := func(mm float64) int { return int(math.Round(mm / 25.4 * DPI)) }
	face, err := design.PNG(design.Face(c.Tier, px(w), px(h)))
	if err != nil {
		return nil, err
	}
	pdf.addPage(Bleed, Bleed, Width, Height)
	if err := pdf.drawPNG(face, 0, 0, w, h); err != nil {
		return nil, fmt.Errorf("print card: %w", err)
	}
	pdf.text(helveticaBold, 13, ink, inset, inset+5, c.ProgramName)
	pdf.text(helveticaBold, 16, ink, inset, h/2+3, c.TierName)
	pdf.text(helvetica, 10, ink, inset, h-inset-5, c.MemberName)
	pdf.text(courierBold, 10, ink, inset, h-inset, c.MemberNumber)

	// Back: white, the QR code at the left, the member number and terms.
	pdf.addPage(Bleed, Bleed, Width, Height)
	// The code's own quiet zone (part of the bitmap) is its margin on the
	// left, so its dark modules start inside the safe area.
	side := Height - 2*7.0
	drawModules(pdf, modules, Bleed+2, (h-side)/2, side)
	var black [3]uint8
	x := Bleed + 2 + side + 2
	pdf.text(helveticaBold, 10, black, x, inset+4, c.ProgramName)
	pdf.text(courierBold, 9, black, x, inset+9, c.MemberNumber)
	if c.Terms != "" {
		// Small, in lines 2.4 mm apart that end 2 mm inside the safe area,
		// the first line's top at inset+12.
		const size, leading = 5.5, 2.4
		for i, line := range wrap(c.Terms, size, w-inset-2-x) {
			baseline := inset + 12 + float64(i)*leading + leading/2 + 0.3*size/pointsPerMM
			pdf.text(helvetica, size, black, x, baseline, line)
		}
	}
	return pdf.bytes(), nil
}

// drawModules draws the QR code's dark modules as filled rectangles, one per
// horizontal run, in a side × side square at x, y (the quiet zone is part of
// the bitmap and stays white).
func drawModules(pdf *document, modules [][]bool, x, y, side float64) {
	m := side / float64(len(modules))
	for r, row := range modules {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			pdf.fillRect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m, m)
		}
	}
}

// Printer prints members' cards for a program deployed as programName (the
// name when the operator set none): the member's card under rules, code
// being the member's current code.
func Printer(programName string) func(m loyalty.Member, rules loyalty.Rules, code string) ([]byte, error) {
	return func(m loyalty.Member, rules loyalty.Rules, code string) ([]byte, error) {
		l := locale.Of(m.Locale)
		return PDF(Card{
			ProgramName: rules.NameOr(programName).In(m.Locale), MemberName: m.Name, MemberNumber: m.Number(),
			Tier: m.Tier, TierName: locale.TierName(m.Tier).In(l), Code: code, Terms: rules.Terms.In(m.Locale),
		})
	}
}
