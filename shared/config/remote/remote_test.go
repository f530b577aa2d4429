package remote_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/config"
	"github.com/fidelio/fidelio/shared/config/remote"
)

const adminKey = "fa_0123456789abcdefghijklmn"

// fakeAWS answers GetParameter and GetSecretValue as SSM and Secrets Manager
// do, refusing a request that is not signed for the service it asks.
func fakeAWS(t *testing.T, secret string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in map[string]string
		json.Unmarshal(body, &in)
		auth := r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch target := r.Header.Get("X-Amz-Target"); {
		case r.Method != "POST" || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" || r.Header.Get("X-Amz-Date") == "":
			w.WriteHeader(http.StatusBadRequest)
		case target == "AmazonSSM.GetParameter" && strings.Contains(auth, "/eu-west-3/ssm/aws4_request") && in["Name"] == "/fidelio/test/public-url":
			json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]string{"Value": "https://loyalty.example.com/"}})
		case target == "secretsmanager.GetSecretValue" && strings.Contains(auth, "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/") && strings.Contains(auth, "/eu-west-3/secretsmanager/aws4_request") && in["SecretId"] == "fidelio/test":
			json.NewEncoder(w).Encode(map[string]string{"SecretString": secret})
		case target == "secretsmanager.GetSecretValue":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`))
		default:
			t.Errorf("unexpected call %s with %s, signed %s", target, body, auth)
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
}

func deployment(t *testing.T, endpoint string) config.Config {
	t.Setenv("AWS_REGION", "eu-west-3")
	t.Setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	return config.Config{Table: "fidelio-test", SecretID: "fidelio/test", PublicURLParameter: "/fidelio/test/public-url"}
}

func TestCompleteReadsTheParameterAndTheSecret(t *testing.T) {
	aws := fakeAWS(t, `{"adminKey":"`+adminKey+`","codeKeys":"K1:AAAA"}`)
	defer aws.Close()
	c, err := remote.Complete(t.Context(), deployment(t, aws.URL))
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://loyalty.example.com" || c.AdminKey != adminKey || c.CodeKeys != "K1:AAAA" {
		t.Errorf("%+v", c)
	}
}

func TestCompleteSaysWhatWentWrong(t *testing.T) {
	aws := fakeAWS(t, `{"adminKey":"`+adminKey+`"}`)
	defer aws.Close()
	c := deployment(t, aws.URL)
	if _, err := remote.Complete(t.Context(), c); err == nil || !strings.Contains(err.Error(), "codeKeys") {
		t.Errorf("a secret without code keys: %v", err)
	}
	c.SecretID = "fidelio/other"
	_, err := remote.Complete(t.Context(), c)
	if err == nil || !strings.Contains(err.Error(), "read secret fidelio/other") || !strings.Contains(err.Error(), "ResourceNotFoundException: Secrets Manager can't find") {
		t.Errorf("a secret that does not exist: %v", err)
	}
	c.PublicURLParameter = ""
	if _, err := remote.Complete(t.Context(), c); err == nil || !strings.Contains(err.Error(), "no public URL") {
		t.Errorf("a deployment without a public URL: %v", err)
	}
}
