package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/apple"
	"github.com/smallstep/pkcs7"
)

// These tests check what the benchmark hands passkit-generator and what it
// times on the Go side, without npm: they run in every go test ./....

// stringsLine is the line passkit-generator's pass.strings parser reads
// (StringsUtils.parse): anything else it drops without a word.
var stringsLine = regexp.MustCompile(`^"(.+)"\s+=\s+"(.+)";$`)

func TestTheModelIsOnePasskitGeneratorReads(t *testing.T) {
	f, err := newFixture(t.TempDir(), loyalty.Gold)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("it holds pass.json, the tier's images and a pass.strings per language, and no manifest or signature", func(t *testing.T) {
		var got []string
		err := filepath.WalkDir(f.model, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(f.model, path)
				got = append(got, filepath.ToSlash(rel))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"en.lproj/pass.strings", "fr.lproj/pass.strings",
			"icon.png", "icon@2x.png", "icon@3x.png", "logo.png", "logo@2x.png", "logo@3x.png",
			"pass.json", "strip.png", "strip@2x.png", "strip@3x.png"}
		if slices.Sort(got); !slices.Equal(got, want) {
			t.Errorf("the model holds %q, want %q", got, want)
		}
		if !strings.HasSuffix(f.model, ".pass") {
			t.Errorf("the model folder %s does not end in .pass; passkit-generator would look for %[1]s.pass", f.model)
		}
	})

	t.Run("pass.json is a store card with the fields bench.mjs sets for each member", func(t *testing.T) {
		var pass struct {
			FormatVersion      int    `json:"formatVersion"`
			PassTypeIdentifier string `json:"passTypeIdentifier"`
			TeamIdentifier     string `json:"teamIdentifier"`
			Barcodes           []any  `json:"barcodes"`
			StoreCard          map[string][]struct {
				Key string `json:"key"`
			} `json:"storeCard"`
		}
		readJSON(t, filepath.Join(f.model, "pass.json"), &pass)
		if pass.FormatVersion != 1 || pass.PassTypeIdentifier != passTypeID || pass.TeamIdentifier != teamID || len(pass.Barcodes) != 1 {
			t.Errorf("pass.json is %+v", pass)
		}
		for group, key := range map[string]string{"headerFields": "balance", "secondaryFields": "name"} {
			var keys []string
			for _, field := range pass.StoreCard[group] {
				keys = append(keys, field.Key)
			}
			if !slices.Contains(keys, key) {
				t.Errorf("storeCard.%s has the fields %q, none of them %q", group, keys, key)
			}
		}
	})

	t.Run("each pass.strings is UTF-8 whose every line passkit-generator's parser reads", func(t *testing.T) {
		for _, lang := range []string{"en", "fr"} {
			b, err := os.ReadFile(filepath.Join(f.model, lang+".lproj", "pass.strings"))
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(b) {
				t.Fatalf("%s.lproj/pass.strings is not UTF-8", lang)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			for _, line := range lines {
				if !stringsLine.MatchString(line) {
					t.Errorf("%s.lproj/pass.strings: passkit-generator drops %q", lang, line)
				}
			}
			if len(lines) < 5 {
				t.Errorf("%s.lproj/pass.strings has %d lines", lang, len(lines))
			}
		}
		if b, _ := os.ReadFile(filepath.Join(f.model, "fr.lproj", "pass.strings")); !bytes.Contains(b, []byte(`"Tier" = "Niveau";`)) {
			t.Errorf("fr.lproj/pass.strings does not translate Tier:\n%s", b)
		}
	})

	t.Run("the certificates are PEM files of the pass key, its certificate and the WWDR certificate", func(t *testing.T) {
		if _, err := apple.LoadSigner(f.signerCert, f.signerKey, f.wwdr); err != nil {
			t.Fatal(err)
		}
		// node-forge reads PRIVATE KEY and RSA PRIVATE KEY blocks.
		if b, _ := os.ReadFile(f.signerKey); !bytes.HasPrefix(b, []byte("-----BEGIN PRIVATE KEY-----")) {
			t.Errorf("%s does not start with a PRIVATE KEY block", f.signerKey)
		}
	})

	t.Run("the Go pass of a new member verifies with pkcs7 against the development root", func(t *testing.T) {
		pkpass, err := f.builder.Build(card(f.tier, newMember(7)))
		if err != nil {
			t.Fatal(err)
		}
		files, err := unzip(pkpass)
		if err != nil {
			t.Fatal(err)
		}
		p7, err := pkcs7.Parse(files["signature"])
		if err != nil {
			t.Fatal(err)
		}
		p7.Content = files["manifest.json"]
		if err := p7.VerifyWithChain(roots(t, f.root)); err != nil {
			t.Fatal(err)
		}
		if serial, err := verifyPass(pkpass, f.root); err != nil || serial != newMember(7).Serial {
			t.Errorf("verifyPass = %q, %v; want %q", serial, err, newMember(7).Serial)
		}
	})

	t.Run("a pass that was changed after signing does not verify", func(t *testing.T) {
		pkpass, err := f.builder.Build(card(f.tier, newMember(8)))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			change func(files map[string][]byte)
			want   string
		}{
			{"a file not as the manifest says", func(files map[string][]byte) { files["icon.png"] = append(files["icon.png"], 0) },
				"icon.png is not in the manifest"},
			{"a file swapped and the manifest made to match", func(files map[string][]byte) {
				old, now := sha1.Sum(files["icon.png"]), sha1.Sum(append(files["icon.png"], 0))
				files["icon.png"] = append(files["icon.png"], 0)
				files["manifest.json"] = bytes.Replace(files["manifest.json"], []byte(hex.EncodeToString(old[:])), []byte(hex.EncodeToString(now[:])), 1)
			}, "openssl smime -verify"},
		} {
			t.Run(c.name, func(t *testing.T) {
				files, err := unzip(pkpass)
				if err != nil {
					t.Fatal(err)
				}
				c.change(files)
				if _, err := verifyPass(zipFiles(t, files), f.root); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("verifyPass = %v, want an error saying %q", err, c.want)
				}
			})
		}
	})

	t.Run("timing builds one pass per member, the last for the last member", func(t *testing.T) {
		members := []member{newMember(1), newMember(2), newMember(3)}
		res, err := timeGo(f, members)
		if err != nil {
			t.Fatal(err)
		}
		if res.passes != 3 || res.elapsed <= 0 || res.rsa <= 0 {
			t.Errorf("timeGo = %d passes in %v, RSA %v", res.passes, res.elapsed, res.rsa)
		}
		if serial, err := verifyPass(res.last, f.root); err != nil || serial != members[2].Serial {
			t.Errorf("the last pass is %q, %v; want %q", serial, err, members[2].Serial)
		}
	})
}

func TestEveryNewMemberIsSomeoneElse(t *testing.T) {
	seen := map[string]int{}
	for i := 1; i <= 2000; i++ {
		m := newMember(i)
		for _, v := range []string{m.Serial, m.Token, m.Name, m.Code, m.MemberNumber} {
			if j, dup := seen[v]; dup {
				t.Fatalf("members %d and %d share %q", j, i, v)
			}
			seen[v] = i
		}
	}
}

// zipFiles makes a .pkpass of files.
func zipFiles(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func roots(t *testing.T, path string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", path)
	}
	return pool
}
