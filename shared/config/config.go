// Package config reads a function's settings from its environment, once per
// cold start, and fetches its secrets from AWS Secrets Manager.
package config

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Config is what the API functions need.
type Config struct {
	// Table is the DynamoDB table.
	Table string
	// DynamoDBEndpoint overrides DynamoDB's endpoint (DynamoDB Local); empty in AWS.
	DynamoDBEndpoint string
	// PublicURL is the API's base URL as clients reach it, for the links it hands out.
	PublicURL string
	// ProgramName is the program's name on cards.
	ProgramName string
	// PassTypeID and TeamID are the Apple pass type identifier and developer
	// team the pass certificate was issued for.
	PassTypeID string
	TeamID     string
	// GoogleIssuerID is the Google Wallet issuer; GoogleAPIURL overrides
	// Google's endpoint (tests). Without an issuer Google Wallet is off.
	GoogleIssuerID string
	GoogleAPIURL   string
	Secrets
}

// Secrets are never logged. In AWS they come from one Secrets Manager secret
// (JSON with these field names); locally from the environment.
type Secrets struct {
	// AdminKey is the operator's bearer key, "fa_…".
	AdminKey string `json:"adminKey"`
	// CodeKeys sign member codes, as qrcode.NewSigner reads them.
	CodeKeys string `json:"codeKeys"`
	// The Apple pass certificate, its key and Apple's WWDR intermediate, in
	// PEM. Without them Apple Wallet is off.
	PassCert string `json:"passCert,omitempty"`
	PassKey  string `json:"passKey,omitempty"`
	WWDRCert string `json:"wwdrCert,omitempty"`
	// GoogleServiceAccount is the Google service account key (JSON).
	GoogleServiceAccount string `json:"googleServiceAccount,omitempty"`
}

// Deployed lists the variables template.yaml must set on every API function.
var Deployed = []string{"FIDELIO_TABLE", "FIDELIO_SECRET_ID", "FIDELIO_PUBLIC_URL", "FIDELIO_PROGRAM_NAME", "FIDELIO_PASS_TYPE_ID", "FIDELIO_TEAM_ID", "FIDELIO_GOOGLE_ISSUER_ID"}

// Load reads the environment. With FIDELIO_SECRET_ID set it reads the
// secrets from Secrets Manager; otherwise from FIDELIO_ADMIN_KEY and
// FIDELIO_CODE_KEYS (the local stack sets those).
func Load(ctx context.Context) (Config, error) {
	c := Config{
		Table:            os.Getenv("FIDELIO_TABLE"),
		DynamoDBEndpoint: os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"),
		PublicURL:        strings.TrimRight(os.Getenv("FIDELIO_PUBLIC_URL"), "/"),
		ProgramName:      cmp.Or(os.Getenv("FIDELIO_PROGRAM_NAME"), "Fidelio"),
		PassTypeID:       os.Getenv("FIDELIO_PASS_TYPE_ID"),
		TeamID:           os.Getenv("FIDELIO_TEAM_ID"),
		GoogleIssuerID:   os.Getenv("FIDELIO_GOOGLE_ISSUER_ID"),
		GoogleAPIURL:     os.Getenv("FIDELIO_GOOGLE_API_URL"),
		Secrets:          Secrets{AdminKey: os.Getenv("FIDELIO_ADMIN_KEY"), CodeKeys: os.Getenv("FIDELIO_CODE_KEYS")},
	}
	for field, env := range map[*string]string{&c.PassCert: "FIDELIO_PASS_CERT_FILE", &c.PassKey: "FIDELIO_PASS_KEY_FILE", &c.WWDRCert: "FIDELIO_WWDR_CERT_FILE", &c.GoogleServiceAccount: "FIDELIO_GOOGLE_SA_FILE"} {
		if path := os.Getenv(env); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return c, fmt.Errorf("config: %s: %w", env, err)
			}
			*field = string(b)
		}
	}
	if id := os.Getenv("FIDELIO_SECRET_ID"); id != "" {
		s, err := fetchSecrets(ctx, id)
		if err != nil {
			return c, err
		}
		c.Secrets = s
	}
	if c.Table == "" {
		return c, fmt.Errorf("config: FIDELIO_TABLE is not set")
	}
	return c, c.Secrets.Validate()
}

// AppleConfigured reports whether a pass certificate is configured.
func (s Secrets) AppleConfigured() bool {
	return s.PassCert != "" && s.PassKey != "" && s.WWDRCert != ""
}

// GoogleConfigured reports whether Google Wallet is configured.
func (c Config) GoogleConfigured() bool {
	return c.GoogleIssuerID != "" && c.GoogleServiceAccount != ""
}

// Validate checks that the secrets are present and well formed.
func (s Secrets) Validate() error {
	if !strings.HasPrefix(s.AdminKey, "fa_") || len(s.AdminKey) < 24 || len(s.AdminKey) > 256 {
		return fmt.Errorf("config: the admin key must start with fa_ and be 24 to 256 characters (the API refuses longer bearer tokens)")
	}
	if s.CodeKeys == "" {
		return fmt.Errorf("config: no member code keys (codeKeys in the secret, or FIDELIO_CODE_KEYS)")
	}
	return nil
}

func fetchSecrets(ctx context.Context, id string) (Secrets, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return Secrets{}, fmt.Errorf("config: AWS config: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return Secrets{}, fmt.Errorf("config: read secret %s: %w", id, err)
	}
	var s Secrets
	dec := json.NewDecoder(strings.NewReader(aws.ToString(out.SecretString)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		// A syntax error quotes the character it stopped at: a secret's.
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			err = fmt.Errorf("invalid JSON at byte %d", syntax.Offset)
		}
		return Secrets{}, fmt.Errorf("config: secret %s is not JSON with adminKey and codeKeys: %w", id, err)
	}
	return s, nil
}
