package apple

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDevChainWritesItsFilesOnceAndReusesThem(t *testing.T) {
	for name, perm := range map[string]os.FileMode{devRootFile: 0o644, devWWDRFile: 0o644, devCertFile: 0o644, devKeyFile: 0o600} {
		info, err := os.Stat(devFile(name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != perm {
			t.Errorf("%s has mode %v, want %v", name, info.Mode().Perm(), perm)
		}
	}
	again, err := DevChain(devDir, testPassTypeID, testTeamID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cert.Equal(devSigner.Cert) || !again.WWDR.Equal(devSigner.WWDR) {
		t.Error("a second call made a new chain instead of reusing the files")
	}
	if warning, err := Check(devSigner, testPassTypeID, testTeamID, time.Now()); err != nil || warning != "" {
		t.Errorf("Check(dev chain) = %q, %v; want no warning and no error", warning, err)
	}
}

func TestDevChainIsMadeAnewForAnotherPassType(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{devRootFile, devWWDRFile, devCertFile, devKeyFile} {
		data, err := os.ReadFile(devFile(f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := DevChain(dir, "pass.org.fidelio.other", testTeamID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := subjectUID(s.Cert); got != "pass.org.fidelio.other" {
		t.Errorf("the new certificate's UID is %q", got)
	}
	if _, err := Check(s, "pass.org.fidelio.other", testTeamID, time.Now()); err != nil {
		t.Error(err)
	}
}

func TestTheDevCertificateIsLaidOutLikeApples(t *testing.T) {
	c := devSigner.Cert
	if got := subjectUID(c); got != testPassTypeID {
		t.Errorf("UID = %q, want %q", got, testPassTypeID)
	}
	if c.Subject.CommonName != "Pass Type ID: "+testPassTypeID {
		t.Errorf("CN = %q", c.Subject.CommonName)
	}
	if len(c.Subject.OrganizationalUnit) != 1 || c.Subject.OrganizationalUnit[0] != testTeamID {
		t.Errorf("OU = %q, want the team id", c.Subject.OrganizationalUnit)
	}
	if !hasPassSigningUsage(c) {
		t.Error("no pass signing extension or extended key usage")
	}
	if k, ok := devSigner.Key.(*rsa.PrivateKey); !ok || k.N.BitLen() != 2048 {
		t.Errorf("key %T, want RSA-2048", devSigner.Key)
	}
	if err := c.CheckSignatureFrom(devSigner.WWDR); err != nil {
		t.Errorf("not issued by wwdr.pem: %v", err)
	}
}

func TestLoadSignerReadsWhatDevChainWrote(t *testing.T) {
	s, err := LoadSigner(devFile(devCertFile), devFile(devKeyFile), devFile(devWWDRFile))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Cert.Equal(devSigner.Cert) || !s.WWDR.Equal(devSigner.WWDR) || s.checkKey() != nil {
		t.Error("LoadSigner read another signer than DevChain made")
	}
}

func TestParseSignerTakesApplesFormsAndRefusesMismatches(t *testing.T) {
	certPEM := readDev(t, devCertFile)
	keyPEM := readDev(t, devKeyFile)
	wwdrPEM := readDev(t, devWWDRFile)
	otherKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(devSigner.Key.(*rsa.PrivateKey))})
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey)})
	for _, tc := range []struct {
		name                string
		cert, key, wwdr     []byte
		ok                  bool
		wantUnusableMessage bool
	}{
		{name: "PEM files as DevChain writes them", cert: certPEM, key: keyPEM, wwdr: wwdrPEM, ok: true},
		{name: "Apple's WWDR certificate in DER, as it is downloaded", cert: certPEM, key: keyPEM, wwdr: devSigner.WWDR.Raw, ok: true},
		{name: "an openssl pkcs12 export with key and certificate in one file", cert: append(append([]byte{}, keyPEM...), certPEM...), key: append(append([]byte{}, certPEM...), keyPEM...), wwdr: wwdrPEM, ok: true},
		{name: "a PKCS #1 key", cert: certPEM, key: pkcs1, wwdr: wwdrPEM, ok: true},
		{name: "a key of another certificate", cert: certPEM, key: otherPEM, wwdr: wwdrPEM, wantUnusableMessage: true},
		{name: "an encrypted key", cert: certPEM, key: []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"), wwdr: wwdrPEM},
		{name: "garbage for a certificate", cert: []byte("not a certificate"), key: keyPEM, wwdr: wwdrPEM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSigner(tc.cert, tc.key, tc.wwdr)
			if tc.ok != (err == nil) {
				t.Fatalf("ParseSigner = %v, want ok=%v", err, tc.ok)
			}
			if tc.wantUnusableMessage && !errors.Is(err, ErrUnusableCertificate) {
				t.Errorf("ParseSigner = %v, want ErrUnusableCertificate", err)
			}
		})
	}
}

func TestCheckRefusesCertificatesWalletWouldRefuseAndWarnsBeforeExpiry(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	root, err := newRoot(now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	wwdr, err := root.issueWWDR(now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	key := devSigner.Key
	leaf := func(passTypeID, teamID string, notBefore, notAfter time.Time) Signer {
		t.Helper()
		cert, err := wwdr.issuePass(key, passTypeID, teamID, notBefore, notAfter)
		if err != nil {
			t.Fatal(err)
		}
		return Signer{Cert: cert, Key: key, WWDR: wwdr.cert}
	}
	// Right names, right issuer, but none of the pass signing extensions.
	plain, err := issue(&x509.Certificate{
		Subject: pkix.Name{
			OrganizationalUnit: []string{testTeamID},
			ExtraNames:         []pkix.AttributeTypeAndValue{{Type: oidUID, Value: testPassTypeID}},
		},
		NotBefore: now.AddDate(-1, 0, 0),
		NotAfter:  now.AddDate(1, 0, 0),
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}, wwdr, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	year := now.AddDate(1, 0, 0)
	lastYear := now.AddDate(-1, 0, 0)
	for _, tc := range []struct {
		name        string
		signer      Signer
		wantErr     string
		wantWarning string
	}{
		{name: "a valid certificate passes", signer: leaf(testPassTypeID, testTeamID, lastYear, year)},
		{name: "a certificate for another pass type is refused", signer: leaf("pass.org.other", testTeamID, lastYear, year), wantErr: "UID"},
		{name: "a certificate for another team is refused", signer: leaf(testPassTypeID, "ZZZZZ99999", lastYear, year), wantErr: "OU"},
		{name: "an expired certificate is refused", signer: leaf(testPassTypeID, testTeamID, lastYear, now.Add(-time.Minute)), wantErr: "expired"},
		{name: "a certificate not valid yet is refused", signer: leaf(testPassTypeID, testTeamID, now.Add(time.Hour), year), wantErr: "not valid before"},
		{name: "a certificate expiring in 29 days warns", signer: leaf(testPassTypeID, testTeamID, lastYear, now.AddDate(0, 0, 29)), wantWarning: "passes issued after 2026-06-30"},
		{name: "a certificate expiring in 31 days does not warn", signer: leaf(testPassTypeID, testTeamID, lastYear, now.AddDate(0, 0, 31))},
		{name: "a certificate from another WWDR is refused", signer: Signer{Cert: devSigner.Cert, Key: key, WWDR: wwdr.cert}, wantErr: "not issued by"},
		{name: "a certificate that is not a pass certificate is refused", signer: Signer{Cert: plain, Key: key, WWDR: wwdr.cert}, wantErr: "not a Pass Type ID certificate"},
		{name: "a key of another certificate is refused", signer: Signer{Cert: wwdr.cert, Key: key, WWDR: wwdr.cert}, wantErr: "private key"},
		{name: "a signer without WWDR is refused", signer: Signer{Cert: devSigner.Cert, Key: key}, wantErr: "WWDR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			warning, err := Check(tc.signer, testPassTypeID, testTeamID, now)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Check = %v, want no error", err)
			case tc.wantErr != "" && (!errors.Is(err, ErrUnusableCertificate) || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Check = %v, want ErrUnusableCertificate about %q", err, tc.wantErr)
			}
			if (tc.wantWarning == "") != (warning == "") || !strings.Contains(warning, tc.wantWarning) {
				t.Errorf("warning %q, want one containing %q", warning, tc.wantWarning)
			}
		})
	}
}

func readDev(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(devFile(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
