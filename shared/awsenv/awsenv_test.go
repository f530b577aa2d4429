package awsenv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/awsenv"
)

func TestTheConfigurationIsWhatLambdaSets(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-3")
	t.Setenv("AWS_DEFAULT_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	cfg, err := awsenv.Load()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-3" || creds.AccessKeyID != "ASIAEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Errorf("region %q, credentials %+v", cfg.Region, creds)
	}
}

func TestAMissingVariableIsNamed(t *testing.T) {
	for _, c := range []struct{ unset, want string }{
		{"AWS_REGION", "AWS_REGION"},
		{"AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"},
	} {
		t.Run(c.unset, func(t *testing.T) {
			t.Setenv("AWS_REGION", "eu-west-3")
			t.Setenv("AWS_DEFAULT_REGION", "")
			t.Setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
			t.Setenv(c.unset, "")
			if _, err := awsenv.Load(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %s", err, c.want)
			}
		})
	}
}

func TestAServiceEndpointComesFromTheSDKsVariables(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:2")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "")
	if got := awsenv.Endpoint("Secrets Manager"); got != "http://127.0.0.1:2" {
		t.Errorf("Secrets Manager: %q", got)
	}
	if got := awsenv.Endpoint("DynamoDB"); got != "http://127.0.0.1:1" {
		t.Errorf("DynamoDB falls back to AWS_ENDPOINT_URL: %q", got)
	}
}
