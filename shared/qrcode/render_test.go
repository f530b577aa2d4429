package qrcode

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// memberCode is a member code as the till will see it, signed as package
// signing signs them.
const memberCode = "F1.K1.01JDAB0C1D2E3F4G5H6J7K8M9N.MHJPPFT5O7QEEFTU"

// scan reads a QR code back the way a till's scanner would.
func scan(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("the code does not scan: %v", err)
	}
	return res.GetText()
}

func TestPNGScansBackToTheCode(t *testing.T) {
	code := memberCode
	for _, size := range []int{37, 74, 200, 256, 512} {
		t.Run(fmt.Sprintf("a code drawn at %d pixels scans back", size), func(t *testing.T) {
			b, err := PNG(code, size)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds().Size(); got != image.Pt(size, size) {
				t.Errorf("the image is %v, want %dx%d", got, size, size)
			}
			if got := scan(t, img); got != code {
				t.Errorf("scanned %q, want %q", got, code)
			}
		})
	}
}

func TestMemberCodesUseTheAlphanumericMode(t *testing.T) {
	// 49 characters fit a version 3 symbol (29 modules, 37 with the quiet
	// zone) only in the alphanumeric mode; in byte mode they need version 4.
	b, err := bitmap(memberCode)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 37 {
		t.Errorf("the symbol is %d modules wide with its quiet zone, want 37", len(b))
	}
}

func TestImageRefusesBadInput(t *testing.T) {
	code := memberCode
	cases := []struct {
		name string
		text string
		size int
	}{
		{"a size smaller than the symbol is refused", code, 36},
		{"a size of zero is refused", code, 0},
		{"a negative size is refused", code, -5},
		{"a size beyond the maximum is refused", code, MaxSize + 1},
		{"empty text is refused", "", 256},
		{"text too long for any QR code is refused", string(bytes.Repeat([]byte("A"), 5000)), 256},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Image(c.text, c.size); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestModulesAreWholePixels(t *testing.T) {
	// 300 = 8×37 + 4: modules of 8 pixels and 2 extra pixels of quiet zone
	// on each side, so the top-left finder pattern starts at 2 + 4×8 = 34.
	img, err := Image(memberCode, 300)
	if err != nil {
		t.Fatal(err)
	}
	dark := func(x, y int) bool { r, _, _, _ := img.At(x, y).RGBA(); return r == 0 }
	if dark(33, 33) || !dark(34, 34) || !dark(34+7*8-1, 34) || dark(34+7*8, 34) {
		t.Error("the finder pattern is not where whole-pixel modules put it")
	}
}

func TestSVGIsWellFormedAndSizedInModules(t *testing.T) {
	b, err := SVG(memberCode)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.ViewBox != "0 0 37 37" {
		t.Errorf("viewBox %q, want one unit per module", doc.ViewBox)
	}
	if doc.Path.D == "" {
		t.Error("no dark modules drawn")
	}
}
