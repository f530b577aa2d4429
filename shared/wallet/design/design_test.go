package design

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
)

// testCode is a member code as signing.Signer mints it.
func testCode(t testing.TB) string {
	t.Helper()
	s, err := signing.NewSigner("K1:" + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	return s.Mint("01HZX3K4Q9V7M2N8P5R6S0T1AB", 0)
}

func testCard(t testing.TB, tier loyalty.Tier) Card {
	return Card{
		Tier:        tier,
		ProgramName: "Café Lumière",
		Header:      Field{"Points", "12,480"},
		Primary:     Field{"Tier", loyalty.Tier(tier).Title()},
		Row:         []Field{{"Member", "Émilie du Châtelet"}, {"Member since", "12 April 2023"}, {"Next tier", "1,350 pts to Platinum"}},
		Code:        testCode(t),
		AltText:     "4716 0321 88",
	}
}

func TestImageSizes(t *testing.T) {
	operatorLogo := encodePNG(t, image.NewRGBA(image.Rect(0, 0, 600, 200)))
	for s := 1; s <= MaxScale; s++ {
		fromOperator, err := LogoFrom(operatorLogo, s)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			img  image.Image
			want image.Point
		}{
			{"strip", Strip(loyalty.Gold, s), image.Pt(375*s, 144*s)},
			{"hero", Hero(loyalty.Gold, s), image.Pt(1032*s, 336*s)},
			{"icon", Icon(s), image.Pt(29*s, 29*s)},
			// 600×200 fits the 160×50 box by its height: 150×50.
			{"operator's logo", fromOperator, image.Pt(150*s, 50*s)},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("the @%dx %s is %dx%d pixels", s, c.name, c.want.X, c.want.Y), func(t *testing.T) {
				if got := c.img.Bounds().Size(); got != c.want {
					t.Errorf("got %v", got)
				}
			})
		}
		t.Run(fmt.Sprintf("the @%dx logo is %d pixels high and fits the logo box", s, 50*s), func(t *testing.T) {
			got := Logo(s).Bounds().Size()
			if got.Y != 50*s || got.X > 160*s || got.X < 30*s {
				t.Errorf("got %v", got)
			}
		})
	}
	t.Run("the card preview is 750x1000 pixels", func(t *testing.T) {
		img, err := CardPreview(testCard(t, loyalty.Silver))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got != image.Pt(750, 1000) {
			t.Errorf("got %v", got)
		}
	})
}

func TestScalesOutsideWalletsAreClamped(t *testing.T) {
	cases := []struct {
		name  string
		scale int
		want  image.Point
	}{
		{"a scale of zero draws @1x", 0, image.Pt(375, 144)},
		{"a negative scale draws @1x", -2, image.Pt(375, 144)},
		{"a scale of 9 draws @3x", 9, image.Pt(1125, 432)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Strip(loyalty.Bronze, c.scale).Bounds().Size(); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestTiersLookDifferent(t *testing.T) {
	// The distance between mean colours, out of 441 for black to white: the
	// tiers must differ as much as, say, a mid grey and a light grey.
	const threshold = 60
	means := map[loyalty.Tier][3]float64{}
	for _, tier := range loyalty.Tiers {
		means[tier] = meanColor(Strip(tier, 1))
	}
	for i, a := range loyalty.Tiers {
		for _, b := range loyalty.Tiers[i+1:] {
			t.Run(fmt.Sprintf("a %s strip is told apart from a %s strip", a, b), func(t *testing.T) {
				if d := distance(means[a], means[b]); d < threshold {
					t.Errorf("mean colours are %.0f apart, want at least %d", d, threshold)
				}
			})
		}
	}
}

func TestTextIsLegible(t *testing.T) {
	for _, tier := range loyalty.Tiers {
		p := Palette(tier)
		strip := meanColor(Strip(tier, 2))
		stripColor := Color{uint8(strip[0]), uint8(strip[1]), uint8(strip[2])}
		cases := []struct {
			name   string
			fg, bg Color
		}{
			{"values on the background", p.Foreground, p.Background},
			{"labels on the background", p.Label, p.Background},
			// Wallet draws the primary field over the strip.
			{"values on the strip", p.Foreground, stripColor},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s %s have a contrast of 4.5 or more", tier, c.name), func(t *testing.T) {
				if r := contrast(c.fg, c.bg); r < 4.5 {
					t.Errorf("contrast %.2f", r)
				}
			})
		}
	}
}

func TestColorForms(t *testing.T) {
	c := Color{214, 172, 70}
	if got := c.Hex(); got != "#d6ac46" {
		t.Errorf("Hex() = %q", got)
	}
	if got := c.CSS(); got != "rgb(214, 172, 70)" {
		t.Errorf("CSS() = %q", got)
	}
}

func TestAnUnknownTierLooksLikeTheLowest(t *testing.T) {
	if Palette("diamond") != Palette(loyalty.Bronze) {
		t.Error("the palette differs")
	}
	if !bytes.Equal(encodePNG(t, Strip("diamond", 1)), encodePNG(t, Strip(loyalty.Bronze, 1))) {
		t.Error("the strip differs")
	}
}

func TestSameInputSameBytes(t *testing.T) {
	preview := func() image.Image {
		img, err := CardPreview(testCard(t, loyalty.Platinum))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	cases := []struct {
		name   string
		render func() image.Image
	}{
		{"a strip", func() image.Image { return Strip(loyalty.Gold, 2) }},
		{"a hero image", func() image.Image { return Hero(loyalty.Silver, 1) }},
		{"a logo", func() image.Image { return Logo(3) }},
		{"an icon", func() image.Image { return Icon(2) }},
		{"a card preview", preview},
	}
	for _, c := range cases {
		t.Run(c.name+" is drawn the same every time", func(t *testing.T) {
			if !bytes.Equal(encodePNG(t, c.render()), encodePNG(t, c.render())) {
				t.Error("two renderings differ")
			}
		})
	}
}

func TestTheTierMarkStaysInTheSafeBand(t *testing.T) {
	// Whether Wallet shows 144 or 123 points of the strip, the mark is whole:
	// rows outside the middle 123 points are plain metal.
	for _, tier := range loyalty.Tiers {
		t.Run(fmt.Sprintf("the %s mark is inside the middle %d points", tier, stripSafeHeight), func(t *testing.T) {
			const s = 3
			marked := Strip(tier, s).(*image.Paletted)
			plain := ramp(brushed(tier, StripWidth*s, StripHeight*s, s), looks[tier].metal)
			band := (StripHeight - stripSafeHeight) * s / 2
			for y := range StripHeight * s {
				if y >= band && y < StripHeight*s-band {
					continue
				}
				row := marked.Pix[marked.PixOffset(0, y):marked.PixOffset(0, y+1)]
				if !bytes.Equal(row, plain.Pix[plain.PixOffset(0, y):plain.PixOffset(0, y+1)]) {
					t.Fatalf("row %d is marked", y)
				}
			}
		})
	}
}

func TestTheStripCarriesTheRankNotAWord(t *testing.T) {
	// The strip is the same for every language: the tier's name is the
	// pass's primary field, drawn over the strip in the member's language.
	// Its mark is one engraved lozenge per rank, not the name in English.
	for _, tier := range loyalty.Tiers {
		t.Run(fmt.Sprintf("the %s strip has %d marks", tier, tier.Rank()+1), func(t *testing.T) {
			const s = 2
			marked := Strip(tier, s).(*image.Paletted)
			plain := ramp(brushed(tier, StripWidth*s, StripHeight*s, s), looks[tier].metal)
			if got := blobs(marked, plain); got != tier.Rank()+1 {
				t.Errorf("%d separate marks on the strip, want %d", got, tier.Rank()+1)
			}
		})
	}
}

// blobs counts the connected groups of pixels where a differs from b.
func blobs(a, b *image.Paletted) int {
	r := a.Bounds()
	seen := make([]bool, len(a.Pix))
	differs := func(x, y int) bool { i := a.PixOffset(x, y); return a.Pix[i] != b.Pix[i] && !seen[i] }
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !differs(x, y) {
				continue
			}
			n++
			stack := []image.Point{{x, y}}
			seen[a.PixOffset(x, y)] = true
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, d := range []image.Point{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
					q := p.Add(d)
					if q.In(r) && differs(q.X, q.Y) {
						seen[a.PixOffset(q.X, q.Y)] = true
						stack = append(stack, q)
					}
				}
			}
		}
	}
	return n
}

func TestCardPreviewScansAndHasRoundCorners(t *testing.T) {
	code := testCode(t)
	out := os.Getenv("FIDELIO_DESIGN_OUT")
	for _, tier := range loyalty.Tiers {
		t.Run(fmt.Sprintf("the %s card's QR code scans back to the member code", tier), func(t *testing.T) {
			img, err := CardPreview(testCard(t, tier))
			if err != nil {
				t.Fatal(err)
			}
			if got := scan(t, img); got != code {
				t.Errorf("scanned %q, want %q", got, code)
			}
			if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
				t.Error("the top-left corner is not transparent")
			}
			if _, _, _, a := img.At(375, 2).RGBA(); a != 0xffff {
				t.Error("the top edge is not opaque")
			}
			if out != "" {
				save(t, filepath.Join(out, fmt.Sprintf("card-%s.png", tier)), img)
				save(t, filepath.Join(out, fmt.Sprintf("strip-%s@2x.png", tier)), Strip(tier, 2))
				save(t, filepath.Join(out, fmt.Sprintf("hero-%s.png", tier)), Hero(tier, 1))
			}
		})
	}
	if out != "" {
		save(t, filepath.Join(out, "logo@2x.png"), Logo(2))
		save(t, filepath.Join(out, "icon@3x.png"), Icon(3))
		google, _ := GoogleLogo(nil)
		save(t, filepath.Join(out, "google-logo.png"), google)
		wide, _ := WideLogo(nil, "Fidelio Café")
		save(t, filepath.Join(out, "google-logo-wide.png"), wide)
	}
}

func TestCardPreviewShowsAnOperatorsLogo(t *testing.T) {
	red := image.NewRGBA(image.Rect(0, 0, 400, 100))
	for i := 0; i < len(red.Pix); i += 4 {
		red.Pix[i], red.Pix[i+3] = 0xff, 0xff
	}
	logo, err := LogoFrom(encodePNG(t, red), 3) // larger than the preview's box
	if err != nil {
		t.Fatal(err)
	}
	c := testCard(t, loyalty.Platinum)
	c.Logo = logo
	img, err := CardPreview(c)
	if err != nil {
		t.Fatal(err)
	}
	// The logo box is 160×50 points, 12 in and 8 down; the logo, scaled to
	// 160×40 points, fills its middle.
	if got := color.RGBAModel.Convert(img.At(2*60, 2*33)).(color.RGBA); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("the logo box shows %v, not the operator's red", got)
	}
}

func TestThePreviewSetsThePassFieldsOnceAndTheNameTheSameOnEveryTier(t *testing.T) {
	var name *placed
	for _, tier := range loyalty.Tiers {
		c := testCard(t, tier)
		c.ProgramName = "Brûlerie du Vieux-Port et Compagnie"
		want := []string{c.ProgramName, "POINTS", "12,480", "TIER", tier.Title(), "MEMBER", "Émilie du Châtelet",
			"MEMBER SINCE", "12 April 2023", "NEXT TIER", "1,350 pts to Platinum", "4716 0321 88"}
		texts := layout(c, previewLogo(nil).Bounds().Dx())
		var got []string
		for _, p := range texts {
			got = append(got, p.s)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s card shows %q, want the pass's texts %q", tier, got, want)
		}
		// The program's name is set at the same place and size whatever the
		// tier and the fields beside it.
		if name == nil {
			name = &texts[0]
		} else if texts[0].x != name.x || texts[0].y != name.y || !bytes.Equal(texts[0].t.mask.Pix, name.t.mask.Pix) {
			t.Errorf("the program's name is set differently on the %s card", tier)
		}
	}
}

func TestLogosAtTwoAndThreeTimesAreExactMultiples(t *testing.T) {
	// Odd sizes whose scaled widths round differently at each scale.
	for _, size := range []image.Point{{333, 97}, {101, 101}, {2000, 37}, {45, 700}} {
		operator := encodePNG(t, image.NewRGBA(image.Rect(0, 0, size.X, size.Y)))
		logos := map[string]func(int) image.Image{
			"program's mark": Logo,
			"operator's logo": func(s int) image.Image {
				img, err := LogoFrom(operator, s)
				if err != nil {
					t.Fatal(err)
				}
				return img
			},
			"operator's icon": func(s int) image.Image {
				img, err := IconFrom(operator, s)
				if err != nil {
					t.Fatal(err)
				}
				return img
			},
		}
		for name, logo := range logos {
			one := logo(1).Bounds().Size()
			for s := 2; s <= MaxScale; s++ {
				if got := logo(s).Bounds().Size(); got != one.Mul(s) {
					t.Errorf("%s from %v: @%dx is %v, @1x %v", name, size, s, got, one)
				}
			}
		}
	}
}

func TestGoogleLogoIsSquareAndItsMarkInsideTheCircle(t *testing.T) {
	red := image.NewRGBA(image.Rect(0, 0, 400, 100))
	for i := 0; i < len(red.Pix); i += 4 {
		red.Pix[i], red.Pix[i+3] = 0xff, 0xff
	}
	for name, operator := range map[string][]byte{"the program's mark": nil, "a wide operator's logo": encodePNG(t, red)} {
		t.Run(name, func(t *testing.T) {
			img, err := GoogleLogo(operator)
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != b.Dy() || b.Dx() < 660 {
				t.Fatalf("programLogo is %v, want a square of at least 660 pixels", b.Size())
			}
			// Outside the circle Google crops to, only the ground shows.
			ground := img.At(0, 0)
			c := float64(b.Dx()) / 2
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c) > c && img.At(x, y) != ground {
						t.Fatalf("(%d, %d) is drawn on, outside the circle", x, y)
					}
				}
			}
			if operator != nil && color.RGBAModel.Convert(img.At(int(c), int(c))).(color.RGBA) != (color.RGBA{255, 0, 0, 255}) {
				t.Error("the operator's logo is not in the middle")
			}
		})
	}
	wide, err := WideLogo(nil, "Fidelio Café")
	if err != nil || wide.Bounds().Size() != image.Pt(WideLogoWidth, WideLogoHeight) {
		t.Errorf("wideProgramLogo is %v, %v", wide.Bounds().Size(), err)
	}
}

func TestCardPreviewRefusesACodeNoQRCodeHolds(t *testing.T) {
	c := testCard(t, loyalty.Gold)
	c.Code = ""
	if _, err := CardPreview(c); err == nil {
		t.Error("no error for an empty code")
	}
}

func TestLogoFrom(t *testing.T) {
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 100, 40)), nil); err != nil {
		t.Fatal(err)
	}
	valid := encodePNG(t, image.NewRGBA(image.Rect(0, 0, 100, 40)))
	refused := []struct {
		name string
		data []byte
	}{
		{"a JPEG is refused", jpg.Bytes()},
		{"an SVG is refused", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		{"no data is refused", nil},
		{"a truncated PNG is refused", valid[:40]},
		{"a 4×4 PNG is refused as too small", encodePNG(t, image.NewGray(image.Rect(0, 0, 4, 4)))},
		{"a 3000-pixel-wide PNG is refused as too large", encodePNG(t, image.NewGray(image.Rect(0, 0, 3000, 10)))},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			if _, err := LogoFrom(c.data, 2); err == nil {
				t.Error("no error")
			}
		})
	}

	t.Run("a wide logo is centred with transparent space above and below", func(t *testing.T) {
		wide := image.NewRGBA(image.Rect(0, 0, 1000, 100))
		for i := range wide.Pix {
			wide.Pix[i] = 0xff
		}
		img, err := LogoFrom(encodePNG(t, wide), 1)
		if err != nil {
			t.Fatal(err)
		}
		// 1000×100 fits the box by its width: 160×16, 17 points below the top.
		if got := img.Bounds().Size(); got != image.Pt(160, 50) {
			t.Errorf("size %v", got)
		}
		alpha := func(x, y int) uint32 { _, _, _, a := img.At(x, y).RGBA(); return a }
		if alpha(80, 5) != 0 || alpha(80, 45) != 0 {
			t.Error("the padding is not transparent")
		}
		if alpha(80, 25) != 0xffff {
			t.Error("the logo is not in the middle")
		}
	})
}

func TestFitKeepsLongNamesInTheirField(t *testing.T) {
	name := "Maximilian Alexander Friedrich von Humboldt-Sternberg zu Hohenlohe"
	for _, width := range []int{400, 200, 60} {
		t.Run(fmt.Sprintf("a long name set in %d pixels is no wider", width), func(t *testing.T) {
			if got := fit(bold(), 36, 24, 0, name, width).width(); got > width {
				t.Errorf("%d pixels wide", got)
			}
		})
	}
}

func TestAssetsRenderOnce(t *testing.T) {
	var a Assets
	want := encodePNG(t, Strip(loyalty.Gold, 2))
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Go(func() {
			b, err := a.Strip(loyalty.Gold, 2)
			if err != nil {
				t.Error(err)
			}
			got[i] = b
		})
	}
	wg.Wait()
	for i, b := range got {
		if !bytes.Equal(b, want) {
			t.Fatalf("caller %d got other bytes than PNG(Strip(...))", i)
		}
		if &b[0] != &got[0][0] {
			t.Fatalf("caller %d got its own rendering", i)
		}
	}
	if b, _ := a.Strip("diamond", 7); !bytes.Equal(b, encodePNG(t, Strip(loyalty.Bronze, 3))) {
		t.Error("an unknown tier and scale are not normalised")
	}
	for name, get := range map[string]func() ([]byte, error){
		"hero": func() ([]byte, error) { return a.Hero(loyalty.Silver, 1) },
		"icon": func() ([]byte, error) { return a.Icon(2) },
		"logo": func() ([]byte, error) { return a.Logo(2) },
	} {
		if b, err := get(); err != nil || len(b) == 0 {
			t.Errorf("%s: %d bytes, %v", name, len(b), err)
		}
	}
}

func BenchmarkStrip(b *testing.B) {
	for s := 1; s <= MaxScale; s++ {
		b.Run(fmt.Sprintf("@%dx", s), func(b *testing.B) {
			for b.Loop() {
				Strip(loyalty.Gold, s)
			}
		})
		b.Run(fmt.Sprintf("@%dx+png", s), func(b *testing.B) {
			for b.Loop() {
				if _, err := PNG(Strip(loyalty.Gold, s)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCardPreview(b *testing.B) {
	c := testCard(b, loyalty.Gold)
	for b.Loop() {
		if _, err := CardPreview(c); err != nil {
			b.Fatal(err)
		}
	}
}

// scan reads the QR code anywhere in an image, as a phone camera would.
func scan(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	b, err := PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// save writes an image for a person to look at.
func save(t *testing.T, path string, img image.Image) {
	t.Helper()
	b, err := PNG(img)
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func meanColor(img image.Image) [3]float64 {
	var sum [3]float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			sum[0] += float64(c.R)
			sum[1] += float64(c.G)
			sum[2] += float64(c.B)
		}
	}
	n := float64(b.Dx() * b.Dy())
	return [3]float64{sum[0] / n, sum[1] / n, sum[2] / n}
}

func distance(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}

// contrast is the WCAG 2 contrast ratio of two colours, 1 to 21.
func contrast(a, b Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(c Color) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}
