package loyalty

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// IdemKey is a caller's idempotency key within a scope: the same key in
// another scope is another key ("earn/<store>" with a receipt number, say).
type IdemKey struct {
	Scope string
	Key   string
}

// IsZero reports whether no key was given.
func (k IdemKey) IsZero() bool { return k.Key == "" }

// IdempotencyRecord remembers a completed request, written in the same commit
// as the change it made (after Powertools for AWS Lambda's idempotency
// records, minus the in-progress state: an atomic write leaves no window for
// one). The response is sealed with a key derived from the caller's key, which
// is itself stored only as a hash: only the caller who holds the key can read
// the answer back, so a stored answer never leaks a secret such as a token.
type IdempotencyRecord struct {
	Scope       string    `json:"scope"`
	KeyHash     string    `json:"keyHash"`
	RequestHash string    `json:"requestHash"`
	MemberID    string    `json:"memberId"`
	Sealed      []byte    `json:"sealed"`
	CreatedAt   time.Time `json:"createdAt"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// IdempotencyTTL is how long an answer can be replayed. A receipt stays
// protected against a second award for as long as its points can be spent.
const IdempotencyTTL = 400 * 24 * time.Hour

// record is the key's record of a request (reqHash) answered answer at
// now, by a change of memberID ("" for none).
func (k IdemKey) record(reqHash, memberID string, now time.Time, answer any) (IdempotencyRecord, error) {
	sealed, err := k.seal(answer)
	if err != nil {
		return IdempotencyRecord{}, err
	}
	return IdempotencyRecord{
		Scope: k.Scope, KeyHash: k.Hash(), RequestHash: reqHash, MemberID: memberID,
		Sealed: sealed, CreatedAt: now, ExpiresAt: now.Add(IdempotencyTTL),
	}, nil
}

// Hash is the address of the key's record.
func (k IdemKey) Hash() string { return digest("fidelio/idempotency/address", k.Scope, k.Key) }

func (k IdemKey) sealingKey() []byte {
	sum := sha256.Sum256([]byte("fidelio/idempotency/seal\x00" + k.Scope + "\x00" + k.Key))
	return sum[:]
}

// RequestHash fingerprints a request so that a replay with another body is told apart.
func RequestHash(parts ...any) string {
	b, err := json.Marshal(parts)
	if err != nil {
		panic(fmt.Sprintf("loyalty: request is not JSON-encodable: %v", err)) // a programming error
	}
	return digest("fidelio/idempotency/request", string(b))
}

func digest(domain string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(domain))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (k IdemKey) seal(v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal idempotent answer: %w", err)
	}
	gcm, err := newGCM(k.sealingKey())
	if err != nil {
		return nil, err
	}
	// The nonce only has to be unique; it decides nothing, so it need not be injected.
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal idempotent answer: %w", err)
	}
	return gcm.Seal(nonce, nonce, plain, nil), nil
}

func (k IdemKey) open(sealed []byte, v any) error {
	gcm, err := newGCM(k.sealingKey())
	if err != nil {
		return err
	}
	if len(sealed) < gcm.NonceSize() {
		return fmt.Errorf("open idempotent answer: too short")
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], nil)
	if err != nil {
		return fmt.Errorf("open idempotent answer: %w", err)
	}
	return json.Unmarshal(plain, v)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("idempotency cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
