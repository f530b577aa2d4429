package design

import (
	"fmt"
	"image"
	"image/draw"
	"math"
	"strconv"

	xdraw "golang.org/x/image/draw"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/qrcode"
)

// Card is what a preview shows of one member's card.
type Card struct {
	Tier         loyalty.Tier // an unknown tier is shown as the lowest
	Name         string
	MemberNumber string
	ProgramName  string
	Balance      int64
	Code         string // the member code the QR code carries
	// Logo is an operator's own logo, as LogoFrom returns it; nil shows the
	// program's mark.
	Logo image.Image
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
)

// CardPreview draws the whole card as a member sees it in Wallet, 750×1000
// pixels with rounded corners: the tier's background, the logo and the
// program's name at the top, the tier and the balance at the top right, the
// strip, the member's name and number, and the QR code on a white panel at
// the bottom. It is for web pages and emails that show the card before it
// is added to a wallet. The error is the QR code's, for a Code that no QR
// code can hold.
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

	// The header: logo and program name on the left, fields on the right.
	logo := c.Logo
	if logo == nil {
		logo = Logo(u)
	}
	logoBox := fitInto(logo, LogoMaxWidth*u, LogoHeight*u)
	at := image.Pt(12*u, 8*u)
	draw.Draw(card, image.Rectangle{Min: at, Max: at.Add(logoBox.Bounds().Size())}, logoBox, logoBox.Bounds().Min, draw.Over)
	headerMid := (8 + LogoHeight/2) * u

	right := W - previewMargin*u
	points := field{label: "POINTS", value: groupThousands(c.Balance)}
	tier := field{label: "TIER", value: t.Title()}
	right = points.drawRight(card, right, pal, 26*u, 46*u) - 18*u
	right = tier.drawRight(card, right, pal, 26*u, 46*u) - 14*u

	if c.ProgramName != "" {
		x := 12*u + logoBox.Bounds().Dx() + 8*u
		name := fit(bold, 16*u, 10*u, 0, c.ProgramName, right-x)
		name.draw(card, x, headerMid+name.capHeight/2, pal.Foreground)
	}

	draw.Draw(card, image.Rect(0, stripTop*u, W, (stripTop+StripHeight)*u), Strip(t, u), image.Point{}, draw.Src)

	// The member's fields under the strip.
	fieldsTop := (stripTop + StripHeight + 22) * u
	member := field{label: "MEMBER", value: c.Name}
	number := field{label: "NUMBER", value: c.MemberNumber}
	left := number.drawRight(card, W-previewMargin*u, pal, fieldsTop, fieldsTop+22*u)
	member.drawLeft(card, previewMargin*u, left-16*u, pal, fieldsTop, fieldsTop+22*u)

	// The barcode panel, white whatever the tier, as Wallet draws it.
	px, py := (W-panelW*u)/2, H-(previewMargin+panelH)*u
	newShape(image.Rect(px, py, px+panelW*u, py+panelH*u)).
		roundRect(0, 0, panelW*u, panelH*u, panelRadius*u, false).
		fill(card, Color{255, 255, 255})
	qx := px + (panelW-qrSide)/2*u
	draw.Draw(card, qr.Bounds().Add(image.Pt(qx, py+panelInset*u)), qr, image.Point{}, draw.Src)
	if c.MemberNumber != "" {
		alt := fit(regular, 11*u, 8*u, 0.02, c.MemberNumber, (panelW-2*panelInset)*u)
		alt.draw(card, px+(panelW*u-alt.width())/2, py+panelH*u-9*u, Color{60, 60, 67})
	}

	// Clip to the card's rounded corners; outside them is transparent.
	out := image.NewRGBA(card.Bounds())
	corners := newShape(card.Bounds()).
		roundRect(0, 0, float32(W), float32(H), previewRadius*u, false).mask()
	draw.DrawMask(out, out.Bounds(), card, image.Point{}, corners, image.Point{}, draw.Src)
	return out, nil
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

// field is a label over a value, as Wallet sets a pass's fields.
type field struct{ label, value string }

// drawRight sets the field with its right edge at x and returns its left
// edge.
func (f field) drawRight(dst draw.Image, x int, pal Colors, labelY, valueY int) int {
	const u = previewScale
	label := set(regular, labelSize*u, 0.08, f.label)
	value := fit(bold, valueSize*u, 12*u, 0, f.value, 170*u)
	w := max(label.width(), value.width())
	label.draw(dst, x-label.width(), labelY, pal.Label)
	value.draw(dst, x-value.width(), valueY, pal.Foreground)
	return x - w
}

// drawLeft sets the field with its left edge at x, its value no wider than
// up to limit.
func (f field) drawLeft(dst draw.Image, x, limit int, pal Colors, labelY, valueY int) {
	const u = previewScale
	set(regular, labelSize*u, 0.08, f.label).draw(dst, x, labelY, pal.Label)
	fit(bold, valueSize*u, 12*u, 0, f.value, limit-x).draw(dst, x, valueY, pal.Foreground)
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

// groupThousands writes n with commas between groups of three digits.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
