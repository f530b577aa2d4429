// Package remote completes a deployed function's configuration with what the
// deployment keeps outside the environment: the secret (Secrets Manager) and
// the public URL (an SSM parameter). Only the functions that need them link
// the two clients, and they call them when a request first needs them, not
// at start.
package remote

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

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
		params := ssm.NewFromConfig(cfg, func(o *ssm.Options) { o.BaseEndpoint = endpoint("SSM") })
		out, err := params.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(c.PublicURLParameter)})
		if err != nil {
			return c, fmt.Errorf("config: read the public URL from parameter %s: %w", c.PublicURLParameter, err)
		}
		c.PublicURL = strings.TrimRight(aws.ToString(out.Parameter.Value), "/")
	}
	// Checked before the secrets are fetched: what would make broken cards
	// is said first.
	if err := config.CheckPublicURL(c.PublicURL, c.SecretID != ""); err != nil {
		return c, err
	}
	if c.SecretID != "" {
		sm := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = endpoint("Secrets Manager") })
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(c.SecretID)})
		if err != nil {
			return c, fmt.Errorf("config: read secret %s: %w", c.SecretID, err)
		}
		if c.Secrets, err = config.ParseSecrets(c.SecretID, aws.ToString(out.SecretString)); err != nil {
			return c, err
		}
	}
	return c, c.Secrets.Validate()
}

func endpoint(serviceID string) *string {
	if e := awsenv.Endpoint(serviceID); e != "" {
		return aws.String(e)
	}
	return nil
}
