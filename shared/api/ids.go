package api

import (
	"net/http"
	"regexp"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Every id a request names is checked against its format before a store
// reads it: store keys have limits (DynamoDB's are 2,048 and 1,024 bytes),
// and a value that cannot be an id names nothing. A malformed id is a 400
// that says what form it takes, without repeating it; a well-formed one that
// names nothing is a 404.

// pathMemberID reads the member id in the path (a member's pass serial too).
func pathMemberID(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if !loyalty.IsID(id) {
		return "", badRequest("invalid_request", "the member id in the path must be the 26 letters and digits the program gave it")
	}
	return id, nil
}

// pathSlug reads an operator-chosen id (a charity's) in the path.
func pathSlug(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	return v, loyalty.ValidSlug(name, v)
}

// devicePattern is what a wallet's device library identifier may be made of:
// Apple's are 32 hex digits; other wallets use letters, digits and a few
// marks. Its length (1 to 200) is checked apart: a bounded repeat compiles to
// 200 copies of the class, 3 ms of every cold start.
var devicePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// pathDeviceID reads the device library identifier in a Wallet web service path.
func pathDeviceID(r *http.Request) (string, error) {
	id := r.PathValue("deviceLibraryIdentifier")
	if len(id) > 200 || !devicePattern.MatchString(id) {
		return "", badRequest("invalid_request", "the device library identifier must be 1 to 200 letters, digits, dots, dashes or underscores")
	}
	return id, nil
}
