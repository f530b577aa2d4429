package apple

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Apple's Security framework accepts a pass only when the signing certificate
// carries the Passbook signing marker extension and extended key usage, its
// subject's UID is the pass's passTypeIdentifier and its OU the pass's
// teamIdentifier, and it chains to Apple's root through the WWDR intermediate
// (tp_verifyPassbookSigningOpts in Apple's Security sources). iOS refuses
// anything else without a word to the user, so Check tests the same things
// but the last step: it checks the issuer is the WWDR certificate given, not
// that this chains to Apple's root, so that development chains pass too.
var (
	oidUID               = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oidPassSigningMarker = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 16}
	oidPassSigningEKU    = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 4, 14}
)

// oidWWDRMarker is the extension Apple puts on its WWDR intermediates;
// DevChain's stand-in carries it too.
var oidWWDRMarker = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 1}

// ErrUnusableCertificate reports a certificate that Wallet would refuse: one
// for another pass type or team, not a Pass Type ID certificate, not issued by
// the WWDR certificate given, or outside its validity.
var ErrUnusableCertificate = errors.New("pass certificate unusable")

// expiryWarning is how long before a certificate expires Check starts to
// warn, so that there is time to renew it in the developer portal.
const expiryWarning = 30 * 24 * time.Hour

// Signer holds what signs a pass: the Pass Type ID certificate, its private
// key and Apple's WWDR intermediate certificate that issued it.
type Signer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	WWDR *x509.Certificate
}

// LoadSigner reads a Signer from files: the pass certificate and the WWDR
// certificate in PEM (or, as Apple ships WWDR, DER) and the unencrypted
// private key in PEM (PKCS #8, PKCS #1 or SEC 1).
func LoadSigner(certPEMFile, keyPEMFile, wwdrPEMFile string) (Signer, error) {
	var contents [3][]byte
	for i, name := range []string{certPEMFile, keyPEMFile, wwdrPEMFile} {
		b, err := os.ReadFile(name)
		if err != nil {
			return Signer{}, fmt.Errorf("load pass signer: %w", err)
		}
		contents[i] = b
	}
	return ParseSigner(contents[0], contents[1], contents[2])
}

// ParseSigner reads a Signer from the contents of the three files that
// LoadSigner reads, as they come from a secret store. It checks that the key
// belongs to the certificate.
func ParseSigner(certPEM, keyPEM, wwdrPEM []byte) (Signer, error) {
	cert, err := parseCertificate(certPEM)
	if err != nil {
		return Signer{}, fmt.Errorf("parse pass certificate: %w", err)
	}
	wwdr, err := parseCertificate(wwdrPEM)
	if err != nil {
		return Signer{}, fmt.Errorf("parse WWDR certificate: %w", err)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return Signer{}, fmt.Errorf("parse pass key: %w", err)
	}
	s := Signer{Cert: cert, Key: key, WWDR: wwdr}
	if err := s.checkKey(); err != nil {
		return Signer{}, err
	}
	return s, nil
}

// parseCertificate takes the first CERTIFICATE block of a PEM file, skipping
// others (an openssl pkcs12 export puts the key in the same file), or reads
// the bytes as DER when they hold no PEM at all.
func parseCertificate(b []byte) (*x509.Certificate, error) {
	rest := b
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
	if len(rest) == len(b) {
		return x509.ParseCertificate(b)
	}
	return nil, errors.New("no CERTIFICATE block in PEM")
}

func parseKey(b []byte) (crypto.Signer, error) {
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no unencrypted private key block in PEM (decrypt it first, e.g. openssl pkcs12 -nodes)")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("a %T cannot sign", key)
		}
		return signer, nil
	}
}

func (s Signer) checkKey() error {
	if s.Cert == nil || s.Key == nil || s.WWDR == nil {
		return fmt.Errorf("%w: the certificate, its key and the WWDR certificate are all needed", ErrUnusableCertificate)
	}
	pub, ok := s.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(s.Key.Public()) {
		return fmt.Errorf("%w: the private key does not belong to the pass certificate", ErrUnusableCertificate)
	}
	return nil
}

// Check tells whether Wallet would accept passes signed by s for passTypeID
// and teamID at now. It returns an error wrapping ErrUnusableCertificate when
// it would not, and a warning (with a nil error) when the pass or WWDR
// certificate expires within 30 days.
func Check(s Signer, passTypeID, teamID string, now time.Time) (warning string, err error) {
	if err := s.checkIdentity(passTypeID, teamID); err != nil {
		return "", err
	}
	for _, c := range []struct {
		what string
		cert *x509.Certificate
	}{{"pass certificate", s.Cert}, {"WWDR certificate", s.WWDR}} {
		switch {
		case now.Before(c.cert.NotBefore):
			return "", fmt.Errorf("%w: the %s is not valid before %s", ErrUnusableCertificate, c.what, c.cert.NotBefore.UTC().Format(time.RFC3339))
		case now.After(c.cert.NotAfter):
			return "", fmt.Errorf("%w: the %s expired on %s", ErrUnusableCertificate, c.what, c.cert.NotAfter.UTC().Format(time.RFC3339))
		case warning == "" && c.cert.NotAfter.Sub(now) < expiryWarning:
			warning = fmt.Sprintf("passes issued after %s will fail to install: the %s expires then; renew it in the Apple developer portal",
				c.cert.NotAfter.UTC().Format(time.RFC3339), c.what)
		}
	}
	return warning, nil
}

// checkIdentity is the part of Check that does not depend on the date, which
// NewBuilder enforces so that a misconfigured program fails at start-up
// rather than with passes that iOS silently drops.
func (s Signer) checkIdentity(passTypeID, teamID string) error {
	if err := s.checkKey(); err != nil {
		return err
	}
	if uid := subjectUID(s.Cert); uid != passTypeID {
		return fmt.Errorf("%w: the certificate's UID is %q, not the pass type id %q; iOS refuses passes signed for another pass type", ErrUnusableCertificate, uid, passTypeID)
	}
	if !slices.Contains(s.Cert.Subject.OrganizationalUnit, teamID) {
		return fmt.Errorf("%w: the certificate's OU is %q, not the team id %q; iOS refuses passes signed for another team", ErrUnusableCertificate, s.Cert.Subject.OrganizationalUnit, teamID)
	}
	if !hasPassSigningUsage(s.Cert) {
		return fmt.Errorf("%w: %q is not a Pass Type ID certificate (no pass signing extension or extended key usage)", ErrUnusableCertificate, s.Cert.Subject.CommonName)
	}
	if err := s.Cert.CheckSignatureFrom(s.WWDR); err != nil {
		return fmt.Errorf("%w: the pass certificate was not issued by the WWDR certificate %q: %w", ErrUnusableCertificate, s.WWDR.Subject.CommonName, err)
	}
	return nil
}

func subjectUID(c *x509.Certificate) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oidUID) {
			if v, ok := n.Value.(string); ok {
				return v
			}
		}
	}
	return ""
}

func hasPassSigningUsage(c *x509.Certificate) bool {
	marker := slices.ContainsFunc(c.Extensions, func(e pkix.Extension) bool { return e.Id.Equal(oidPassSigningMarker) })
	usage := slices.ContainsFunc(c.UnknownExtKeyUsage, func(o asn1.ObjectIdentifier) bool { return o.Equal(oidPassSigningEKU) })
	return marker && usage
}

// Names of the files DevChain keeps in its directory.
const (
	devRootFile = "root.pem"
	devWWDRFile = "wwdr.pem"
	devCertFile = "pass.pem"
	devKeyFile  = "pass.key"
)

// DevChain returns a development Signer kept in dir. The first call writes
// root.pem (a root CA standing in for Apple's), wwdr.pem (an intermediate
// standing in for Apple's WWDR), pass.pem and pass.key (a Pass Type ID
// certificate for passTypeID and teamID, laid out like Apple's); later calls
// reuse them. The chain is made anew when a file is missing or when the pass
// certificate is for another pass type or team or expires within 30 days of
// now. Only the
// pass key is kept: the CA keys are thrown away, as nothing needs them again.
func DevChain(dir, passTypeID, teamID string, now time.Time) (Signer, error) {
	s, err := LoadSigner(filepath.Join(dir, devCertFile), filepath.Join(dir, devKeyFile), filepath.Join(dir, devWWDRFile))
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, devRootFile))
	}
	if err == nil {
		// A certificate about to expire is made anew too, so that a laptop
		// never hits the warning that production needs.
		if warning, err := Check(s, passTypeID, teamID, now); err == nil && warning == "" {
			return s, nil
		}
	}
	root, err := newRoot(now)
	if err != nil {
		return Signer{}, fmt.Errorf("dev chain: %w", err)
	}
	wwdr, err := root.issueWWDR(now)
	if err != nil {
		return Signer{}, fmt.Errorf("dev chain: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Signer{}, fmt.Errorf("dev chain: %w", err)
	}
	cert, err := wwdr.issuePass(key, passTypeID, teamID, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	if err != nil {
		return Signer{}, fmt.Errorf("dev chain: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Signer{}, fmt.Errorf("dev chain: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Signer{}, fmt.Errorf("dev chain: %w", err)
	}
	for _, f := range []struct {
		name, typ string
		der       []byte
		perm      os.FileMode
	}{
		{devRootFile, "CERTIFICATE", root.cert.Raw, 0o644},
		{devWWDRFile, "CERTIFICATE", wwdr.cert.Raw, 0o644},
		{devCertFile, "CERTIFICATE", cert.Raw, 0o644},
		{devKeyFile, "PRIVATE KEY", keyDER, 0o600},
	} {
		data := pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der})
		if err := os.WriteFile(filepath.Join(dir, f.name), data, f.perm); err != nil {
			return Signer{}, fmt.Errorf("dev chain: %w", err)
		}
	}
	return Signer{Cert: cert, Key: key, WWDR: wwdr.cert}, nil
}

// authority is a CA certificate with its key, able to issue certificates.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newRoot(now time.Time) (authority, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return authority{}, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Fidelio Development Root CA", Organization: []string{"Fidelio development"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	cert, err := issue(tmpl, authority{cert: tmpl, key: key}, key.Public())
	return authority{cert: cert, key: key}, err
}

// issueWWDR makes an intermediate like Apple's Worldwide Developer Relations
// CA, with the marker extension Apple puts on it.
func (a authority) issueWWDR(now time.Time) (authority, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return authority{}, err
	}
	null, err := asn1.Marshal(asn1.NullRawValue)
	if err != nil {
		return authority{}, err
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{
			CommonName:         "Fidelio Development Worldwide Developer Relations Certification Authority",
			OrganizationalUnit: []string{"G4"},
			Organization:       []string{"Fidelio development"},
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		IsCA:                  true,
		MaxPathLenZero:        true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtraExtensions:       []pkix.Extension{{Id: oidWWDRMarker, Value: null}},
	}
	cert, err := issue(tmpl, a, key.Public())
	return authority{cert: cert, key: key}, err
}

// issuePass makes a certificate laid out like Apple's Pass Type ID
// certificates: subject UID = pass type id, CN "Pass Type ID: <id>", OU =
// team id, the pass signing extended key usage and marker extension (whose
// value, as in Apple's, is the pass type id).
func (a authority) issuePass(key crypto.Signer, passTypeID, teamID string, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	marker, err := asn1.MarshalWithParams(passTypeID, "utf8")
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{
			CommonName:         "Pass Type ID: " + passTypeID,
			OrganizationalUnit: []string{teamID},
			Organization:       []string{"Fidelio development"},
			ExtraNames:         []pkix.AttributeTypeAndValue{{Type: oidUID, Value: passTypeID}},
		},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidPassSigningEKU},
		ExtraExtensions:       []pkix.Extension{{Id: oidPassSigningMarker, Value: marker}},
	}
	return issue(tmpl, a, key.Public())
}

// issue makes a certificate for pub from tmpl, signed by the authority by; a
// root is its own authority.
func issue(tmpl *x509.Certificate, by authority, pub crypto.PublicKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, by.cert, pub, by.key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
