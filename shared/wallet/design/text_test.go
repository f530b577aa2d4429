package design

import (
	"bytes"
	"image"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// TestTheBuiltInFontsDrawAsTheGoFonts holds the outlines compiled in (made
// by gen_fonts.go) to the Go fonts they come from, drawn by
// x/image/font/opentype: the same glyph for every character, and at several
// sizes and sub-pixel positions every glyph the same advance and the same
// pixels, with the same metrics. A newer golang.org/x/image with changed Go
// fonts fails it until go generate is run again.
func TestTheBuiltInFontsDrawAsTheGoFonts(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		builtIn              func() *outlines
		compressed, original []byte
	}{
		{"regular", regular, goRegular, goregular.TTF},
		{"bold", bold, goBold, gobold.TTF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.original)/len(tc.compressed) < 3 {
				t.Errorf("the built-in font weighs %d bytes, want under a third of the Go font's %d",
					len(tc.compressed), len(tc.original))
			}
			got := tc.builtIn()
			want, err := opentype.Parse(tc.original)
			if err != nil {
				t.Fatal(err)
			}
			for r := rune(0); r < 0x10000; r++ {
				w, _ := want.GlyphIndex(nil, r)
				if g := got.glyphOf[r]; g != int(w) {
					t.Fatalf("%U is glyph %d, want %d", r, g, w)
				}
			}
			for _, px := range []float64{9.5, 22, 61.3} {
				ours := got.face(px)
				theirs, _ := opentype.NewFace(want, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
				m := theirs.Metrics()
				if ours.ascent() != m.Ascent || ours.descent() != m.Descent || ours.capHeight() != m.CapHeight {
					t.Fatalf("at %v px: ascent, descent, cap height %v %v %v, want %+v", px,
						ours.ascent(), ours.descent(), ours.capHeight(), m)
				}
				runes := []rune{'\u4e00'} // missing: the box
				for r := range got.glyphOf {
					runes = append(runes, r)
				}
				for _, r := range runes {
					if a, _ := theirs.GlyphAdvance(r); ours.advance(r) != a {
						t.Fatalf("at %v px %q advances %v, want %v", px, r, ours.advance(r), a)
					}
					dot := fixed.Point26_6{X: fixed.Int26_6(int(r) % 64), Y: fixed.I(int(px)+2) + fixed.Int26_6(int(r)%37)}
					size := image.Rect(0, 0, 3*int(px)+8, 2*int(px)+8)
					drawn, drawer := image.NewAlpha(size), font.Drawer{Dst: image.NewAlpha(size), Src: image.Opaque, Face: theirs, Dot: dot}
					ours.draw(drawn, dot, r)
					drawer.DrawString(string(r))
					if !bytes.Equal(drawn.Pix, drawer.Dst.(*image.Alpha).Pix) {
						t.Fatalf("at %v px %q is drawn other than by opentype", px, r)
					}
				}
			}
		})
	}
}

// BenchmarkReadingAFont is what the first drawing that sets text in a font
// spends reading it, once per process.
func BenchmarkReadingAFont(b *testing.B) {
	for b.Loop() {
		if _, err := readOutlines(goBold); err != nil {
			b.Fatal(err)
		}
	}
}
