package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
	"github.com/fidelio/fidelio/shared/store"
)

// problem is an RFC 9457 problem detail with a stable code.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// clientError is an error of the request itself, found by the API layer.
type clientError struct {
	status int
	code   string
	detail string
}

func (e *clientError) Error() string { return e.detail }

func badRequest(code, detail string) error { return &clientError{http.StatusBadRequest, code, detail} }

var (
	errNoRoute         = &clientError{http.StatusNotFound, "not_found", "no such route"}
	errUnauthorized    = &clientError{http.StatusUnauthorized, "unauthorized", "a valid bearer token is required"}
	errForbidden       = &clientError{http.StatusForbidden, "forbidden", "this token may not do that"}
	errRoleForbidden   = &clientError{http.StatusForbidden, "forbidden", "this operator key's role may not do that"}
	errKeyRequired     = &clientError{http.StatusBadRequest, "idempotency_key_required", "this request needs an Idempotency-Key header (1 to 64 printable characters)"}
	errUnsupportedType = &clientError{http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json"}
	errTooLarge        = &clientError{http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than 16 KiB"}
	errUnreadable      = &clientError{http.StatusBadRequest, "invalid_request", "the request's method, path or body could not be read"}
)

// domainProblems maps each domain error to its status and code, in one place.
var domainProblems = []struct {
	err    error
	status int
	code   string
}{
	{loyalty.ErrInvalidBirthday, http.StatusBadRequest, "invalid_birthday"}, // before ErrInvalid, which it wraps
	{loyalty.ErrInvalid, http.StatusBadRequest, "invalid_request"},
	{signing.ErrInvalidCode, http.StatusBadRequest, "invalid_code"},
	{loyalty.ErrMemberNotFound, http.StatusNotFound, "member_not_found"},
	{loyalty.ErrEntryNotFound, http.StatusNotFound, "transaction_not_found"},
	{loyalty.ErrRewardNotFound, http.StatusNotFound, "reward_not_found"},
	{loyalty.ErrCharityNotFound, http.StatusNotFound, "charity_not_found"},
	{loyalty.ErrShopNotFound, http.StatusNotFound, "store_not_found"},
	{loyalty.ErrStaffKeyNotFound, http.StatusNotFound, "staff_key_not_found"},
	{loyalty.ErrOperatorKeyNotFound, http.StatusNotFound, "operator_key_not_found"},
	{loyalty.ErrWebhookNotFound, http.StatusNotFound, "webhook_not_found"},
	{loyalty.ErrCampaignNotFound, http.StatusNotFound, "campaign_not_found"},
	{loyalty.ErrPromotionNotFound, http.StatusNotFound, "promotion_not_found"},
	{loyalty.ErrPromotionExists, http.StatusConflict, "promotion_exists"},
	{loyalty.ErrCharityArchived, http.StatusConflict, "charity_archived"},
	{loyalty.ErrEmailTaken, http.StatusConflict, "email_taken"},
	{loyalty.ErrUnknownReferralCode, http.StatusUnprocessableEntity, "unknown_referral_code"},
	{loyalty.ErrSelfReferral, http.StatusUnprocessableEntity, "self_referral"},
	{loyalty.ErrInsufficientPoints, http.StatusConflict, "insufficient_points"},
	{loyalty.ErrPointsLimit, http.StatusConflict, "points_limit"},
	{loyalty.ErrNotReversible, http.StatusConflict, "not_reversible"},
	{loyalty.ErrAlreadyReversed, http.StatusConflict, "already_reversed"},
	{loyalty.ErrWrongStore, http.StatusForbidden, "other_store"},
	{loyalty.ErrRefundExceedsRemaining, http.StatusUnprocessableEntity, "refund_exceeds_remaining"},
	{loyalty.ErrUndoWindowPassed, http.StatusConflict, "undo_window_passed"},
	{loyalty.ErrMemberBlocked, http.StatusConflict, "member_blocked"},
	{loyalty.ErrMemberDeleted, http.StatusGone, "member_deleted"},
	{loyalty.ErrRewardUnavailable, http.StatusConflict, "reward_unavailable"},
	{loyalty.ErrTierTooLow, http.StatusConflict, "tier_too_low"},
	{loyalty.ErrInvalidSegment, http.StatusUnprocessableEntity, "invalid_segment"},
	{loyalty.ErrAmountAboveMaximum, http.StatusUnprocessableEntity, "amount_above_maximum"},
	{loyalty.ErrConfirmationRequired, http.StatusConflict, "confirmation_required"},
	{loyalty.ErrIdempotencyMismatch, http.StatusUnprocessableEntity, "idempotency_key_reused"},
	{loyalty.ErrBusy, http.StatusServiceUnavailable, "busy"},
	{jobs.ErrFutureRun, http.StatusBadRequest, "run_in_future"},
}

// writeProblem answers err as problem+json and returns the status.
func (a *App) writeProblem(w http.ResponseWriter, r *http.Request, err error) int {
	p := problem{Status: http.StatusInternalServerError, Code: "internal", Detail: "something went wrong on our side; it has been logged"}
	var ce *clientError
	switch {
	case errors.As(err, &ce):
		p.Status, p.Code, p.Detail = ce.status, ce.code, ce.detail
	case errors.Is(err, store.ErrSchemaTooNew):
		// Every request fails the same way until the right version is deployed.
		p.Status, p.Code, p.Detail = http.StatusServiceUnavailable, "schema_too_new", "this service cannot read its data until a later version of it is deployed"
		a.Logger.ErrorContext(r.Context(), "cannot serve: the table is newer than this build", slog.String("error", err.Error()), slog.String("requestId", requestID(r)))
	case errors.Is(err, store.ErrUnavailable):
		// The store's own words are for the log, not for the client.
		p.Status, p.Code, p.Detail = http.StatusServiceUnavailable, "unavailable", store.ErrUnavailable.Error()
		a.Logger.WarnContext(r.Context(), "store unavailable", slog.String("error", err.Error()), slog.String("requestId", requestID(r)))
	default:
		for _, dp := range domainProblems {
			if errors.Is(err, dp.err) {
				p.Status, p.Code, p.Detail = dp.status, dp.code, err.Error()
				break
			}
		}
	}
	if p.Status >= 500 && p.Code == "internal" {
		a.Logger.ErrorContext(r.Context(), "request failed", slog.String("error", err.Error()), slog.String("requestId", requestID(r)))
	}
	p.Title = http.StatusText(p.Status)
	p.Type = "https://fidelio.dev/problems/" + strings.ReplaceAll(p.Code, "_", "-")
	switch p.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="fidelio"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	encodeJSON(w, p)
	return p.Status
}
