package google

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
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
	claims := jwt.MapClaims{
		"iss":     c.key.Email,
		"aud":     "google",
		"typ":     "savetowallet",
		"iat":     now.Unix(),
		"origins": origins,
		"payload": map[string]any{"loyaltyObjects": []map[string]string{{"id": objectID}}},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if c.key.KeyID != "" {
		tok.Header["kid"] = c.key.KeyID
	}
	signed, err := tok.SignedString(c.key.Key)
	if err != nil {
		return "", fmt.Errorf("google wallet: sign save link: %w", err)
	}
	return SaveURLPrefix + signed, nil
}

// IssuerID is the issuer the client acts as.
func (c *Client) IssuerID() string { return c.issuerID }
