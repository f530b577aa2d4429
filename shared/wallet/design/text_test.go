package design

import (
	"slices"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// TestTheBuiltInFontsDrawAsTheGoFonts holds the fonts compiled in (made by
// gen_fonts.go without hinting, compressed) to the Go fonts they come from:
// the same characters, and every glyph the same outline, advance and
// bounds, with the same metrics. A newer golang.org/x/image with changed Go
// fonts fails it until go generate is run again.
func TestTheBuiltInFontsDrawAsTheGoFonts(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		builtIn              func() *sfnt.Font
		compressed, original []byte
	}{
		{"regular", regular, goRegular, goregular.TTF},
		{"bold", bold, goBold, gobold.TTF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.builtIn()
			want, err := sfnt.Parse(tc.original)
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.original)/len(tc.compressed) < 3 {
				t.Errorf("the built-in font weighs %d bytes, want under a third of the Go font's %d",
					len(tc.compressed), len(tc.original))
			}
			if got.NumGlyphs() != want.NumGlyphs() {
				t.Fatalf("%d glyphs, want %d", got.NumGlyphs(), want.NumGlyphs())
			}
			var gb, wb sfnt.Buffer
			ppem := fixed.I(200)
			for r := rune(0); r < 0x10000; r++ {
				g, _ := got.GlyphIndex(&gb, r)
				w, _ := want.GlyphIndex(&wb, r)
				if g != w {
					t.Fatalf("%U is glyph %d, want %d", r, g, w)
				}
			}
			gm, _ := got.Metrics(&gb, ppem, font.HintingNone)
			wm, _ := want.Metrics(&wb, ppem, font.HintingNone)
			if gm != wm {
				t.Errorf("metrics %+v, want %+v", gm, wm)
			}
			for i := range want.NumGlyphs() {
				x := sfnt.GlyphIndex(i)
				gs, err := got.LoadGlyph(&gb, x, ppem, nil)
				if err != nil {
					t.Fatalf("glyph %d: %v", i, err)
				}
				ws, _ := want.LoadGlyph(&wb, x, ppem, nil)
				if !slices.Equal(gs, ws) {
					t.Fatalf("glyph %d's outline %v, want %v", i, gs, ws)
				}
				ga, _ := got.GlyphAdvance(&gb, x, ppem, font.HintingNone)
				wa, _ := want.GlyphAdvance(&wb, x, ppem, font.HintingNone)
				gbounds, _, _ := got.GlyphBounds(&gb, x, ppem, font.HintingNone)
				wbounds, _, _ := want.GlyphBounds(&wb, x, ppem, font.HintingNone)
				if ga != wa || gbounds != wbounds {
					t.Fatalf("glyph %d advances %v within %v, want %v within %v", i, ga, gbounds, wa, wbounds)
				}
			}
		})
	}
}
