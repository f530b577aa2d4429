// Package remote completes a deployed function's configuration with what the
// deployment keeps outside the environment: the secret (Secrets Manager) and
// the public URL (an SSM parameter). Only the functions that draw cards call
// it, when a request first needs them, not at start.
//
// Each is one call of the service's JSON API (shared/awsjson), not the
// SDK's clients, which would add 1.5 MB to every binary that links them, a
// tenth of a function, for two reads. A failed read is not retried
// here: the next request builds again (shared/lazy).
package remote

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fidelio/fidelio/shared/awsenv"
	"github.com/fidelio/fidelio/shared/awsjson"
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
		if err := awsjson.Call(ctx, client, cfg, ssm, map[string]string{"Name": c.PublicURLParameter}, &out); err != nil {
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
		if err := awsjson.Call(ctx, client, cfg, secretsManager, map[string]string{"SecretId": c.SecretID}, &out); err != nil {
			return c, fmt.Errorf("config: read secret %s: %w", c.SecretID, err)
		}
		var err error
		if c.Secrets, err = config.ParseSecrets(c.SecretID, out.SecretString); err != nil {
			return c, err
		}
	}
	return c, c.Secrets.Validate()
}

var (
	ssm            = awsjson.Operation{ServiceID: "SSM", SigningName: "ssm", Target: "AmazonSSM.GetParameter"}
	secretsManager = awsjson.Operation{ServiceID: "Secrets Manager", SigningName: "secretsmanager", Target: "secretsmanager.GetSecretValue"}
)

// client bounds a call: a build that waits longer holds its request.
var client = &http.Client{Timeout: 5 * time.Second}
