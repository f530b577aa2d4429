// Package design is the look of a member's card: each tier's colours and the
// images Apple Wallet and Google Wallet show, drawn by the program so that no
// stock artwork ships with it.
//
// Every image is a pure function of its arguments: the textures come from
// seeded noise, so the same tier and scale give the same bytes on every
// machine, and an image can be rendered once per process and reused (see
// Assets).
package design

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Sizes in points; an image at scale s is s pixels per point, the @1x, @2x and
// @3x files of a pass.
const (
	// StripWidth × StripHeight is the strip of a storeCard. Apple's "Pass
	// Design and Creation" guide (Wallet Developer Guide, "Images Fill Their
	// Allotted Space") gives 375×98 points for event tickets, 375×144 for
	// gift cards and coupons and 375×123 otherwise; Apple's "Creating a store
	// card pass" names the storeCard style as the one for "discount, gift, and
	// store loyalty cards", so a storeCard gets the gift card's 375×144.
	// Wallet fills the space by scaling and cropping, so the strip keeps its
	// tier mark inside the middle 123 points (see stripSafeHeight): if a
	// device gives it the smaller space, only plain texture is lost.
	StripWidth, StripHeight = 375, 144

	// IconSize is the square icon Wallet shows on the lock screen and in
	// notifications.
	IconSize = 29

	// LogoMaxWidth × LogoHeight is the logo box at the top left of a pass.
	LogoMaxWidth, LogoHeight = 160, 50

	// HeroWidth × HeroHeight, in pixels at scale 1, is the heroImage size
	// Google recommends for a loyalty class ("Brand guidelines": 1032×336,
	// 3:1 or wider).
	HeroWidth, HeroHeight = 1032, 336
)

// stripSafeHeight is the part of the strip that Wallet shows whichever of its
// two storeCard sizes it uses.
const stripSafeHeight = 123

// MaxScale is the densest screen Wallet asks images for (@3x).
const MaxScale = 3

// PNG encodes an image. It uses the default compression rather than the
// best: on the paletted strips the best gains nothing, and on a card preview
// it saves 7% for seven times the time (0.8 s rather than 0.12 s).
func PNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("design: encoding png: %w", err)
	}
	return buf.Bytes(), nil
}

// clampScale keeps a scale within what Wallet asks for, so that a bad
// argument cannot make an image of gigabytes.
func clampScale(scale int) int {
	return min(max(scale, 1), MaxScale)
}

// known returns t, or the lowest tier for a tier this package does not know,
// so that a member whose tier is unrecognised still gets a legible card.
func known(t loyalty.Tier) loyalty.Tier {
	if t.Rank() < 0 {
		return loyalty.Tiers[0]
	}
	return t
}
