package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/fidelio/fidelio/shared/awsenv"
)

// SES sends through Amazon SES v2's SendEmail: one REST call signed with
// the SDK's Signature Version 4 signer, as shared/config/remote reads its
// secret, rather than the sesv2 client and its schemas in every binary that
// mails.
type SES struct {
	// From is the verified address or domain identity the program sends as.
	From string
}

// client bounds a send: a request waits at most this for its email.
var client = &http.Client{Timeout: 5 * time.Second}

func (s SES) Send(ctx context.Context, m Message) error {
	cfg, err := awsenv.Load()
	if err != nil {
		return fmt.Errorf("ses: %w", err)
	}
	endpoint := awsenv.Endpoint("SESv2")
	if endpoint == "" {
		endpoint = "https://email." + cfg.Region + ".amazonaws.com"
	}
	type content struct {
		Data    string
		Charset string
	}
	body, err := json.Marshal(map[string]any{
		"FromEmailAddress": s.From,
		"Destination":      map[string][]string{"ToAddresses": {m.To}},
		"Content": map[string]any{"Simple": map[string]any{
			"Subject": content{m.Subject, "UTF-8"},
			"Body":    map[string]content{"Text": {m.Text, "UTF-8"}},
		}},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/v2/email/outbound-emails", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("ses: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ses", cfg.Region, time.Now()); err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("ses: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		var e struct{ Message string } // json matches message and Message
		json.Unmarshal(answer, &e)
		return fmt.Errorf("ses: SendEmail answered %d %s: %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), e.Message)
	}
	return nil
}
