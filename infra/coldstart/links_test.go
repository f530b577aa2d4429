package coldstart_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFunctionsLinkOnlyWhatTheyServe holds each lean function to what it may
// link: a job, the store alone (no card machinery, no secrets client, no
// API); the web function, the pages and the adapter (no API, no wallet); the
// till's, the members' and the operator's functions, the API without the
// cards. No function links the SDK's default configuration chain, a second
// HTTP/2 stack, nor the DynamoDB Streams client (Lambda reads the stream;
// only the local stack's follower does).
func TestFunctionsLinkOnlyWhatTheyServe(t *testing.T) {
	everywhere := []string{
		"github.com/aws/aws-sdk-go-v2/config",
		"golang.org/x/net/http2",
		// The client ("$": the SDK's attribute values import its types).
		"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams$",
	}
	cards := []string{
		"github.com/fidelio/fidelio/shared/wallet",
		// The cards' wiring ("$": that package, not apiwire below it).
		"github.com/fidelio/fidelio/shared/wire$",
		"github.com/smallstep/pkcs7",
		"golang.org/x/oauth2",
		"golang.org/x/image/font",
	}
	lean := append([]string{
		"github.com/fidelio/fidelio/shared/api",
		"github.com/fidelio/fidelio/shared/config/remote",
		"github.com/aws/aws-sdk-go-v2/service/secretsmanager",
		"github.com/aws/aws-sdk-go-v2/service/ssm",
	}, cards...)
	forbidden := map[string][]string{
		"birthdays": lean, "donations": lean, "expiry": lean, "tierreview": lean, "web": lean, "campaigns": lean,
		"segments": lean,
		// The staff function is wired by shared/wire/apiwire, without
		// shared/wire, the cards' wiring ("$": that package, not below it).
		"staff": {
			"github.com/fidelio/fidelio/shared/wallet$", "github.com/fidelio/fidelio/shared/wire$",
			"github.com/fidelio/fidelio/shared/wallet/apple", "github.com/fidelio/fidelio/shared/wallet/google",
			"github.com/fidelio/fidelio/shared/wallet/apns", "github.com/smallstep/pkcs7", "golang.org/x/oauth2",
		},
		// members and admin hand out the cards' links and save what cards
		// show, but draw, build and sign none: the cards function does.
		"members":        cards,
		"admin":          cards,
		"cards":          nil,
		"walletservice":  nil,
		"passupdater":    nil,
		"eventpublisher": nil,
	}
	for dir, own := range forbidden {
		t.Run(dir, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./functions/"+dir)
			cmd.Dir = root
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, pkg := range strings.Fields(string(out)) {
				for _, f := range append(own, everywhere...) {
					exact, isExact := strings.CutSuffix(f, "$")
					if pkg == exact || !isExact && strings.HasPrefix(pkg, f+"/") {
						t.Errorf("it links %s", pkg)
					}
				}
			}
		})
	}
}
