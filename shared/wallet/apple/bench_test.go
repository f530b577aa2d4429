package apple

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/png"
	mathrand "math/rand/v2"
	"testing"
)

// BenchmarkBuild builds the pass of a new member each iteration, with a full
// set of tier images of realistic sizes already prepared, as in a warm Lambda.
func BenchmarkBuild(b *testing.B) {
	images := realisticImages(b)
	total := 0
	for _, data := range images {
		total += len(data)
	}
	builder, err := NewBuilder(testConfig(), devSigner, func(string) (map[string][]byte, error) { return images, nil })
	if err != nil {
		b.Fatal(err)
	}
	if _, err := builder.Build(testCard()); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n++
		card := testCard()
		card.Serial = fmt.Sprintf("01J9Z3F4QK8W6T2N5R7Y%06d", n)
		card.Name = fmt.Sprintf("Member %d", n)
		card.Balance = int64(n)
		if _, err := builder.Build(card); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "passes/s")
	b.ReportMetric(float64(total)/1024, "image-KiB")
}

// BenchmarkSignOnly measures the signature of a manifest alone, and within
// it the RSA-2048 private-key operation, to tell how much of a pass is RSA.
func BenchmarkSignOnly(b *testing.B) {
	pkpass, err := newTestBuilder(b).Build(testCard())
	if err != nil {
		b.Fatal(err)
	}
	manifest := unzipPass(b, pkpass)["manifest.json"]
	b.Run("pkcs7", func(b *testing.B) {
		for b.Loop() {
			if _, err := devSigner.sign(manifest); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rsa", func(b *testing.B) {
		digest := sha256.Sum256(manifest)
		for b.Loop() {
			if _, err := devSigner.Key.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// realisticImages draws the icon, logo and strip of a store card at the
// three scales Apple asks for, as soft gradients with some grain: PNGs from
// half a kilobyte (icon) to 150 KB (strip@3x), 270 KB in all, like designed
// artwork.
func realisticImages(b *testing.B) map[string][]byte {
	b.Helper()
	sizes := []struct {
		name string
		size [2]int
	}{{"icon", [2]int{29, 29}}, {"logo", [2]int{160, 50}}, {"strip", [2]int{375, 144}}}
	rng := mathrand.New(mathrand.NewPCG(1, 2))
	images := map[string][]byte{}
	for _, s := range sizes {
		name, size := s.name, s.size
		for scale := 1; scale <= 3; scale++ {
			w, h := size[0]*scale, size[1]*scale
			img := image.NewNRGBA(image.Rect(0, 0, w, h))
			for y := range h {
				for x := range w {
					grain := uint8(rng.IntN(2))
					img.Set(x, y, color.NRGBA{uint8(150 + 60*x/w + int(grain)), uint8(110 + 40*y/h), 40 + grain, 255})
				}
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				b.Fatal(err)
			}
			file := name + ".png"
			if scale > 1 {
				file = fmt.Sprintf("%s@%dx.png", name, scale)
			}
			images[file] = buf.Bytes()
		}
	}
	return images
}
