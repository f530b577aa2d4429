package googletest

import (
	"strings"
	"testing"

	// google.golang.org/api ships the discovery document the stand-in reads.
	// Importing its smallest package here keeps the module in go.mod (go mod
	// tidy keeps what tests import) while nothing but tests links it.
	_ "google.golang.org/api/googleapi"
)

func mustSchemas(t *testing.T) schemas {
	t.Helper()
	s, err := loadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// body decodes JSON as the server does.
func body(t *testing.T, js string) map[string]any {
	t.Helper()
	b, err := decodeBody(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	validClass = `{"id":"3388000000022.fidelio-gold","issuerName":"Fidelio Coffee","programName":"Fidelio Coffee",
		"programLogo":{"sourceUri":{"uri":"https://api.fidelio.test/v1/wallet/images/logo.png"}},
		"hexBackgroundColor":"#bf953f","reviewStatus":"UNDER_REVIEW"}`
	validObject = `{"id":"3388000000022.01J9Z3F4QK8W6T2N5R7Y0X1B3C","classId":"3388000000022.fidelio-gold","state":"ACTIVE",
		"accountId":"7Y0X 1B3C","accountName":"Ada Lovelace",
		"loyaltyPoints":{"label":"Points","balance":{"int":0}},
		"barcode":{"type":"QR_CODE","value":"F1.K1.X","alternateText":"7Y0X 1B3C"},
		"textModulesData":[{"id":"tier","header":"Tier","body":"Gold",
			"localizedHeader":{"defaultValue":{"language":"en","value":"Tier"},"translatedValues":[{"language":"fr","value":"Niveau"}]}}],
		"linksModuleData":{"uris":[{"id":"member-page","uri":"https://api.fidelio.test/","description":"Your member page"}]}}`
	validMessage = `{"message":{"id":"tier-gold-1","header":"Welcome to Gold","body":"Your card is now Gold.","messageType":"TEXT_AND_NOTIFY"}}`
)

func TestTheDiscoveryDocumentAcceptsWhatGoogleAccepts(t *testing.T) {
	s := mustSchemas(t)
	for _, tc := range []struct{ name, schema, body string }{
		{"a loyalty class", "LoyaltyClass", validClass},
		{"a loyalty object, localized text included", "LoyaltyObject", validObject},
		{"a notifying message", "AddMessageRequest", validMessage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Check(tc.schema, body(t, tc.body), true); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("a patch need not carry the required fields", func(t *testing.T) {
		if err := s.Check("LoyaltyObject", body(t, `{"loyaltyPoints":{"balance":{"int":12}}}`), false); err != nil {
			t.Error(err)
		}
	})
}

func TestTheDiscoveryDocumentRefusesWhatGoogleRefuses(t *testing.T) {
	s := mustSchemas(t)
	for _, tc := range []struct {
		name, schema, from, to, want string
	}{
		{"an unknown name", "LoyaltyObject", `"state":"ACTIVE",`, `"state":"ACTIVE","colour":"red",`, `Unknown name "colour"`},
		{"an unknown name in a list", "LoyaltyObject", `"header":"Tier",`, `"heading":"Tier",`, `Unknown name "heading"`},
		{"a number for a string", "LoyaltyObject", `"accountName":"Ada Lovelace"`, `"accountName":1815`, "accountName"},
		{"a string for an integer", "LoyaltyObject", `{"int":0}`, `{"int":"zero"}`, "balance.int"},
		{"a balance beyond an int32", "LoyaltyObject", `{"int":0}`, `{"int":2147483648}`, "TYPE_INT32"},
		{"a balance in two forms", "LoyaltyObject", `{"int":0}`, `{"int":0,"string":"0"}`, "exactly one of"},
		{"a state outside the enum", "LoyaltyObject", `"state":"ACTIVE"`, `"state":"ENABLED"`, "state"},
		{"a barcode type outside the enum", "LoyaltyObject", `"type":"QR_CODE"`, `"type":"QR"`, "barcode.type"},
		{"an object without its class", "LoyaltyObject", `"classId":"3388000000022.fidelio-gold",`, ``, "classId' is required"},
		{"a link without a scheme", "LoyaltyObject", `"uri":"https://api.fidelio.test/"`, `"uri":"/"`, "URIs must have a scheme"},
		{"a class without its logo", "LoyaltyClass", `"programLogo":{"sourceUri":{"uri":"https://api.fidelio.test/v1/wallet/images/logo.png"}},`, ``, "programLogo' is required"},
		{"an image without a scheme", "LoyaltyClass", `https://api.fidelio.test/v1/wallet/images/logo.png`, `api.fidelio.test/logo.png`, "URIs must have a scheme"},
		{"a review status outside the enum", "LoyaltyClass", `"UNDER_REVIEW"`, `"PENDING"`, "reviewStatus"},
		{"a message type outside the enum", "AddMessageRequest", `"TEXT_AND_NOTIFY"`, `"NOTIFY"`, "messageType"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			valid := map[string]string{"LoyaltyClass": validClass, "LoyaltyObject": validObject, "AddMessageRequest": validMessage}[tc.schema]
			if !strings.Contains(valid, tc.from) {
				t.Fatalf("%q is not in the valid %s", tc.from, tc.schema)
			}
			err := s.Check(tc.schema, body(t, strings.Replace(valid, tc.from, tc.to, 1)), true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check = %v, want an error saying %s", err, tc.want)
			}
		})
	}
}
