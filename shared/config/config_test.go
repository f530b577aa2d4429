package config

import (
	"strings"
	"testing"
)

func TestCheckPublicURL(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		deployed bool
		wantErr  string
	}{
		{"a custom domain in a deployment", "https://loyalty.example.com", true, ""},
		{"the execute-api URL in a deployment", "https://abc123.execute-api.eu-west-3.amazonaws.com", true, ""},
		{"http in a deployment is refused", "http://loyalty.example.com", true, "must be https"},
		{"no URL in a deployment is refused", "", true, "no public URL"},
		{"a bare path is refused", "/", true, "absolute URL"},
		{"a URL without a scheme is refused", "loyalty.example.com", true, "absolute URL"},
		{"a query is refused", "https://loyalty.example.com?x=1", true, "no query"},
		{"http locally, the development setting", "http://127.0.0.1:8080", false, ""},
		{"no URL locally: the request's host", "", false, ""},
		{"another scheme locally is refused", "ftp://127.0.0.1", false, "must be https"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPublicURL(tc.url, tc.deployed)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("CheckPublicURL(%q, %v) = %v, want %q", tc.url, tc.deployed, err, tc.wantErr)
			}
		})
	}
}

func TestFromEnvReadsTheEnvironmentAlone(t *testing.T) {
	t.Setenv("FIDELIO_TABLE", "fidelio-test")
	t.Setenv("FIDELIO_SECRET_ID", "arn:aws:secretsmanager:eu-west-3:123456789012:secret:fidelio")
	t.Setenv("FIDELIO_PUBLIC_URL_PARAMETER", "/fidelio/test/public-url")
	// No AWS region or credentials: a call to AWS would fail.
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Table != "fidelio-test" || c.SecretID == "" || c.PublicURLParameter != "/fidelio/test/public-url" || c.AdminKey != "" {
		t.Errorf("%+v", c)
	}
	t.Setenv("FIDELIO_TABLE", "")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "FIDELIO_TABLE") {
		t.Errorf("no table: %v", err)
	}
}

func TestParseSecretsNeverQuotesTheSecret(t *testing.T) {
	const key = "fa_0123456789abcdefghijklmn"
	if s, err := ParseSecrets("s", `{"adminKey":"`+key+`","codeKeys":"K1:AAAA"}`); err != nil || s.AdminKey != key || s.Validate() != nil {
		t.Fatalf("%+v, %v", s, err)
	}
	_, err := ParseSecrets("fidelio/s", "adminKey="+key)
	if err == nil || !strings.Contains(err.Error(), "fidelio/s is not JSON") || strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "'a'") {
		t.Errorf("%v", err)
	}
}
