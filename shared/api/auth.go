package api

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
)

type role int

const (
	roleMember role = iota + 1
	roleStaff
	roleAdmin
)

// principal is who made a request.
type principal struct {
	role     role
	memberID string           // roleMember
	staff    loyalty.StaffKey // roleStaff
}

// actor names the principal in the ledger.
func (p principal) actor() string {
	switch p.role {
	case roleStaff:
		return "staff:" + p.staff.StoreID + "/" + p.staff.ID
	case roleAdmin:
		return "admin"
	}
	return "member:" + p.memberID
}

// maxToken bounds a bearer token: the longest one is the admin key, which
// config holds to this too.
const maxToken = 256

// secretPattern is the form of a token's secret (loyalty.IDs.Secret).
var secretPattern = regexp.MustCompile(`^[a-z0-9]{32}$`)

// authenticate reads the bearer token. Its prefix says its kind: fm_ member,
// fs_ staff, fa_ admin; member and staff tokens carry their record's id, so
// one read finds the hash to compare (in constant time). An unknown id and
// a wrong secret get the same answer, and so does a token of another form,
// which no store call ever sees.
func (a *App) authenticate(r *http.Request) (principal, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(token) > maxToken {
		return principal{}, errUnauthorized
	}
	kind, rest, _ := strings.Cut(strings.TrimSpace(token), "_")
	id, secret, _ := strings.Cut(rest, "_")
	if kind != "fa" && (!loyalty.IsID(id) || !secretPattern.MatchString(secret)) {
		return principal{}, errUnauthorized
	}
	switch kind {
	case "fa":
		if loyalty.SecretMatches(token, a.AdminKeyHash) {
			return principal{role: roleAdmin}, nil
		}
	case "fm":
		m, err := a.Store.Member(r.Context(), id)
		if err != nil && !errors.Is(err, loyalty.ErrMemberNotFound) {
			return principal{}, err // the store failed: not the caller's fault
		}
		if err == nil && loyalty.SecretMatches(token, m.TokenHash) {
			return principal{role: roleMember, memberID: m.ID}, nil
		}
	case "fs":
		k, err := a.Store.StaffKey(r.Context(), id)
		if err != nil && !errors.Is(err, loyalty.ErrStaffKeyNotFound) {
			return principal{}, err
		}
		if err == nil && loyalty.SecretMatches(token, k.Hash) {
			return principal{role: roleStaff, staff: k}, nil
		}
	}
	return principal{}, errUnauthorized
}

// require authenticates the request and checks its role is one of roles.
func (a *App) require(r *http.Request, roles ...role) (principal, error) {
	p, err := a.authenticate(r)
	if err != nil {
		return p, err
	}
	for _, want := range roles {
		if p.role == want {
			return p, nil
		}
	}
	return p, errForbidden
}

// requireMemberAccess lets a member read their own account, and staff and
// admins read any.
func (a *App) requireMemberAccess(r *http.Request, memberID string) (principal, error) {
	p, err := a.require(r, roleMember, roleStaff, roleAdmin)
	if err == nil && p.role == roleMember && p.memberID != memberID {
		return p, errForbidden
	}
	return p, err
}

// idempotencyKey reads the Idempotency-Key header; required says whether a
// missing one is an error.
func idempotencyKey(r *http.Request, scope string, required bool) (loyalty.IdemKey, error) {
	k := r.Header.Get("Idempotency-Key")
	if k == "" {
		if required {
			return loyalty.IdemKey{}, errKeyRequired
		}
		return loyalty.IdemKey{}, nil
	}
	if len(k) > 64 || strings.ContainsFunc(k, func(c rune) bool { return c < ' ' || c > '~' }) {
		return loyalty.IdemKey{}, errKeyRequired
	}
	return loyalty.IdemKey{Scope: scope, Key: k}, nil
}
