package coldstart_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFunctionsLinkOnlyWhatTheyServe holds each lean function to what it may
// link: a job, the store alone (no card machinery, no secrets client, no
// API); the web function, the pages and the adapter (no API, no wallet).
func TestFunctionsLinkOnlyWhatTheyServe(t *testing.T) {
	forbidden := []string{
		"github.com/fidelio/fidelio/shared/api",
		"github.com/fidelio/fidelio/shared/wallet",
		"github.com/fidelio/fidelio/shared/wire",
		"github.com/fidelio/fidelio/shared/config/remote",
		"github.com/aws/aws-sdk-go-v2/service/secretsmanager",
		"github.com/aws/aws-sdk-go-v2/service/ssm",
		"golang.org/x/net/http2",
		"github.com/smallstep/pkcs7",
		"golang.org/x/oauth2",
		"golang.org/x/image/font",
	}
	for _, dir := range []string{"birthdays", "donations", "expiry", "tierreview", "web"} {
		t.Run(dir, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./functions/"+dir)
			cmd.Dir = root
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, pkg := range strings.Fields(string(out)) {
				for _, f := range forbidden {
					if pkg == f || strings.HasPrefix(pkg, f+"/") {
						t.Errorf("it links %s", pkg)
					}
				}
			}
		})
	}
}
