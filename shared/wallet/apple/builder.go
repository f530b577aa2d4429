package apple

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// Builder makes the passes of one program. It is safe for concurrent use.
type Builder struct {
	cfg    Config
	signer Signer
	images func(tier string) (map[string][]byte, error)
	// tiers maps a tier id to its *tierFiles, prepared on first use.
	tiers sync.Map
	// strings holds, for a member of each language, the pass.strings of
	// every language, ready to copy into a pass.
	strings stringsFiles
	// program is the strings files of the program texts the operator set
	// (Card.Program), made for the last texts seen: they change seldom.
	mu      sync.Mutex
	program struct {
		texts   ProgramTexts
		strings stringsFiles
	}
}

// stringsFiles are, for a member of each language, the pass.strings of every
// language.
type stringsFiles [len(locale.Text{})][]entry

// entry is a file of a pass whose compressed form, CRC and SHA-1 were
// computed once, so that a pass only copies its bytes.
type entry struct {
	header zip.FileHeader
	raw    []byte // compressed as header.Method says
	sha1   string // hex, for the manifest
}

// tierFiles is the images of one tier, prepared once.
type tierFiles struct {
	once    sync.Once
	entries []entry
	err     error
}

// NewBuilder returns a Builder for cfg that signs with signer and takes each
// tier's images from images: file name ("icon.png", "logo@2x.png",
// "strip@3x.png"...) to PNG bytes. icon.png is required. Images are asked for
// once per tier and kept for the life of the Builder, so images must return
// the same images for a tier every time.
//
// NewBuilder refuses a signer whose certificate Wallet would refuse for cfg
// whatever the date: call Check at start-up for its validity dates.
func NewBuilder(cfg Config, signer Signer, images func(tier string) (map[string][]byte, error)) (*Builder, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("apple pass config: %w", err)
	}
	if err := signer.checkIdentity(cfg.PassTypeID, cfg.TeamID); err != nil {
		return nil, fmt.Errorf("apple pass config: %w", err)
	}
	if images == nil {
		return nil, errors.New("apple pass config: no source of images")
	}
	b := &Builder{cfg: cfg, signer: signer, images: images}
	var err error
	if b.strings, err = makeStrings(cfg); err != nil {
		return nil, err
	}
	return b, nil
}

// makeStrings prepares the pass.strings files of cfg's texts.
func makeStrings(cfg Config) (stringsFiles, error) {
	var out stringsFiles
	now := time.Now()
	texts := cardTexts(cfg)
	for _, keyed := range locale.Languages {
		files := map[string][]byte{}
		for _, target := range locale.Languages {
			files[target.Code()+".lproj/pass.strings"] = stringsFile(texts, keyed, target)
		}
		entries, err := prepare(files, now)
		if err != nil {
			return out, fmt.Errorf("apple pass strings: %w", err)
		}
		out[keyed] = entries
	}
	return out, nil
}

// stringsOf returns the strings files of cfg, the builder's own or those of
// the program texts a card carried.
func (b *Builder) stringsOf(cfg Config, texts ProgramTexts) (stringsFiles, error) {
	if texts.IsZero() {
		return b.strings, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.program.texts != texts {
		files, err := makeStrings(cfg)
		if err != nil {
			return files, err
		}
		b.program.texts, b.program.strings = texts, files
	}
	return b.program.strings, nil
}

// Build returns the signed .pkpass of card.
func (b *Builder) Build(card Card) ([]byte, error) {
	if err := card.validate(b.cfg); err != nil {
		return nil, fmt.Errorf("build pass %q: %w: %w", card.Serial, ErrInvalidCard, err)
	}
	images, err := b.tierImages(string(card.Tier))
	if err != nil {
		return nil, fmt.Errorf("build pass %q: %w", card.Serial, err)
	}
	l := locale.Of(card.Locale)
	cfg := b.cfg.with(card.Program)
	passFile, err := passJSON(cfg, card, l)
	if err != nil {
		return nil, fmt.Errorf("build pass %q: %w: %w", card.Serial, ErrInvalidCard, err)
	}
	strings, err := b.stringsOf(cfg, card.Program)
	if err != nil {
		return nil, fmt.Errorf("build pass %q: %w", card.Serial, err)
	}
	shared := append(slices.Clip(strings[l]), images...)
	manifestFile, err := manifest(passFile, shared)
	if err != nil {
		return nil, fmt.Errorf("build pass %q: %w", card.Serial, err)
	}
	signature, err := b.signer.sign(manifestFile)
	if err != nil {
		return nil, fmt.Errorf("build pass %q: %w", card.Serial, err)
	}
	pkpass, err := archive([]file{{"pass.json", passFile}, {"manifest.json", manifestFile}, {"signature", signature}}, shared)
	if err != nil {
		return nil, fmt.Errorf("build pass %q: %w", card.Serial, err)
	}
	metrics.Emit(nil, metrics.Value{Name: "PassesBuilt", Unit: metrics.Count, Value: 1})
	return pkpass, nil
}

// manifest lists the SHA-1 of pass.json and of the shared files.
func manifest(passFile []byte, shared []entry) ([]byte, error) {
	sum := sha1.Sum(passFile)
	m := make(map[string]string, len(shared)+1)
	m["pass.json"] = hex.EncodeToString(sum[:])
	for _, e := range shared {
		m[e.header.Name] = e.sha1
	}
	return json.Marshal(m)
}

// file is a file made for one pass.
type file struct {
	name string
	data []byte
}

// archive zips the files made for a pass and the prepared shared ones.
func archive(own []file, shared []entry) ([]byte, error) {
	size := 1024
	for _, f := range own {
		size += len(f.data) + len(f.name) + 128
	}
	for _, e := range shared {
		size += len(e.raw) + len(e.header.Name) + 128
	}
	out := bytes.NewBuffer(make([]byte, 0, size))
	zw := zip.NewWriter(out)
	now := time.Now()
	// The files made for this pass are stored, not deflated: deflating
	// them would save 2 KB or so at the cost of a tenth of the pass's time,
	// flate resetting its tables for each file.
	for _, f := range own {
		h := rawHeader(f.name, zip.Store, f.data, len(f.data), now)
		w, err := zw.CreateRaw(&h)
		if err == nil {
			_, err = w.Write(f.data)
		}
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", f.name, err)
		}
	}
	for _, e := range shared {
		// CreateRaw keeps and updates the header it is given: each pass
		// gets its own copy.
		h := e.header
		w, err := zw.CreateRaw(&h)
		if err == nil {
			_, err = w.Write(e.raw)
		}
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", e.header.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	return out.Bytes(), nil
}

// tierImages returns the prepared images of tier, preparing them on first
// use. A failure is not kept: the next pass of that tier tries again, as the
// source of images may have failed for a moment.
func (b *Builder) tierImages(tier string) ([]entry, error) {
	v, _ := b.tiers.LoadOrStore(tier, &tierFiles{})
	t := v.(*tierFiles)
	t.once.Do(func() {
		images, err := b.images(tier)
		if err == nil {
			err = checkImages(images)
		}
		if err == nil {
			t.entries, err = prepare(images, time.Now())
		}
		if err != nil {
			t.err = fmt.Errorf("images of tier %q: %w", tier, err)
		}
	})
	if t.err != nil {
		b.tiers.CompareAndDelete(tier, t)
		return nil, t.err
	}
	return t.entries, nil
}

// imageName matches the images a store card uses: icon, logo and strip, at
// each of the three screen scales.
var imageName = regexp.MustCompile(`^(icon|logo|strip)(@[23]x)?\.png$`)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

func checkImages(images map[string][]byte) error {
	if _, ok := images["icon.png"]; !ok {
		return errors.New("icon.png is missing; Wallet requires it")
	}
	for name, data := range images {
		if !imageName.MatchString(name) {
			return fmt.Errorf("%q is not an image a store card uses (icon, logo or strip, .png, @2x or @3x)", name)
		}
		if !bytes.HasPrefix(data, pngSignature) {
			return fmt.Errorf("%s is not a PNG", name)
		}
	}
	return nil
}

// prepare hashes and compresses files once. Each is deflated, unless that
// does not make it smaller (PNGs are already compressed) and it is stored.
func prepare(files map[string][]byte, modified time.Time) ([]entry, error) {
	entries := make([]entry, 0, len(files))
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name]
		var deflated bytes.Buffer
		// This runs once per process: it may as well compress its best.
		fw, err := flate.NewWriter(&deflated, flate.BestCompression)
		if err == nil {
			_, err = fw.Write(data)
		}
		if err == nil {
			err = fw.Close()
		}
		if err != nil {
			return nil, fmt.Errorf("compress %s: %w", name, err)
		}
		method, raw := zip.Deflate, deflated.Bytes()
		if len(raw) >= len(data) {
			method, raw = zip.Store, data
		}
		sum := sha1.Sum(data)
		entries = append(entries, entry{header: rawHeader(name, method, data, len(raw), modified), raw: raw, sha1: hex.EncodeToString(sum[:])})
	}
	return entries, nil
}

// rawHeader is the header of a file whose data is compressed as method says
// to size bytes, for zip.Writer.CreateRaw. With the CRC-32 and sizes known in
// advance, the local header carries them and no data descriptor follows the
// data: Java's ZipInputStream, which Android pass apps read passes with,
// refuses a data descriptor after a stored file.
func rawHeader(name string, method uint16, data []byte, size int, modified time.Time) zip.FileHeader {
	modified = modified.UTC()
	return zip.FileHeader{
		Name:               name,
		Method:             method,
		CreatorVersion:     20,
		ReaderVersion:      20,
		CRC32:              crc32.ChecksumIEEE(data),
		CompressedSize64:   uint64(size),
		UncompressedSize64: uint64(len(data)),
		// CreateRaw writes the MS-DOS date and time fields as they are.
		ModifiedDate: uint16(modified.Day() + int(modified.Month())<<5 + (modified.Year()-1980)<<9),
		ModifiedTime: uint16(modified.Second()/2 + modified.Minute()<<5 + modified.Hour()<<11),
	}
}
