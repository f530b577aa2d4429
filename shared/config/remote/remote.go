// Package remote completes a deployed function's configuration with what the
// deployment keeps outside the environment: the secret (Secrets Manager) and
// the public URL (an SSM parameter). Only the functions that draw cards call
// it, when a request first needs them, not at start.
//
// Each is one call of the service's JSON API, signed with the SDK's
// Signature Version 4 signer: the SDK's two clients would add 1.5 MB to every
// binary that links them (their schemas are built at package init, used or
// not), a tenth of a function, for two reads. A failed read is not retried
// here: the next request builds again (shared/lazy).
package remote

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

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/fidelio/fidelio/shared/awsenv"
	"github.com/fidelio/fidelio/shared/config"
)

// Complete fetches the public URL (when c names its parameter) and the
// secrets (when c names a secret), and refuses what would make broken cards
// or an API without keys (config.CheckPublicURL, Secrets.Validate). Locally,
// with neither named, it only checks c.
func Complete(ctx context.Context, c config.Config) (config.Config, error) {
	var cfg aws.Config
	if c.PublicURLParameter != "" || c.SecretID != "" {
		var err error
		if cfg, err = awsenv.Load(); err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
	}
	if c.PublicURLParameter != "" {
		var out struct{ Parameter struct{ Value string } }
		if err := call(ctx, cfg, ssm, map[string]string{"Name": c.PublicURLParameter}, &out); err != nil {
			return c, fmt.Errorf("config: read the public URL from parameter %s: %w", c.PublicURLParameter, err)
		}
		c.PublicURL = strings.TrimRight(out.Parameter.Value, "/")
	}
	// Checked before the secrets are fetched: what would make broken cards
	// is said first.
	if err := config.CheckPublicURL(c.PublicURL, c.SecretID != ""); err != nil {
		return c, err
	}
	if c.SecretID != "" {
		var out struct{ SecretString string }
		if err := call(ctx, cfg, secretsManager, map[string]string{"SecretId": c.SecretID}, &out); err != nil {
			return c, fmt.Errorf("config: read secret %s: %w", c.SecretID, err)
		}
		var err error
		if c.Secrets, err = config.ParseSecrets(c.SecretID, out.SecretString); err != nil {
			return c, err
		}
	}
	return c, c.Secrets.Validate()
}

// operation is one operation of a JSON 1.1 API.
type operation struct {
	serviceID   string // the SDK's, which names its endpoint variable
	signingName string // also the endpoint's first label
	target      string // X-Amz-Target
}

var (
	ssm            = operation{"SSM", "ssm", "AmazonSSM.GetParameter"}
	secretsManager = operation{"Secrets Manager", "secretsmanager", "secretsmanager.GetSecretValue"}
)

// client bounds a call: a build that waits longer holds its request.
var client = &http.Client{Timeout: 5 * time.Second}

// call posts in to op's endpoint, signed, and decodes the answer into out.
func call(ctx context.Context, cfg aws.Config, op operation, in, out any) error {
	endpoint := awsenv.Endpoint(op.serviceID)
	if endpoint == "" {
		suffix := "amazonaws.com"
		if strings.HasPrefix(cfg.Region, "cn-") {
			suffix = "amazonaws.com.cn"
		}
		endpoint = "https://" + op.signingName + "." + cfg.Region + "." + suffix
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", op.target)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), op.signingName, cfg.Region, time.Now()); err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		// The services name the error in __type (after a '#' when it is
		// qualified) and explain it in message or Message.
		var e struct {
			Type    string `json:"__type"`
			Message string // json matches message and Message
		}
		json.Unmarshal(answer, &e)
		_, name, _ := strings.Cut(e.Type, "#")
		if name == "" {
			name = e.Type
		}
		return fmt.Errorf("%s answered %d %s: %s", op.target, resp.StatusCode, name, e.Message)
	}
	return json.Unmarshal(answer, out)
}
