package pdfcard

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
)

// A document is a PDF of pages of one size holding only what a printed card
// draws: PNG images, lines of text in three of PDF's standard fonts, and
// black rectangles. It is written here rather than by a PDF library because
// the card machinery must fit its Lambda (issue 18: fpdf alone weighed
// 0.44 MiB). Positions and sizes are in millimetres from the page's top
// left, like the card's drawing; they become PDF points from the bottom
// left when drawn.
type document struct {
	width, height float64 // mm
	title         string
	pages         []*bytes.Buffer // each page's content stream
	trims         [][4]float64    // each page's TrimBox: x, y, width, height in mm from the top left
	images        []xObject       // in the order of their names, /Im0, /Im1…
}

// A font is one of PDF's standard fonts, which every reader has, so none is
// embedded. Text in them is encoded in WinAnsiEncoding (Windows-1252).
type font struct{ name, resource string }

var (
	helvetica     = font{"Helvetica", "F1"}
	helveticaBold = font{"Helvetica-Bold", "F2"}
	courierBold   = font{"Courier-Bold", "F3"}
	fonts         = []font{helvetica, helveticaBold, courierBold}
)

const pointsPerMM = 72 / 25.4

// addPage starts a page whose TrimBox, the card's edge, is the given
// rectangle; what follows draws on it.
func (d *document) addPage(x, y, width, height float64) {
	d.pages = append(d.pages, new(bytes.Buffer))
	d.trims = append(d.trims, [4]float64{x, y, width, height})
}

func (d *document) page() *bytes.Buffer { return d.pages[len(d.pages)-1] }

// number writes v in points with two decimals, as PDF readers expect
// coordinates (PDF has no exponent notation).
func number(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// drawPNG draws a PNG image stretched over the rectangle at x, y. The PNG's
// compressed pixels go into the PDF as they are: PDF's Flate filter with
// the PNG predictor reads them, so nothing is decoded.
func (d *document) drawPNG(png []byte, x, y, width, height float64) error {
	img, err := pngImage(png)
	if err != nil {
		return err
	}
	// Five decimals: the image's scale to the hundredth of a point would
	// resample it a little smaller than the page.
	fmt.Fprintf(d.page(), "q %.5f 0 0 %.5f %.5f %.5f cm /Im%d Do Q\n", width*pointsPerMM, height*pointsPerMM,
		x*pointsPerMM, (d.height-y-height)*pointsPerMM, len(d.images))
	d.images = append(d.images, img)
	return nil
}

// text writes s in f at size points, in colour c, its baseline starting at
// x, y. Characters Windows-1252 lacks are written as "?".
func (d *document) text(f font, size float64, c [3]uint8, x, y float64, s string) {
	fmt.Fprintf(d.page(), "q %.3f %.3f %.3f rg BT /%s %s Tf %s %s Td %s Tj ET Q\n",
		float64(c[0])/255, float64(c[1])/255, float64(c[2])/255, f.resource, number(size),
		number(x*pointsPerMM), number((d.height-y)*pointsPerMM), literal(winAnsi(s)))
}

// fillRect fills the rectangle at x, y in black.
func (d *document) fillRect(x, y, width, height float64) {
	fmt.Fprintf(d.page(), "%s %s %s %s re f\n", number(x*pointsPerMM), number((d.height-y)*pointsPerMM),
		number(width*pointsPerMM), number(-height*pointsPerMM))
}

// bytes writes the document: the catalog, the page tree (every page of the
// document's size), the pages with their compressed contents, the shared
// resources (fonts and images) and the title.
func (d *document) bytes() []byte {
	var out bytes.Buffer
	var offsets []int // of objects 1, 2…
	object := func(body string, stream []byte) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			fmt.Fprintf(&out, "\nstream\n%s\nendstream", stream)
		}
		out.WriteString("\nendobj\n")
	}
	// Objects 1 to 4 are the catalog, the page tree, the resources and the
	// title; fonts, images, then each page and its contents follow.
	first := 5 + len(fonts) + len(d.images)
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	object("<< /Type /Catalog /Pages 2 0 R >>", nil)
	var kids bytes.Buffer
	for i := range d.pages {
		fmt.Fprintf(&kids, "%d 0 R ", first+2*i)
	}
	object(fmt.Sprintf("<< /Type /Pages /Kids [ %s] /Count %d /MediaBox [0 0 %s %s] >>",
		kids.String(), len(d.pages), number(d.width*pointsPerMM), number(d.height*pointsPerMM)), nil)
	var resources bytes.Buffer
	resources.WriteString("<< /Font <<")
	for i, f := range fonts {
		fmt.Fprintf(&resources, " /%s %d 0 R", f.resource, 5+i)
	}
	resources.WriteString(" >> /XObject <<")
	for i := range d.images {
		fmt.Fprintf(&resources, " /Im%d %d 0 R", i, 5+len(fonts)+i)
	}
	resources.WriteString(" >> >>")
	object(resources.String(), nil)
	object(fmt.Sprintf("<< /Title %s /Creator (Fidelio) >>", textString(d.title)), nil)
	for _, f := range fonts {
		object(fmt.Sprintf("<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>", f.name), nil)
	}
	for _, img := range d.images {
		object(img.dictionary, img.data)
	}
	for i, content := range d.pages {
		t := d.trims[i]
		object(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /TrimBox [%s %s %s %s] /Resources 3 0 R /Contents %d 0 R >>",
			number(t[0]*pointsPerMM), number((d.height-t[1]-t[3])*pointsPerMM),
			number((t[0]+t[2])*pointsPerMM), number((d.height-t[1])*pointsPerMM), first+2*i+1), nil)
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(content.Bytes()) // a bytes.Buffer does not fail
		w.Close()
		object(fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>", z.Len()), z.Bytes())
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.Bytes()
}

// An xObject is a PNG as a PDF image XObject: its dictionary and its data.
type xObject struct {
	dictionary string
	data       []byte
}

// pngImage reads what PDF needs from a PNG: its size and colours from the
// header, its palette, and its compressed pixels, which PDF's Flate filter
// with predictor 15 decodes as PNG does. It takes the PNGs the card's
// design encodes: 8 bits a sample, grey, RGB or a palette, no transparency,
// not interlaced.
func pngImage(png []byte) (xObject, error) {
	const signature = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(png, []byte(signature)) {
		return xObject{}, errors.New("pdfcard: not a PNG")
	}
	var width, height uint32
	var colours, space string
	var data []byte
	for rest := png[len(signature):]; len(rest) >= 12; {
		n := binary.BigEndian.Uint32(rest)
		if uint64(n)+12 > uint64(len(rest)) {
			return xObject{}, errors.New("pdfcard: a PNG cut short")
		}
		kind, body := string(rest[4:8]), rest[8:8+n]
		rest = rest[12+n:]
		switch kind {
		case "IHDR":
			if n != 13 || body[8] != 8 || body[12] != 0 {
				return xObject{}, errors.New("pdfcard: a PNG not of 8-bit samples, or interlaced")
			}
			width, height = binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:])
			switch body[9] {
			case 0:
				colours, space = "1", "/DeviceGray"
			case 2:
				colours, space = "3", "/DeviceRGB"
			case 3:
				colours = "1" // the space is the palette, read next
			default:
				return xObject{}, fmt.Errorf("pdfcard: a PNG of colour type %d (transparency)", body[9])
			}
		case "PLTE":
			space = fmt.Sprintf("[/Indexed /DeviceRGB %d <%x>]", len(body)/3-1, body)
		case "tRNS":
			return xObject{}, errors.New("pdfcard: a PNG with transparency")
		case "IDAT":
			data = append(data, body...)
		}
	}
	if space == "" || data == nil {
		return xObject{}, errors.New("pdfcard: a PNG without its header, palette or pixels")
	}
	return xObject{
		dictionary: fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 "+
			"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors %s /BitsPerComponent 8 /Columns %d >> /Length %d >>",
			width, height, space, colours, width, len(data)),
		data: data,
	}, nil
}

// literal is s as a PDF string literal.
func literal(s []byte) string {
	var b bytes.Buffer
	b.WriteByte('(')
	for _, c := range s {
		if c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte(')')
	return b.String()
}

// textString is s as a PDF text string (for the title): UTF-16 with its
// byte order mark, in hexadecimal.
func textString(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}

// winAnsi encodes s in Windows-1252, the standard fonts' encoding here.
func winAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, winAnsiByte(r))
	}
	return out
}

// winAnsiByte is r in Windows-1252, or "?" for a character it lacks.
func winAnsiByte(r rune) byte {
	switch {
	case r < 0x80 || r >= 0xa0 && r <= 0xff:
		return byte(r)
	case r == '\u202f': // French's narrow no-break space
		return 0xa0
	}
	if c, ok := windows1252[r]; ok {
		return c
	}
	return '?'
}

// windows1252 maps the characters Windows-1252 puts at 0x80 to 0x9f.
var windows1252 = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88,
	'‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93,
	'”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b,
	'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
}

// wrap breaks s into lines no wider than width mm in Helvetica at size
// points: at the last space that fits (the space dropped), inside a word
// only when it alone is too wide, and at every newline.
func wrap(s string, size, width float64) []string {
	limit := int(math.Ceil(width * pointsPerMM * 1000 / size)) // in the font's thousandths of an em
	var lines []string
	text := []rune(s)
	start, space, w := 0, -1, 0
	for i := 0; i < len(text); {
		r := text[i]
		if r == '\n' {
			lines = append(lines, string(text[start:i]))
			i++
			start, space, w = i, -1, 0
			continue
		}
		if r == ' ' {
			space = i
		}
		if w += int(helveticaWidths[winAnsiByte(r)]); w <= limit {
			i++
			continue
		}
		switch {
		case space >= 0:
			lines = append(lines, string(text[start:space]))
			i = space + 1
		case i == start: // a character wider than the line
			i++
			fallthrough
		default:
			lines = append(lines, string(text[start:i]))
		}
		start, space, w = i, -1, 0
	}
	return append(lines, string(text[start:]))
}
