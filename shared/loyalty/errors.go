package loyalty

import (
	"errors"
	"fmt"
)

// Errors a caller can act on. The API maps each to one HTTP status and one
// stable problem code, in one place.
var (
	// ErrInvalid wraps every refusal of malformed input; its message says what to fix.
	ErrInvalid = errors.New("invalid request")
	// ErrInvalidBirthday is the ErrInvalid of a birthday that is not a past
	// day after 1900: a form shows it beside its birthday field.
	ErrInvalidBirthday    = fmt.Errorf("%w: birthday must be a past date after 1900", ErrInvalid)
	ErrMemberNotFound     = errors.New("member not found")
	ErrEntryNotFound      = errors.New("ledger entry not found")
	ErrEmailTaken         = errors.New("email already enrolled")
	ErrInsufficientPoints = errors.New("insufficient points")
	// ErrIdempotencyMismatch: a key was reused with a different request.
	ErrIdempotencyMismatch = errors.New("idempotency key reused with a different request")
	ErrNotReversible       = errors.New("only an earning or a redemption can be reversed")
	ErrAlreadyReversed     = errors.New("transaction already reversed")
	// ErrPointsLimit: the change would take an account past MaxPoints.
	ErrPointsLimit = errors.New("points limit reached")
	// ErrMemberBlocked: an operator blocked the member's card.
	ErrMemberBlocked = errors.New("member is blocked")
	// ErrMemberDeleted: the member deleted their account; what is left of it
	// is anonymous and serves no one.
	ErrMemberDeleted = errors.New("member deleted their account")
	// ErrAmountAboveMaximum: a receipt above the program's MaxPerReceipt.
	ErrAmountAboveMaximum = errors.New("amount above the maximum per receipt")
	// ErrConfirmationRequired: an amount above ConfirmAbove sent without
	// the cashier's confirmation.
	ErrConfirmationRequired = errors.New("confirmation required")
	// ErrBusy: the member's account kept changing under us; the caller may retry.
	ErrBusy = errors.New("account is busy, retry")
)

// Errors a Book returns from Commit when the posting was computed from state
// that changed meanwhile. Program retries on them; they never reach the API.
var (
	ErrVersionConflict = errors.New("member changed since it was read")
	ErrKeyTaken        = errors.New("idempotency key was committed concurrently")
)
