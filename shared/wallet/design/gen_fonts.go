//go:build ignore

// gen_fonts writes the Go fonts the cards draw with (fonts/*.ttf.flate) as
// the drawing uses them: without their TrueType hinting, which
// x/image/font/sfnt never runs (its glyphs' instructions and the fpgm, prep,
// cvt and gasp tables were more than half of each font), without glyph
// names (post format 3), and compressed. Run it with go generate when
// golang.org/x/image changes; design's tests check that every glyph still
// draws as the Go font's own.
package main

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

func main() {
	for name, ttf := range map[string][]byte{"goregular": goregular.TTF, "gobold": gobold.TTF} {
		lean, err := unhinted(ttf)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		var out bytes.Buffer
		w, _ := flate.NewWriter(&out, flate.BestCompression) // the level is valid
		w.Write(lean)
		w.Close()
		if err := os.WriteFile(filepath.Join("fonts", name+".ttf.flate"), out.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d bytes, %d unhinted, %d compressed\n", name, len(ttf), len(lean), out.Len())
	}
}

// unhinted is the TrueType font ttf without its hinting and glyph names.
func unhinted(ttf []byte) ([]byte, error) {
	tables := map[string][]byte{}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	for i := 0; i < n; i++ {
		rec := ttf[12+16*i:]
		off, size := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		tables[string(rec[:4])] = ttf[off : off+size]
	}
	for _, hinting := range []string{"fpgm", "prep", "cvt ", "gasp"} {
		delete(tables, hinting)
	}
	post := append([]byte(nil), tables["post"][:32]...)
	binary.BigEndian.PutUint32(post, 0x00030000)
	tables["post"] = post

	head := append([]byte(nil), tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set last
	tables["head"] = head
	long := binary.BigEndian.Uint16(head[50:]) == 1
	loca, glyf := tables["loca"], tables["glyf"]
	glyphs := int(binary.BigEndian.Uint16(tables["maxp"][4:]))
	offset := func(i int) uint32 {
		if long {
			return binary.BigEndian.Uint32(loca[4*i:])
		}
		return 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
	}
	var newGlyf, newLoca bytes.Buffer
	putOffset := func(o int) {
		if long {
			binary.Write(&newLoca, binary.BigEndian, uint32(o))
		} else {
			binary.Write(&newLoca, binary.BigEndian, uint16(o/2))
		}
	}
	for i := 0; i < glyphs; i++ {
		putOffset(newGlyf.Len())
		g, err := withoutInstructions(glyf[offset(i):offset(i+1)])
		if err != nil {
			return nil, fmt.Errorf("glyph %d: %w", i, err)
		}
		newGlyf.Write(g)
		if newGlyf.Len()%2 == 1 {
			newGlyf.WriteByte(0)
		}
	}
	putOffset(newGlyf.Len())
	tables["glyf"], tables["loca"] = newGlyf.Bytes(), newLoca.Bytes()

	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	var out bytes.Buffer
	entrySelector := 0
	for 2<<entrySelector <= len(tags) {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	binary.Write(&out, binary.BigEndian, []uint16{0x0001, 0x0000, uint16(len(tags)), uint16(searchRange),
		uint16(entrySelector), uint16(16*len(tags) - searchRange)})
	offsetOf := 12 + 16*len(tags)
	var data bytes.Buffer
	for _, tag := range tags {
		t := tables[tag]
		out.WriteString(tag)
		binary.Write(&out, binary.BigEndian, []uint32{checksum(t), uint32(offsetOf + data.Len()), uint32(len(t))})
		data.Write(t)
		for data.Len()%4 != 0 {
			data.WriteByte(0)
		}
	}
	out.Write(data.Bytes())
	font := out.Bytes()
	headAt := offsetOf
	for _, tag := range tags {
		if tag == "head" {
			break
		}
		headAt += (len(tables[tag]) + 3) &^ 3
	}
	binary.BigEndian.PutUint32(font[headAt+8:], 0xB1B0AFBA-checksum(font))
	return font, nil
}

// withoutInstructions is a glyph's data without its hinting instructions.
func withoutInstructions(g []byte) ([]byte, error) {
	if len(g) == 0 {
		return g, nil
	}
	contours := int16(binary.BigEndian.Uint16(g))
	if contours >= 0 { // a simple glyph: instructions follow the contours' ends
		at := 10 + 2*int(contours)
		n := int(binary.BigEndian.Uint16(g[at:]))
		return append(append(append([]byte(nil), g[:at]...), 0, 0), g[at+2+n:]...), nil
	}
	// A composite glyph: instructions, if any, follow the last component.
	const (
		argsAreWords     = 0x0001
		scale            = 0x0008
		moreComponents   = 0x0020
		xyScale          = 0x0040
		twoByTwo         = 0x0080
		haveInstructions = 0x0100
	)
	out := append([]byte(nil), g...)
	at := 10
	for {
		flags := binary.BigEndian.Uint16(out[at:])
		binary.BigEndian.PutUint16(out[at:], flags&^haveInstructions)
		at += 4 + 2
		if flags&argsAreWords != 0 {
			at += 2
		}
		switch {
		case flags&scale != 0:
			at += 2
		case flags&xyScale != 0:
			at += 4
		case flags&twoByTwo != 0:
			at += 8
		}
		if flags&moreComponents == 0 {
			return out[:at], nil
		}
		if at >= len(out) {
			return nil, fmt.Errorf("a composite glyph cut short")
		}
	}
}

// checksum is a table's TrueType checksum: the sum of its big-endian
// 32-bit words, zero-padded.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
