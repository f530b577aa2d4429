package google

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2/google"

	"github.com/fidelio/fidelio/shared/metrics"
)

// scope is the one OAuth scope the Wallet objects API needs.
const scope = "https://www.googleapis.com/auth/wallet_object.issuer"

// DefaultAPIURL is Google's endpoint; tests point the client at their own.
const DefaultAPIURL = "https://walletobjects.googleapis.com"

var (
	// ErrNotFound is Google's 404 for a class or object.
	ErrNotFound = errors.New("google wallet: not found")
	// ErrExists is Google's 409 on insert.
	ErrExists = errors.New("google wallet: already exists")
	// ErrQuota is a 403 quotaExceeded (at most 3 notifying messages per card
	// and day): retrying cannot help, so it is never retried.
	ErrQuota = errors.New("google wallet: quota exceeded")
)

// Client calls the Google Wallet REST API as one issuer.
type Client struct {
	issuerID string
	apiURL   string
	http     *http.Client
	key      serviceAccount
	retries  int
	backoff  time.Duration
}

// NewClient reads a service account key (JSON). Tokens come from the key's
// own token_uri with the JWT bearer grant, so a test can point both the token
// endpoint and apiURL at its own server.
func NewClient(ctx context.Context, issuerID, apiURL string, keyJSON []byte) (*Client, error) {
	key, err := parseServiceAccount(keyJSON)
	if err != nil {
		return nil, err
	}
	jwtCfg, err := google.JWTConfigFromJSON(keyJSON, scope)
	if err != nil {
		return nil, fmt.Errorf("google wallet: service account key: %w", err)
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if issuerID == "" || strings.ContainsFunc(issuerID, func(r rune) bool { return r < '0' || r > '9' }) {
		return nil, fmt.Errorf("google wallet: issuer id %q must be the digits Google issued", issuerID)
	}
	hc := jwtCfg.Client(ctx)
	hc.Timeout = 10 * time.Second
	return &Client{issuerID: issuerID, apiURL: strings.TrimRight(apiURL, "/"), http: hc, key: key, retries: 4, backoff: 200 * time.Millisecond}, nil
}

// SetTimeout bounds each call, 10 seconds unless set.
func (c *Client) SetTimeout(d time.Duration) { c.http.Timeout = d }

// UpsertClass inserts a class, or updates it when it exists: the same call
// every start, whatever Google already has.
func (c *Client) UpsertClass(ctx context.Context, class LoyaltyClass) error {
	class.ReviewStatus = "UNDER_REVIEW"
	err := c.call(ctx, http.MethodPost, "/walletobjects/v1/loyaltyClass", class, nil)
	if errors.Is(err, ErrExists) {
		err = c.call(ctx, http.MethodPut, "/walletobjects/v1/loyaltyClass/"+class.ID, class, nil)
	}
	return err
}

// InsertObject inserts a member's card; a 409 means it is there already,
// and it is updated instead.
func (c *Client) InsertObject(ctx context.Context, obj LoyaltyObject) error {
	err := c.call(ctx, http.MethodPost, "/walletobjects/v1/loyaltyObject", obj, nil)
	if errors.Is(err, ErrExists) {
		return c.PatchObject(ctx, obj)
	}
	return err
}

// PatchObject updates what a member's card shows.
func (c *Client) PatchObject(ctx context.Context, obj LoyaltyObject) error {
	return c.call(ctx, http.MethodPatch, "/walletobjects/v1/loyaltyObject/"+obj.ID, obj, nil)
}

// AddMessage puts a message on a card and notifies the phone, unless its
// MessageType is "TEXT" (shown on the card, no notification).
func (c *Client) AddMessage(ctx context.Context, objectID string, m Message) error {
	if m.MessageType == "" {
		m.MessageType = "TEXT_AND_NOTIFY"
	}
	return c.call(ctx, http.MethodPost, "/walletobjects/v1/loyaltyObject/"+objectID+"/addMessage", AddMessageRequest{Message: m}, nil)
}

// call sends one request, retrying 429 and 5xx with a growing backoff.
func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	wait := c.backoff
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, c.apiURL+path, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			metrics.Emit(map[string]string{"Status": "error"}, metrics.Value{Name: "GoogleCalls", Unit: metrics.Count, Value: 1})
			return fmt.Errorf("google wallet: %s %s: %w", method, path, err)
		}
		metrics.Emit(map[string]string{"Status": strconv.Itoa(resp.StatusCode)}, metrics.Value{Name: "GoogleCalls", Unit: metrics.Count, Value: 1})
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch status := resp.StatusCode; {
		case status < 300:
			if out != nil {
				return json.Unmarshal(data, out)
			}
			return nil
		case status == http.StatusNotFound:
			return fmt.Errorf("%w: %s %s", ErrNotFound, method, path)
		case status == http.StatusConflict:
			return fmt.Errorf("%w: %s %s", ErrExists, method, path)
		case status == http.StatusForbidden && bytes.Contains(data, []byte("quotaExceeded")):
			return fmt.Errorf("%w: %s %s", ErrQuota, method, path)
		case (status == http.StatusTooManyRequests || status >= 500) && attempt < c.retries:
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		default:
			return fmt.Errorf("google wallet: %s %s: %d %s", method, path, status, strings.TrimSpace(string(data)))
		}
	}
}
