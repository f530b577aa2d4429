package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
)

// The Wallet web service, under the pass's webServiceURL (<base>/wallet), as
// Apple's protocol defines it. Android wallets that speak the same protocol
// send AndroidPass or WalletUnionPass instead of ApplePass.

var (
	errPassUnauthorized = &clientError{http.StatusUnauthorized, "unauthorized", "the pass's authentication token is missing or wrong"}
	errUnknownPassType  = &clientError{http.StatusNotFound, "not_found", "this service does not issue passes of that type"}
	errRateLimited      = &clientError{http.StatusTooManyRequests, "rate_limited", "too many failed requests for this pass from this address; wait a minute"}
	errTooManyLogs      = &clientError{http.StatusTooManyRequests, "rate_limited", "too many log reports from this address; wait a minute"}
)

// passAuth checks the pass type, the serial's form and the Authorization of
// a request about a pass, in constant time, and answers the pass's serial.
// A correct token always passes; wrong ones count against the address and
// the pass together (failuresPerMinute), so failures of other passes behind
// the same address (a shop's or a carrier's NAT) never lock a pass.
func (a *App) passAuth(r *http.Request) (string, error) {
	if !a.servesPassType(r.PathValue("passTypeIdentifier")) {
		return "", errUnknownPassType
	}
	serial, err := pathMemberID(r, "serialNumber")
	if err != nil {
		return "", err
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch scheme {
	case "ApplePass", "AndroidPass", "WalletUnionPass":
		if a.Codes.VerifyMAC(signing.PurposePassToken, serial, strings.TrimSpace(token)) {
			return serial, nil
		}
	}
	if a.failures.add(r.RemoteAddr+" "+serial) > failuresPerMinute {
		return "", errRateLimited
	}
	return "", errPassUnauthorized
}

// servesPassType reports whether this service issues passes of type: Apple
// Wallet is on, for that pass type.
func (a *App) servesPassType(passType string) bool {
	ours := a.Wallets.ApplePassType
	return ours != "" && passType == ours
}

// passError answers a pass whose member is gone as unauthorized, as Apple's
// protocol has it; any other error is the store's, not the caller's.
func passError(err error) error {
	if errors.Is(err, loyalty.ErrMemberNotFound) {
		return errPassUnauthorized
	}
	return err
}

type pushTokenBody struct {
	PushToken string `json:"pushToken"`
}

// registerDevice: POST /wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}
// — a deleted account's pass is registered no more (401, as a pass whose
// member is gone).
func (a *App) registerDevice(r *http.Request) (reply, error) {
	serial, err := a.passAuth(r)
	if err != nil {
		return reply{}, err
	}
	device, err := pathDeviceID(r)
	if err != nil {
		return reply{}, err
	}
	var b pushTokenBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	if b.PushToken == "" || len(b.PushToken) > 200 {
		return reply{}, badRequest("invalid_request", "pushToken is required, at most 200 characters")
	}
	m, err := a.Store.Member(r.Context(), serial)
	if err != nil {
		return reply{}, passError(err)
	}
	if !m.ErasedAt.IsZero() {
		return reply{}, errPassUnauthorized // a deleted account's card changes no more
	}
	created, err := a.Store.Register(r.Context(), store.Registration{DeviceID: device, Serial: serial, PushToken: b.PushToken, CreatedAt: a.Program.Now()})
	if err != nil {
		return reply{}, err
	}
	if created {
		return reply{status: http.StatusCreated, raw: []byte{}}, nil
	}
	return reply{status: http.StatusOK, raw: []byte{}}, nil
}

// unregisterDevice: DELETE of the same path.
func (a *App) unregisterDevice(r *http.Request) (reply, error) {
	serial, err := a.passAuth(r)
	if err != nil {
		return reply{}, err
	}
	device, err := pathDeviceID(r)
	if err != nil {
		return reply{}, err
	}
	if err := a.Store.Unregister(r.Context(), device, serial); err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusOK, raw: []byte{}}, nil
}

// deviceSerials: GET /wallet/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}?passesUpdatedSince=
// — the device's passes changed since the tag, or 204. The tag
// (updateTag) holds each pass's card change time as the device last
// fetched it, so a change is judged per pass, never against a clock. A
// deleted account's pass is listed once more, then its registration ends
// (store.DeviceCards).
func (a *App) deviceSerials(r *http.Request) (reply, error) {
	if !a.servesPassType(r.PathValue("passTypeIdentifier")) {
		return reply{}, errUnknownPassType
	}
	device, err := pathDeviceID(r)
	if err != nil {
		return reply{}, err
	}
	seen, err := parseUpdateTag(r.URL.Query().Get("passesUpdatedSince"))
	if err != nil {
		return reply{}, badRequest("invalid_request", "passesUpdatedSince must be a lastUpdated tag from this service")
	}
	devCards, err := store.DeviceCards(r.Context(), a.Store, device)
	if err != nil {
		return reply{}, err
	}
	out := struct {
		SerialNumbers []string `json:"serialNumbers"`
		LastUpdated   string   `json:"lastUpdated"`
	}{SerialNumbers: []string{}}
	cards := make(map[string]time.Time, len(devCards))
	for _, card := range devCards {
		cards[card.Serial] = card.UpdatedAt
		if seen.Changed(card.Serial, card.UpdatedAt) {
			out.SerialNumbers = append(out.SerialNumbers, card.Serial)
		}
	}
	if len(out.SerialNumbers) == 0 {
		return reply{status: http.StatusNoContent, raw: []byte{}}, nil
	}
	out.LastUpdated = seen.Next(cards).String()
	return reply{body: out}, nil
}

// latestPass: GET /wallet/v1/passes/{passTypeIdentifier}/{serialNumber} —
// the current pass, or 304 when the phone's copy is as new.
func (a *App) latestPass(r *http.Request) (reply, error) {
	serial, err := a.passAuth(r)
	if err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, serial)
	if err != nil {
		return reply{}, passError(err)
	}
	modified := acct.Member.CardUpdatedAt.UTC().Truncate(time.Second)
	if since, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.After(since) {
		return reply{status: http.StatusNotModified, raw: []byte{}, header: http.Header{"Last-Modified": {modified.Format(http.TimeFormat)}}}, nil
	}
	pass, err := a.Cards.ApplePass(r.Context(), acct, rules, a.Program.Now())
	if err != nil {
		return reply{}, err
	}
	return binary(pass, applePassType, http.Header{"Last-Modified": {modified.Format(http.TimeFormat)}}), nil
}

type logBody struct {
	Logs []string `json:"logs"`
}

// What one address may make the Wallet log write, unauthenticated as it is:
// one record a request, of at most walletLogLines lines of at most
// walletLogLineBytes each, for at most walletLogsPerMinute requests. A
// request's body is bounded like every other (maxBody).
const (
	walletLogsPerMinute = 10
	walletLogLines      = 10
	walletLogLineBytes  = 512
)

// walletLog: POST /wallet/v1/log — what Wallet reports of its errors.
func (a *App) walletLog(r *http.Request) (reply, error) {
	var b logBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	if a.walletLogs.add(r.RemoteAddr) > walletLogsPerMinute {
		return reply{}, errTooManyLogs
	}
	lines := b.Logs[:min(len(b.Logs), walletLogLines)]
	for i, line := range lines {
		lines[i] = truncate(line, walletLogLineBytes)
	}
	a.Logger.WarnContext(r.Context(), "wallet log", slog.Any("messages", lines), slog.Int("dropped", len(b.Logs)-len(lines)), slog.String("requestId", requestID(r)))
	return reply{status: http.StatusOK, raw: []byte{}}, nil
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// minuteCounter counts events per key in one-minute windows, in one process
// (each Lambda instance counts on its own). It tracks at most
// maxCountedKeys keys a minute, so a flood of made-up keys cannot grow it
// without bound; keys past that are not counted.
type minuteCounter struct {
	mu    sync.Mutex
	start time.Time
	count map[string]int
}

// failuresPerMinute is how many wrong pass tokens an address may send for
// one pass in a minute; past it the answer is 429, telling the caller to
// stop. A correct token is checked first and always passes: guessing a
// 160-bit token is hopeless either way.
const (
	failuresPerMinute = 20
	maxCountedKeys    = 10000
)

// add counts an event of key and returns the key's count in this minute.
func (c *minuteCounter) add(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); now.Sub(c.start) > time.Minute || c.count == nil {
		c.start, c.count = now, map[string]int{}
	}
	if _, ok := c.count[key]; ok || len(c.count) < maxCountedKeys {
		c.count[key]++
	}
	return c.count[key]
}
