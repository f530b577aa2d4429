package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDeviceIDsAreOneTo200LettersDigitsAndMarks(t *testing.T) {
	for id, ok := range map[string]bool{
		"d41d8cd98f00b204e9800998ecf8427e": true,
		strings.Repeat("d", 200):           true,
		"a.b_c-D9":                         true,
		strings.Repeat("d", 201):           false,
		"":                                 false,
		"d~1":                              false,
		"dé":                               false,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("deviceLibraryIdentifier", id)
		if _, err := pathDeviceID(r); (err == nil) != ok {
			t.Errorf("%q: error %v, want accepted %v", id, err, ok)
		}
	}
}
