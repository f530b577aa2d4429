package design

import (
	"image"
	"sync"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Assets renders each image once and keeps its PNG encoding, because an
// image depends only on its tier and scale while a pass is built for every
// download and every update. The zero value is ready to use and safe for
// concurrent use; keep one per process.
//
// The returned bytes are shared by every caller and must not be modified.
type Assets struct {
	// LogoPNG is the operator's own logo (a PNG LogoFrom accepts); nil
	// draws the program's mark.
	LogoPNG []byte
	// ProgramName is written beside the program's mark on Google's wide
	// logo, when the operator has no logo of their own.
	ProgramName string
	m           sync.Map // assetKey → *encoded
}

// An assetKey is always normalised (a known tier, a scale in 1..3), so the
// cache holds a few dozen entries at most whatever callers ask for.
type assetKey struct {
	kind  string
	tier  loyalty.Tier
	scale int
}

type encoded struct {
	once sync.Once
	png  []byte
	err  error
}

// Strip is the PNG of Strip(t, scale).
func (a *Assets) Strip(t loyalty.Tier, scale int) ([]byte, error) {
	t, s := known(t), clampScale(scale)
	return a.get(assetKey{"strip", t, s}, func() image.Image { return Strip(t, s) })
}

// Hero is the PNG of Hero(t, scale).
func (a *Assets) Hero(t loyalty.Tier, scale int) ([]byte, error) {
	t, s := known(t), clampScale(scale)
	return a.get(assetKey{"hero", t, s}, func() image.Image { return Hero(t, s) })
}

// Icon is the PNG of the pass's icon: IconFrom the operator's logo, else
// Icon(scale).
func (a *Assets) Icon(scale int) ([]byte, error) {
	s := clampScale(scale)
	return a.get(assetKey{"icon", "", s}, func() image.Image {
		if a.LogoPNG != nil {
			if img, err := IconFrom(a.LogoPNG, s); err == nil {
				return img
			}
		}
		return Icon(s)
	})
}

// GoogleLogo is the PNG of GoogleLogo(a.LogoPNG), Google Wallet's
// programLogo.
func (a *Assets) GoogleLogo() ([]byte, error) {
	return a.get(assetKey{"google-logo", "", 1}, func() image.Image {
		img, err := GoogleLogo(a.LogoPNG)
		if err != nil { // checked when saved: draw the mark rather than nothing
			img, _ = GoogleLogo(nil)
		}
		return img
	})
}

// WideLogo is the PNG of WideLogo(a.LogoPNG, a.ProgramName), Google
// Wallet's wideProgramLogo.
func (a *Assets) WideLogo() ([]byte, error) {
	return a.get(assetKey{"wide-logo", "", 1}, func() image.Image {
		img, err := WideLogo(a.LogoPNG, a.ProgramName)
		if err != nil {
			img, _ = WideLogo(nil, a.ProgramName)
		}
		return img
	})
}

// Logo is the PNG of Logo(scale).
func (a *Assets) Logo(scale int) ([]byte, error) {
	s := clampScale(scale)
	return a.get(assetKey{"logo", "", s}, func() image.Image { return a.logo(s) })
}

// logo is the operator's logo when one was given and can be read (it was
// checked when it was saved), else the program's mark.
func (a *Assets) logo(scale int) image.Image {
	if a.LogoPNG != nil {
		if img, err := LogoFrom(a.LogoPNG, scale); err == nil {
			return img
		}
	}
	return Logo(scale)
}

// get renders and encodes an image the first time it is asked for; callers
// asking meanwhile wait for that one rendering rather than starting their own.
func (a *Assets) get(k assetKey, render func() image.Image) ([]byte, error) {
	v, _ := a.m.LoadOrStore(k, new(encoded))
	e := v.(*encoded)
	e.once.Do(func() { e.png, e.err = PNG(render()) })
	return e.png, e.err
}
