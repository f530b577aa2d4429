//go:build ignore

// gen_fonts writes the Go fonts the cards draw with (fonts/*.outlines.flate)
// as the drawing uses them: each glyph's outline as x/image/font/sfnt loads
// it, in font units, with its advance, the characters it draws, and the
// font's metrics, compressed. Reading them then needs no TrueType parser
// (sfnt links x/text's code-page tables, 87 KB, into every binary) and
// carries no hinting (more than half of each font). Run it with go generate
// when golang.org/x/image changes; design's tests check that every glyph
// still draws as the Go font's own.
package main

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

func main() {
	for name, ttf := range map[string][]byte{"goregular": goregular.TTF, "gobold": gobold.TTF} {
		raw, err := outlines(ttf)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		var out bytes.Buffer
		w, _ := flate.NewWriter(&out, flate.BestCompression) // the level is valid
		w.Write(raw)
		w.Close()
		if err := os.WriteFile(filepath.Join("fonts", name+".outlines.flate"), out.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d bytes of TrueType, %d of outlines, %d compressed\n", name, len(ttf), len(raw), out.Len())
	}
}

// outlines is the font in the format outlines.go reads, all numbers
// big-endian: unitsPerEm, ascent, descent and cap height; the number of
// characters, then each as the gap from the previous one and its glyph; the
// number of glyphs, then each glyph's advance, its number of segments, and
// each segment's op and points, a point as its move from the previous one.
func outlines(ttf []byte) ([]byte, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	for i := range int(binary.BigEndian.Uint16(ttf[4:])) {
		if tag := string(ttf[12+16*i:][:4]); tag == "kern" || tag == "GPOS" {
			return nil, fmt.Errorf("the font has kerning (%s), which the format leaves out", tag)
		}
	}
	var b sfnt.Buffer
	upem := fixed.Int26_6(f.UnitsPerEm())
	// At upem pixels per em sfnt's scaling is the identity: the outlines
	// come out in font units, composite glyphs resolved, off-curve
	// midpoints computed, y pointing down.
	m, _ := f.Metrics(&b, upem, font.HintingNone)
	var out bytes.Buffer
	put := func(v ...any) {
		for _, x := range v {
			binary.Write(&out, binary.BigEndian, x)
		}
	}
	put(uint16(upem), int16(m.Ascent), int16(m.Descent), int16(m.CapHeight))
	type mapping struct {
		r rune
		g sfnt.GlyphIndex
	}
	var chars []mapping
	for r := rune(0); r <= 0x10ffff; r++ {
		if g, _ := f.GlyphIndex(&b, r); g != 0 {
			if r > 0xffff {
				return nil, fmt.Errorf("%U is outside the format's 16 bits", r)
			}
			chars = append(chars, mapping{r, g})
		}
	}
	put(uint16(len(chars)))
	prev := rune(0)
	for _, c := range chars {
		put(uint16(c.r-prev), uint16(c.g))
		prev = c.r
	}
	put(uint16(f.NumGlyphs()))
	for i := range f.NumGlyphs() {
		x := sfnt.GlyphIndex(i)
		adv, err := f.GlyphAdvance(&b, x, upem, font.HintingNone)
		if err != nil {
			return nil, err
		}
		segments, err := f.LoadGlyph(&b, x, upem, nil)
		if err != nil {
			return nil, fmt.Errorf("glyph %d: %w", i, err)
		}
		put(uint16(adv), uint16(len(segments)))
		var at fixed.Point26_6
		for _, s := range segments {
			put(uint8(s.Op))
			for _, p := range s.Args[:points(s.Op)] {
				put(int16(p.X-at.X), int16(p.Y-at.Y))
				at = p
			}
		}
	}
	return out.Bytes(), nil
}

func points(op sfnt.SegmentOp) int {
	switch op {
	case sfnt.SegmentOpQuadTo:
		return 2
	case sfnt.SegmentOpCubeTo:
		return 3
	}
	return 1
}
