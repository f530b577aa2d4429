package wallet_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/store/dynamo"
	"github.com/fidelio/fidelio/shared/store/embedded"
	"github.com/fidelio/fidelio/shared/wallet"
	"github.com/fidelio/fidelio/shared/wallet/design"
	"github.com/fidelio/fidelio/shared/wallet/google"
	"github.com/fidelio/fidelio/shared/wallet/google/googletest"
)

// TestTheRulesOnTheStreamMoveTheGoogleClasses hands the pass updater, built
// as in AWS (no drawing, so no logo of its own), the record of rules saved
// with a new name: it moves every class to the name, naming the logo by the
// version it reads from the store. A record it cannot take is reported by
// its sequence number with those after it, and taken when handed over again.
func TestTheRulesOnTheStreamMoveTheGoogleClasses(t *testing.T) {
	const issuer, base = "3388000000022222228", "https://fidelio.example"
	ctx := context.Background()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "fidelio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	shopLogo, _ := design.PNG(design.Hero("gold", 1))
	if err := s.SaveLogo(ctx, shopLogo); err != nil {
		t.Fatal(err)
	}
	g := googletest.New(t, issuer)
	client, err := google.NewClient(ctx, issuer, g.URL, g.KeyJSON)
	if err != nil {
		t.Fatal(err)
	}
	logo := &failingLogo{Store: s, failures: 1}
	u := &wallet.Updater{Cards: &wallet.Cards{ProgramName: "Fidelio", PublicURL: base, Google: &wallet.GoogleWallet{Client: client}},
		Accounts: s, Logo: logo, Logger: slog.New(slog.DiscardHandler)}
	handle := u.HandleStream(dynamo.StreamMember, dynamo.StreamRules)

	saved := map[string]events.DynamoDBAttributeValue{
		"PK": events.NewStringAttribute("PROGRAM"), "SK": events.NewStringAttribute("RULES"),
		"data":    events.NewStringAttribute(`{"name":{"en":"Corner Rewards","fr":"Fidélité du Coin"}}`),
		"version": events.NewNumberAttribute("2"),
	}
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		{Change: events.DynamoDBStreamRecord{SequenceNumber: "1", NewImage: saved}},
		{Change: events.DynamoDBStreamRecord{SequenceNumber: "2"}},
	}}
	resp, err := handle(ctx, batch)
	if err != nil || len(resp.BatchItemFailures) != 2 || resp.BatchItemFailures[0].ItemIdentifier != "1" || resp.BatchItemFailures[1].ItemIdentifier != "2" {
		t.Fatalf("with the logo's version unread: %+v %v; want records 1 and 2 reported", resp, err)
	}
	if len(g.Classes) != 0 {
		t.Fatalf("classes written without the logo's version: %v", g.Classes)
	}
	if resp, err := handle(ctx, batch); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("handed over again: %+v %v", resp, err)
	}
	want := base + "/v1/wallet/images/logo.png?v=" + store.LogoVersion(shopLogo)
	for _, tier := range []string{"bronze", "silver", "gold", "platinum"} {
		cl := g.Class(issuer + ".fidelio-" + tier)
		source, _ := cl["programLogo"].(map[string]any)["sourceUri"].(map[string]any)
		if cl["programName"] != "Corner Rewards" || source["uri"] != want {
			t.Errorf("%s class names %q with logo %v; want Corner Rewards and %s", tier, cl["programName"], source["uri"], want)
		}
	}
}

// failingLogo fails its first reads of the logo's version.
type failingLogo struct {
	store.Store
	failures int
}

func (l *failingLogo) LogoVersion(ctx context.Context) (string, error) {
	if l.failures > 0 {
		l.failures--
		return "", errors.New("the table is busy")
	}
	return l.Store.LogoVersion(ctx)
}
