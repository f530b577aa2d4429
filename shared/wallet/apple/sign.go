package apple

import (
	"fmt"

	"github.com/smallstep/pkcs7"
)

// sign returns the detached PKCS #7 signature (DER) of manifest that Wallet
// checks: signed attributes with the signing time (which iOS has required
// since 6.1), the pass certificate and the WWDR certificate.
//
// The digest is SHA-256. Passes were long signed with SHA-1, the digest of
// Apple's first samples and of libraries still today, but SHA-1 is broken for
// signatures, and the command Apple documents for signing a pass (openssl
// smime -sign) has made SHA-256 signatures since OpenSSL 1.1.0, which Wallet
// accepts. The manifest itself keeps SHA-1 file hashes: that is its format.
func (s Signer) sign(manifest []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(manifest)
	if err != nil {
		return nil, fmt.Errorf("sign manifest: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	// AddSigner rather than AddSignerChain: the chain was checked once in
	// NewBuilder, and AddSignerChain would check it again for every pass.
	if err := sd.AddSigner(s.Cert, s.Key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("sign manifest: %w", err)
	}
	sd.AddCertificate(s.WWDR)
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("sign manifest: %w", err)
	}
	return der, nil
}
