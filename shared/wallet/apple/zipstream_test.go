package apple

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// readLocalHeaders reads a zip the way Java's ZipInputStream does, which
// Android pass apps are built on: from the start, one local file header after
// the other, never looking at the central directory. It is stricter than
// ZipInputStream in one way: it wants every entry's sizes and CRC-32 in its
// local header (no data descriptor, even after deflated data), which every
// streaming reader can take.
func readLocalHeaders(archive []byte) (names []string, files map[string][]byte, err error) {
	const (
		localHeaderSignature = 0x04034b50
		centralDirSignature  = 0x02014b50
		localHeaderLen       = 30
		dataDescriptorFlag   = 0x8
	)
	files = map[string][]byte{}
	r := bytes.NewReader(archive)
	for {
		var sig uint32
		if err := binary.Read(r, binary.LittleEndian, &sig); err != nil {
			return nil, nil, fmt.Errorf("no central directory after %d entries: %w", len(names), err)
		}
		if sig == centralDirSignature {
			return names, files, nil
		}
		if sig != localHeaderSignature {
			return nil, nil, fmt.Errorf("entry %d: signature %#08x, want a local file header", len(names)+1, sig)
		}
		var h struct {
			Version, Flags, Method, Time, Date uint16
			CRC32, CompressedSize, Size        uint32
			NameLen, ExtraLen                  uint16
		}
		if err := binary.Read(r, binary.LittleEndian, &h); err != nil {
			return nil, nil, fmt.Errorf("entry %d: local header: %w", len(names)+1, err)
		}
		name := make([]byte, h.NameLen)
		if _, err := io.ReadFull(r, name); err != nil {
			return nil, nil, fmt.Errorf("entry %d: name: %w", len(names)+1, err)
		}
		if _, err := r.Seek(int64(h.ExtraLen), io.SeekCurrent); err != nil {
			return nil, nil, err
		}
		switch {
		case h.Flags&dataDescriptorFlag != 0:
			return nil, nil, fmt.Errorf("%s: sizes and CRC in a data descriptor after the data (flag bit 3), not in the local header; ZipInputStream refuses that for a stored entry: only DEFLATED entries can have EXT descriptor", name)
		case h.CompressedSize == 0 || h.Size == 0:
			return nil, nil, fmt.Errorf("%s: local header says %d bytes compressed, %d bytes in all", name, h.CompressedSize, h.Size)
		case h.Method == zip.Store && h.CompressedSize != h.Size:
			return nil, nil, fmt.Errorf("%s: stored, but %d bytes compressed and %d in all", name, h.CompressedSize, h.Size)
		}
		raw := make([]byte, h.CompressedSize)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, nil, fmt.Errorf("%s: data: %w", name, err)
		}
		var data []byte
		switch h.Method {
		case zip.Store:
			data = raw
		case zip.Deflate:
			if data, err = io.ReadAll(flate.NewReader(bytes.NewReader(raw))); err != nil {
				return nil, nil, fmt.Errorf("%s: inflate: %w", name, err)
			}
		default:
			return nil, nil, fmt.Errorf("%s: compression method %d", name, h.Method)
		}
		if len(data) != int(h.Size) {
			return nil, nil, fmt.Errorf("%s: %d bytes, the local header says %d", name, len(data), h.Size)
		}
		if sum := crc32.ChecksumIEEE(data); sum != h.CRC32 {
			return nil, nil, fmt.Errorf("%s: CRC-32 %08x, the local header says %08x", name, sum, h.CRC32)
		}
		if _, dup := files[string(name)]; dup {
			return nil, nil, fmt.Errorf("%s: twice in the archive", name)
		}
		names = append(names, string(name))
		files[string(name)] = data
	}
}

func TestEveryPassReadsFromItsLocalHeadersAlone(t *testing.T) {
	b := newTestBuilder(t)
	for _, tier := range loyalty.Tiers {
		t.Run(string(tier), func(t *testing.T) {
			card := testCard()
			card.Tier = tier
			pkpass, err := b.Build(card)
			if err != nil {
				t.Fatal(err)
			}
			names, streamed, err := readLocalHeaders(pkpass)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(pkpass), int64(len(pkpass)))
			if err != nil {
				t.Fatal(err)
			}
			if len(zr.File) != len(names) {
				t.Errorf("the central directory lists %d files, the local headers %d", len(zr.File), len(names))
			}
			for i, f := range zr.File {
				if i < len(names) && names[i] != f.Name {
					t.Errorf("file %d is %s in the central directory, %s in the local headers", i, f.Name, names[i])
				}
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				data, err := io.ReadAll(rc)
				if err != nil {
					t.Fatalf("%s: %v", f.Name, err)
				}
				if !bytes.Equal(data, streamed[f.Name]) {
					t.Errorf("%s reads differently from its local header and from the central directory", f.Name)
				}
				if age := time.Since(f.Modified); age < -2*time.Second || age > time.Minute {
					t.Errorf("%s was modified %v, not about now", f.Name, f.Modified)
				}
			}
			for _, name := range []string{"pass.json", "manifest.json", "signature", "icon.png"} {
				if len(streamed[name]) == 0 {
					t.Errorf("%s is missing or empty", name)
				}
			}
		})
	}
}

func TestTheStreamingReaderRefusesWhatZipInputStreamWould(t *testing.T) {
	zipOf := func(t *testing.T, write func(zw *zip.Writer) error) []byte {
		t.Helper()
		var out bytes.Buffer
		zw := zip.NewWriter(&out)
		if err := errors.Join(write(zw), zw.Close()); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	data := []byte(`{"formatVersion":1}`)
	for _, tc := range []struct {
		name  string
		write func(zw *zip.Writer) error
	}{
		{"a stored entry with a data descriptor", func(zw *zip.Writer) error {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: "pass.json", Method: zip.Store})
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}},
		{"a deflated entry with a data descriptor", func(zw *zip.Writer) error {
			w, err := zw.Create("pass.json")
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}},
		{"a CRC-32 that does not match", func(zw *zip.Writer) error {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: "pass.json", Method: zip.Store,
				CRC32: crc32.ChecksumIEEE(data) + 1, CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))})
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}},
		{"zero sizes in the local header", func(zw *zip.Writer) error {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: "pass.json", Method: zip.Store})
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := readLocalHeaders(zipOf(t, tc.write)); err == nil {
				t.Error("read without error")
			}
		})
	}
	t.Run("but reads a stored entry with its sizes and CRC-32 in the local header", func(t *testing.T) {
		archive := zipOf(t, func(zw *zip.Writer) error {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: "pass.json", Method: zip.Store,
				CRC32: crc32.ChecksumIEEE(data), CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))})
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		})
		if _, files, err := readLocalHeaders(archive); err != nil || !bytes.Equal(files["pass.json"], data) {
			t.Errorf("read %q, %v", files["pass.json"], err)
		}
	})
}
