package mail_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fidelio/fidelio/infra/coldstart"
	"github.com/fidelio/fidelio/shared/mail"
)

func TestComposeSpeaksTheMembersLanguage(t *testing.T) {
	for _, tc := range []struct{ kind, locale, subject, text string }{
		{"welcome", "fr-FR", "Bienvenue chez Café Lumière", "Bonjour Ada"},
		{"welcome", "en", "Welcome to Café Lumière", "Hello Ada"},
		{"sign-in", "fr", "Votre lien de connexion Café Lumière", "dans les 15 minutes"},
		{"sign-in", "", "Your sign-in link for Café Lumière", "within 15 minutes"},
		{"email-change", "fr", "Confirmez votre nouvel e-mail pour Café Lumière", "dans les 24 heures"},
		{"email-change", "en-GB", "Confirm your new email for Café Lumière", "within 24 hours"},
	} {
		m := mail.Compose(tc.kind, tc.locale, "ada@example.com", "Ada", "Café Lumière", "https://loyalty.example.com/me/link?x=1")
		if m.Subject != tc.subject || !strings.Contains(m.Text, tc.text) || !strings.Contains(m.Text, "https://loyalty.example.com/me/link?x=1") || m.Kind != tc.kind || m.To != "ada@example.com" {
			t.Errorf("%s in %q: %+v", tc.kind, tc.locale, m)
		}
	}
}

func TestOutboxKeepsMessagesNewestFirst(t *testing.T) {
	o := mail.Outbox{Dir: filepath.Join(t.TempDir(), "outbox")}
	if msgs, err := o.Messages(); err != nil || len(msgs) != 0 {
		t.Fatalf("an outbox never written lists %v, %v", msgs, err)
	}
	for _, to := range []string{"first@example.com", "second@example.com"} {
		if err := o.Send(context.Background(), mail.Compose("sign-in", "en", to, "Ada", "Fidelio", "http://x/me")); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := o.Messages()
	if err != nil || len(msgs) != 2 || msgs[0].To != "second@example.com" || msgs[1].To != "first@example.com" {
		t.Fatalf("outbox lists %+v, %v", msgs, err)
	}
	if err := o.Send(context.Background(), mail.Message{To: "<b>@example.com", Subject: "<script>x</script>", Kind: "sign-in"}); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	o.ServeHTTP(rec, httptest.NewRequest("GET", "/dev/outbox", nil))
	if body := rec.Body.String(); strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") || strings.Index(body, "&lt;b&gt;") > strings.Index(body, "second@example.com") {
		t.Errorf("the outbox page, newest first and escaped:\n%s", body)
	}
}

// TestSESSendsThroughSESv2 sends through moto_server's SES v2, signed as in
// AWS, and reads the message back from moto.
func TestSESSendsThroughSESv2(t *testing.T) {
	// moto_server, a Python program, takes over 30 s to start on a machine
	// whose cores are all busy.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	moto, err := coldstart.StartMoto(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { moto.Stop() })
	t.Setenv("AWS_REGION", "eu-west-3")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ENDPOINT_URL_SESV2", moto.URL)

	// Verifying the identity is moto's first SES call, which loads its
	// backend: slow on a busy machine, so not a send under its timeout.
	// moto takes the region from the credential's scope.
	req, _ := http.NewRequest("POST", moto.URL+"/v2/email/identities", strings.NewReader(`{"EmailIdentity":"loyalty@example.com"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261128/eu-west-3/ses/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto did not verify the identity: %s", resp.Status)
	}
	m := mail.Compose("sign-in", "fr", "ada@example.com", "Ada", "Café Lumière", "https://loyalty.example.com/me/link?x=1")
	if err := (mail.SES{From: "stranger@example.com"}).Send(ctx, m); err == nil || !strings.Contains(err.Error(), "400 MessageRejected") {
		t.Fatalf("sending as an identity SES has not verified: %v, want SES's refusal", err)
	}
	if err := (mail.SES{From: "loyalty@example.com"}).Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest("POST", moto.URL+"/", strings.NewReader(url.Values{"Action": {"GetSendQuota"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261128/eu-west-3/ses/aws4_request, SignedHeaders=host, Signature=0")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "<SentLast24Hours>1") {
		t.Errorf("moto's SES counts no message sent:\n%s", b)
	}
}
