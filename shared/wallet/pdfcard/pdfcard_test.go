package pdfcard

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/fidelio/fidelio/shared/loyalty"
)

const code = "F1.K1.01J9Z3F4QK8W6T2N5R7Y0X1B3C.q8Hc2mN0fT4wLk7Zp1Rv"

func card(t *testing.T) []byte {
	t.Helper()
	pdf, err := PDF(Card{ProgramName: "Café Lumière", MemberName: "Ada Lovelace", MemberNumber: "0123 4567 8901",
		Tier: loyalty.Gold, TierName: "Or", Code: code, Terms: "Les points n'ont pas de valeur monétaire."})
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// streams returns the PDF's content streams, inflated.
func streams(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out = append(out, m[1])
			continue
		}
		b, err := io.ReadAll(r)
		if err != nil {
			continue // an image's data
		}
		out = append(out, b)
	}
	return out
}

func TestThePagesAreID1WithBleed(t *testing.T) {
	pdf := card(t)
	mm := func(pt string) float64 { v, _ := strconv.ParseFloat(pt, 64); return v * 25.4 / 72 }
	if n := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(pdf, -1)); n != 2 {
		t.Fatalf("%d pages, want the front and the back", n)
	}
	// Both pages inherit the MediaBox of their /Pages.
	boxes := regexp.MustCompile(`/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]`).FindAllSubmatch(pdf, -1)
	if len(boxes) == 0 {
		t.Fatal("no MediaBox")
	}
	for _, b := range boxes {
		if w, h := mm(string(b[1])), mm(string(b[2])); math.Abs(w-(85.60+4)) > 0.01 || math.Abs(h-(53.98+4)) > 0.01 {
			t.Fatalf("a page of %.2f × %.2f mm, want 89.60 × 57.98 (ID-1 and 2 mm of bleed)", w, h)
		}
	}
	trims := regexp.MustCompile(`/TrimBox \[([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\]`).FindAllSubmatch(pdf, -1)
	if len(trims) != 2 {
		t.Fatalf("%d TrimBoxes, want one a page", len(trims))
	}
	for _, tb := range trims {
		if x0, x1 := mm(string(tb[1])), mm(string(tb[3])); math.Abs(x0-2) > 0.01 || math.Abs(x1-x0-85.60) > 0.01 {
			t.Fatalf("TrimBox %s, want the card's edge 2 mm in", tb[0])
		}
	}
	img := regexp.MustCompile(`/Width (\d+)\s*/Height (\d+)`).FindSubmatch(pdf)
	if img == nil {
		t.Fatal("no image")
	}
	if w, _ := strconv.Atoi(string(img[1])); math.Abs(float64(w)-89.60/25.4*300) > 1 {
		t.Fatalf("the front's image is %s pixels wide over 89.60 mm, want 300 dpi (1058)", img[1])
	}
}

// TestTheQRCodeIsVectorsThatDecode rebuilds the back's QR code from the
// rectangles the PDF draws, rasterizes them and decodes the result: the
// code is drawn, not pasted as an image, and reads as the member's code.
func TestTheQRCodeIsVectorsThatDecode(t *testing.T) {
	pdf := card(t)
	rect := regexp.MustCompile(`([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re f`)
	var rects [][4]float64
	for _, s := range streams(t, pdf) {
		for _, m := range rect.FindAllSubmatch(s, -1) {
			var r [4]float64
			for i := range r {
				r[i], _ = strconv.ParseFloat(string(m[i+1]), 64)
			}
			rects = append(rects, r)
		}
	}
	if len(rects) < 50 {
		t.Fatalf("%d filled rectangles on the pages, want the QR code's modules", len(rects))
	}
	// 10 pixels a point: the modules are about 1.3 points wide.
	const scale = 10
	img := image.NewGray(image.Rect(0, 0, 254*scale, 165*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	pageH := (53.98 + 4) * 72 / 25.4
	for _, r := range rects {
		x0, y0 := r[0], pageH-r[1] // PDF's y grows upwards
		x1, y1 := r[0]+r[2], pageH-(r[1]+r[3])
		for y := int(math.Round(min(y0, y1) * scale)); y < int(math.Round(max(y0, y1)*scale)); y++ {
			for x := int(math.Round(x0 * scale)); x < int(math.Round(x1*scale)); x++ {
				img.SetGray(x, y, color.Gray{})
			}
		}
	}
	if dir := os.Getenv("FIDELIO_SHOTS"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "card-back-vectors.png"))
		png.Encode(f, img)
		f.Close()
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil || got.GetText() != code {
		t.Fatalf("the drawn QR code reads %v, %v; want the member's code", got, err)
	}
}

// poppler runs one of poppler-utils' programs, a real PDF reader, with args
// (the PDF's file written in place of "card.pdf") and returns what it
// prints. A machine without them fails the test rather than skip it: CI
// installs them (infra/install-test-tools.sh).
func poppler(t *testing.T, pdf []byte, program string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(program)
	if err != nil {
		t.Fatalf("%s is needed to read the PDF (apt-get install poppler-utils): %v", program, err)
	}
	path := filepath.Join(t.TempDir(), "card.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, a := range args {
		if a == "card.pdf" {
			args[i] = path
		}
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("Error")) {
		t.Fatalf("%s on the card: %v\n%s", program, err, out)
	}
	return string(out)
}

// TestAPDFReaderReadsTheCard reads the card with poppler: two pages of the
// card's size with their TrimBox, and its text as written, French and the
// PDF's own special characters included.
func TestAPDFReaderReadsTheCard(t *testing.T) {
	terms := "Les points n'ont pas de valeur monétaire (aucune) ; ils expirent 12 mois après leur gain. " +
		"Œuvres « exclues » — voir conditions\\règlement.\nPrix en €."
	pdf, err := PDF(Card{ProgramName: "Café (Lumière)", MemberName: "Zoë Ÿvain", MemberNumber: "0123 4567 8901",
		Tier: loyalty.Silver, TierName: "Argent", Code: code, Terms: terms})
	if err != nil {
		t.Fatal(err)
	}
	info := poppler(t, pdf, "pdfinfo", "-box", "card.pdf")
	for _, want := range []string{`Title:\s+Café \(Lumière\) — 0123 4567 8901`, `Pages:\s+2\n`,
		`Page size:\s+253.98 x 164.35 pts`, `TrimBox:\s+5.67\s+5.67\s+248.31\s+158.68`} {
		if !regexp.MustCompile(want).MatchString(info) {
			t.Errorf("pdfinfo finds no %s:\n%s", want, info)
		}
	}
	text := poppler(t, pdf, "pdftotext", "card.pdf", "-")
	for _, want := range []string{"Café (Lumière)\n", "\nArgent\n", "\nZoë Ÿvain\n", "\n0123 4567 8901\n",
		"\nLes points n'ont pas de valeur\nmonétaire (aucune) ; ils expirent 12\n", "Œuvres « exclues\n» — voir",
		"conditions\\règlement.\nPrix en €.\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext finds no %q in the card:\n%s", want, text)
		}
	}
}

func TestTermsWrapAtTheLastSpaceThatFits(t *testing.T) {
	// Lines of 3 em at 6 pt: an m is 0.833 em wide, a space 0.278.
	width := 3 * 6 / pointsPerMM
	for _, tc := range []struct {
		name, terms string
		want        []string
	}{
		{"a line that fits stays whole", "mm m", []string{"mm m"}},
		{"a break drops the space it breaks at", "mm mm", []string{"mm", "mm"}},
		{"a word wider than the line is cut", "mmmmmmm", []string{"mmm", "mmm", "m"}},
		{"a newline always breaks", "m\nm", []string{"m", "m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wrap(tc.terms, 6, width); !slices.Equal(got, tc.want) {
				t.Errorf("wrap(%q) = %q, want %q", tc.terms, got, tc.want)
			}
		})
	}
}
