// Package config reads a function's settings from its environment, once per
// cold start, without calling anything: what a deployment keeps in Secrets
// Manager and SSM is fetched by shared/config/remote when a request first
// needs it, so a function that needs no secret links no client for them.
package config

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Config is what the API functions need.
type Config struct {
	// Table is the DynamoDB table.
	Table string
	// DynamoDBEndpoint overrides DynamoDB's endpoint (DynamoDB Local); empty in AWS.
	DynamoDBEndpoint string
	// PublicURL is the API's base URL as clients reach it, for every link,
	// image and web service URL handed to Apple and Google. In AWS it is read
	// from the SSM parameter FIDELIO_PUBLIC_URL_PARAMETER names (template.yaml
	// writes the custom domain or the HttpApi's execute-api URL there: an
	// environment variable naming the HttpApi would be a circular
	// dependency), and must be absolute https; locally FIDELIO_PUBLIC_URL,
	// where http (the development setting) is allowed.
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
	// SecretID names the Secrets Manager secret holding the Secrets, and
	// PublicURLParameter the SSM parameter holding PublicURL, in a
	// deployment; both are empty locally.
	SecretID           string
	PublicURLParameter string
	// MailFrom is the address the program emails members from, through
	// Amazon SES; empty sends no email (the local stack has its outbox).
	MailFrom string
	Secrets
}

// Secrets are never logged. In AWS they come from one Secrets Manager secret
// (JSON with these field names); locally from the environment.
type Secrets struct {
	// AdminKey is the operator's bearer key, "fa_…".
	AdminKey string `json:"adminKey"`
	// CodeKeys sign member codes, as signing.NewSigner reads them.
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
var Deployed = []string{"FIDELIO_TABLE", "FIDELIO_SECRET_ID", "FIDELIO_PUBLIC_URL_PARAMETER", "FIDELIO_PROGRAM_NAME", "FIDELIO_PASS_TYPE_ID", "FIDELIO_TEAM_ID", "FIDELIO_GOOGLE_ISSUER_ID"}

// FromEnv reads the environment, and the files it names, and nothing else.
// In a deployment (FIDELIO_SECRET_ID set) the secrets and the public URL are
// fetched later (remote.Complete); locally they come from FIDELIO_ADMIN_KEY,
// FIDELIO_CODE_KEYS and FIDELIO_PUBLIC_URL.
func FromEnv() (Config, error) {
	c := Config{
		Table:              os.Getenv("FIDELIO_TABLE"),
		DynamoDBEndpoint:   os.Getenv("FIDELIO_DYNAMODB_ENDPOINT"),
		PublicURL:          strings.TrimRight(os.Getenv("FIDELIO_PUBLIC_URL"), "/"),
		ProgramName:        cmp.Or(os.Getenv("FIDELIO_PROGRAM_NAME"), "Fidelio"),
		PassTypeID:         os.Getenv("FIDELIO_PASS_TYPE_ID"),
		TeamID:             os.Getenv("FIDELIO_TEAM_ID"),
		GoogleIssuerID:     os.Getenv("FIDELIO_GOOGLE_ISSUER_ID"),
		GoogleAPIURL:       os.Getenv("FIDELIO_GOOGLE_API_URL"),
		SecretID:           os.Getenv("FIDELIO_SECRET_ID"),
		PublicURLParameter: os.Getenv("FIDELIO_PUBLIC_URL_PARAMETER"),
		MailFrom:           os.Getenv("FIDELIO_MAIL_FROM"),
		Secrets:            Secrets{AdminKey: os.Getenv("FIDELIO_ADMIN_KEY"), CodeKeys: os.Getenv("FIDELIO_CODE_KEYS")},
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
	if c.Table == "" {
		return c, fmt.Errorf("config: FIDELIO_TABLE is not set")
	}
	return c, nil
}

// CheckPublicURL refuses a public URL that would make broken cards: Google
// refuses links without a scheme, and Apple devices call an http
// webServiceURL only when set up for development. In a deployment the URL
// is required and must be absolute https; locally it may be http, or empty
// (the host each request came to).
func CheckPublicURL(s string, deployed bool) error {
	if s == "" && !deployed {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case s == "":
		return fmt.Errorf("config: no public URL (FIDELIO_PUBLIC_URL_PARAMETER names an empty parameter or none): cards need absolute https links")
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("config: public URL %q must be an absolute URL with a host and no query", s)
	case u.Scheme == "https", u.Scheme == "http" && !deployed:
		return nil
	}
	return fmt.Errorf("config: public URL %q must be https in a deployment (http only in the local development setting)", s)
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

// ParseSecrets reads the secret named id, JSON with the fields of Secrets and
// no other. Its errors never quote the secret.
func ParseSecrets(id, text string) (Secrets, error) {
	var s Secrets
	dec := json.NewDecoder(strings.NewReader(text))
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
