package wallet

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/design"
)

// LogoTTL is how long an instance trusts the logo it has before asking the
// store whether it changed: a new logo reaches every running instance within
// this time, without a restart.
const LogoTTL = 30 * time.Second

// Branding keeps an instance's images in step with the operator's logo,
// which an admin may replace at any time on another instance. It asks the
// store for the logo's version at most once per TTL (one small read), and
// reads the logo and draws its images again only when the version changed.
type Branding struct {
	Store interface {
		Logo(ctx context.Context) ([]byte, error)
		LogoVersion(ctx context.Context) (string, error)
	}
	// Now is the clock; tests choose the time.
	Now func() time.Time
	// ProgramName is written beside the mark when there is no logo.
	ProgramName string
	// NewApple makes the pass builder of a set of images: it keeps each
	// tier's images for its life, so a new logo needs a new one. Nil when
	// Apple Wallet is off.
	NewApple func(*design.Assets) (*apple.Builder, error)
	Logger   *slog.Logger

	mu      sync.Mutex
	current *brand
	checked time.Time
}

// brand is what one logo changes: the images and the passes carrying them.
type brand struct {
	version string
	assets  *design.Assets
	apple   *apple.Builder
}

// NewBranding reads the logo now and prepares its images.
func NewBranding(ctx context.Context, b *Branding) (*Branding, error) {
	png, err := b.Store.Logo(ctx)
	if err != nil {
		return nil, err
	}
	if b.current, err = b.draw(png); err != nil {
		return nil, err
	}
	b.checked = b.Now()
	return b, nil
}

func (b *Branding) draw(png []byte) (*brand, error) {
	br := &brand{version: store.LogoVersion(png), assets: &design.Assets{LogoPNG: png, ProgramName: b.ProgramName}}
	if b.NewApple != nil {
		var err error
		if br.apple, err = b.NewApple(br.assets); err != nil {
			return nil, err
		}
	}
	return br, nil
}

// brand returns the images of the logo as it is now, checking the store
// when the TTL has passed. A store that fails leaves the images as they
// were until the next check: a card with the previous logo is better than
// no card.
func (b *Branding) brand(ctx context.Context) *brand {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.Now()
	if now.Sub(b.checked) < LogoTTL {
		return b.current
	}
	b.checked = now
	version, err := b.Store.LogoVersion(ctx)
	if err == nil && version != b.current.version {
		var png []byte
		if png, err = b.Store.Logo(ctx); err == nil {
			var next *brand
			if next, err = b.draw(png); err == nil {
				b.current = next
			}
		}
	}
	if err != nil {
		b.Logger.WarnContext(ctx, "the program's logo could not be checked; the cards keep the one they have", slog.String("error", err.Error()))
	}
	return b.current
}

// Current is the images and pass builder (nil when Apple Wallet is off) of
// the logo this instance has now, without checking the store.
func (b *Branding) Current() (*design.Assets, *apple.Builder) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.current.assets, b.current.apple
}

// Refresh checks the store now rather than at the end of the TTL: the
// instance that saved a new logo shows it at once.
func (b *Branding) Refresh(ctx context.Context) {
	b.mu.Lock()
	b.checked = time.Time{}
	b.mu.Unlock()
	b.brand(ctx)
}
