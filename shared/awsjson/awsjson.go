// Package awsjson calls one operation of an AWS JSON API (Secrets
// Manager, SSM, EventBridge, SQS), signed with the SDK's Signature Version 4
// signer. A service's SDK client would add its whole schema to every binary
// that links it (1.5 MB for two clients, built at package init, used or
// not); a function that makes one or two kinds of call needs none of it.
package awsjson

import (
	"bytes"
	"cmp"
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
)

// Operation is one operation of a JSON 1.1 API.
type Operation struct {
	ServiceID   string // the SDK's, which names its endpoint variable
	SigningName string // also the endpoint's first label
	Target      string // X-Amz-Target
	// Version is the protocol's, "1.1" when empty (SQS speaks "1.0").
	Version string
}

// Call posts in to op's endpoint (awsenv.Endpoint, else the region's),
// signed, and decodes the answer into out.
func Call(ctx context.Context, client *http.Client, cfg aws.Config, op Operation, in, out any) error {
	endpoint := awsenv.Endpoint(op.ServiceID)
	if endpoint == "" {
		suffix := "amazonaws.com"
		if strings.HasPrefix(cfg.Region, "cn-") {
			suffix = "amazonaws.com.cn"
		}
		endpoint = "https://" + op.SigningName + "." + cfg.Region + "." + suffix
	}
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-"+cmp.Or(op.Version, "1.1"))
	req.Header.Set("X-Amz-Target", op.Target)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), op.SigningName, cfg.Region, time.Now()); err != nil {
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
		return fmt.Errorf("%s answered %d %s: %s", op.Target, resp.StatusCode, name, e.Message)
	}
	return json.Unmarshal(answer, out)
}
