package google

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"
)

// serviceAccount is the part of a service account key the save link needs.
type serviceAccount struct {
	Email string
	Key   *rsa.PrivateKey
	KeyID string
}

func parseServiceAccount(keyJSON []byte) (serviceAccount, error) {
	var f struct {
		ClientEmail  string `json:"client_email"`
		PrivateKey   string `json:"private_key"`
		PrivateKeyID string `json:"private_key_id"`
	}
	if err := json.Unmarshal(keyJSON, &f); err != nil {
		return serviceAccount{}, fmt.Errorf("google wallet: service account key is not JSON: %w", err)
	}
	block, _ := pem.Decode([]byte(f.PrivateKey))
	if f.ClientEmail == "" || block == nil {
		return serviceAccount{}, fmt.Errorf("google wallet: service account key has no client_email or private_key")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return serviceAccount{}, fmt.Errorf("google wallet: private_key: %w", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return serviceAccount{}, fmt.Errorf("google wallet: private_key is not an RSA key")
	}
	return serviceAccount{Email: f.ClientEmail, Key: key, KeyID: f.PrivateKeyID}, nil
}

// SaveURLPrefix is where a save link points.
const SaveURLPrefix = "https://pay.google.com/gp/v/save/"

// SaveURL is the "Save to Google Wallet" link of an object that was inserted
// beforehand: a "skinny" JWT naming only the object's id, which keeps the link
// far below the 1,800 characters some browsers cut URLs at.
func (c *Client) SaveURL(objectID string, origins []string, now time.Time) (string, error) {
	header := map[string]string{"alg": "RS256", "typ": "JWT"}
	if c.key.KeyID != "" {
		header["kid"] = c.key.KeyID
	}
	claims := map[string]any{
		"iss":     c.key.Email,
		"aud":     "google",
		"typ":     "savetowallet",
		"iat":     now.Unix(),
		"origins": origins,
		"payload": map[string]any{"loyaltyObjects": []map[string]string{{"id": objectID}}},
	}
	signed, err := signRS256(header, claims, c.key.Key)
	if err != nil {
		return "", fmt.Errorf("google wallet: sign save link: %w", err)
	}
	return SaveURLPrefix + signed, nil
}

// signRS256 is a JWT (RFC 7519) signed with RSASSA-PKCS1-v1_5 and SHA-256,
// the one algorithm Google takes for a save link. It is written here rather
// than taken from a JWT library, whose start registers every algorithm (ECDSA,
// EdDSA, RSA-PSS) in each function that links the cards.
func signRS256(header map[string]string, claims map[string]any, key *rsa.PrivateKey) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64.EncodeToString(sig), nil
}

// IssuerID is the issuer the client acts as.
func (c *Client) IssuerID() string { return c.issuerID }
