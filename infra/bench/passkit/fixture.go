package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// The pass type and team of the development chain the benchmark signs with.
const (
	passTypeID = "pass.dev.fidelio.bench"
	teamID     = "FIDELIOBEN"
)

// program is a program as an operator configures it: every pass shares it.
var program = apple.Config{
	PassTypeID:       passTypeID,
	TeamID:           teamID,
	OrganizationName: "Fidelio Coffee",
	Description:      locale.Text{"Fidelio Coffee loyalty card"},
	LogoText:         "Fidelio Coffee",
	WebServiceURL:    "https://api.fidelio.test/wallet",
	Terms:            locale.Text{"Points expire 12 months after they are earned. 100 points buy a coffee."},
	Contact:          locale.Text{"+33 1 23 45 67 89 · hello@fidelio.test · 12 rue de la Paix, 75002 Paris"},
}

// member is what differs from one new member's pass to the next. The JSON
// names are passkit-generator's where it has one, for bench.mjs.
type member struct {
	Serial       string `json:"serialNumber"`
	Token        string `json:"authenticationToken"`
	MemberNumber string `json:"memberNumber"`
	Name         string `json:"name"`
	Code         string `json:"code"`
	Balance      int64  `json:"balance"`
}

// newMember makes the i-th new member: each has its own serial, token, name
// and code, so that no pass is the copy of another.
func newMember(i int) member {
	serial := fmt.Sprintf("01JBENCH%018d", i)
	return member{
		Serial:       serial,
		Token:        fmt.Sprintf("tok_bench_%016d", i),
		MemberNumber: fmt.Sprintf("FM-%04d-%04d", i/10000%10000, i%10000),
		Name:         fmt.Sprintf("Member %d", i),
		Code:         fmt.Sprintf("F1.K1.%s.B%09d", serial, i),
		Balance:      int64(50 + i%1000),
	}
}

// card is the Apple card of m in tier t, as wallet.Cards fills it for a
// member who has just joined.
func card(t loyalty.Tier, m member) apple.Card {
	colors := design.Palette(t)
	return apple.Card{
		Serial:              m.Serial,
		AuthenticationToken: m.Token,
		MemberNumber:        m.MemberNumber,
		Name:                m.Name,
		Tier:                t,
		Balance:             m.Balance,
		NextTier:            loyalty.Platinum,
		PointsToNextTier:    1350,
		MemberSince:         "2026-01-15",
		Code:                m.Code,
		Locale:              "en",
		MemberPageURL:       "https://fidelio.test/members/me",
		BackgroundColor:     colors.Background.CSS(),
		ForegroundColor:     colors.Foreground.CSS(),
		LabelColor:          colors.Label.CSS(),
	}
}

// fixture is what both sides build passes from.
type fixture struct {
	tier    loyalty.Tier
	signer  apple.Signer
	builder *apple.Builder
	// root is the development root that the passes of both sides verify
	// with.
	root string
	// model is passkit-generator's model folder: pass.json as a template,
	// the tier's images and the lproj folders.
	model string
	// The PEM files passkit-generator signs with.
	signerCert, signerKey, wwdr string
	// imageBytes is the size of the tier's images, for the report.
	imageBytes int
}

// newFixture makes a development chain in dir, a Builder that draws the
// tier's images as the API does, and, from the pass that Builder makes for a
// first member, a passkit-generator model folder holding the same pass.json,
// images and strings.
func newFixture(dir string, tier loyalty.Tier) (*fixture, error) {
	chain := filepath.Join(dir, "chain")
	signer, err := apple.DevChain(chain, passTypeID, teamID, time.Now())
	if err != nil {
		return nil, err
	}
	builder, err := apple.NewBuilder(program, signer, wallet.AppleImages(&design.Assets{}))
	if err != nil {
		return nil, err
	}
	template, err := builder.Build(card(tier, newMember(0)))
	if err != nil {
		return nil, err
	}
	files, err := unzip(template)
	if err != nil {
		return nil, fmt.Errorf("read the template pass: %w", err)
	}
	f := &fixture{
		tier:       tier,
		signer:     signer,
		builder:    builder,
		root:       filepath.Join(chain, "root.pem"),
		model:      filepath.Join(dir, "model.pass"),
		signerCert: filepath.Join(chain, "pass.pem"),
		signerKey:  filepath.Join(chain, "pass.key"),
		wwdr:       filepath.Join(chain, "wwdr.pem"),
	}
	for name, data := range files {
		if strings.HasSuffix(name, ".png") {
			f.imageBytes += len(data)
		}
	}
	if err := writeModel(f.model, files); err != nil {
		return nil, fmt.Errorf("passkit-generator model: %w", err)
	}
	return f, nil
}

// writeModel lays out the files of a built pass as a passkit-generator model:
// everything but the manifest and signature, which it makes itself, with the
// pass.strings files in UTF-8, the only encoding it reads.
func writeModel(dir string, files map[string][]byte) error {
	for name, data := range files {
		if name == "manifest.json" || name == "signature" {
			continue
		}
		if strings.HasSuffix(name, ".strings") {
			s, err := decodeUTF16(data)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			data = []byte(s)
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// decodeUTF16 reads a UTF-16 little-endian text with a byte order mark, the
// encoding apple.Builder writes pass.strings in.
func decodeUTF16(b []byte) (string, error) {
	if !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || len(b)%2 != 0 {
		return "", errors.New("not UTF-16 little-endian with a byte order mark")
	}
	units := make([]uint16, 0, len(b)/2-1)
	for i := 2; i < len(b); i += 2 {
		units = append(units, uint16(b[i])|uint16(b[i+1])<<8)
	}
	return string(utf16.Decode(units)), nil
}

// unzip returns the files of a .pkpass by name.
func unzip(pkpass []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(pkpass), int64(len(pkpass)))
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(zr.File))
	for _, zf := range zr.File {
		r, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
		if _, dup := files[zf.Name]; dup {
			return nil, fmt.Errorf("%s is in the archive twice", zf.Name)
		}
		files[zf.Name] = data
	}
	return files, nil
}

// writeJSON writes v to path as JSON.
func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
