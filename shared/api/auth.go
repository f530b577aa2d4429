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
	// roleAdmin is an operator key's; its loyalty.Role says what it may do
	// (operatorRoles).
	roleAdmin
)

// principal is who made a request.
type principal struct {
	role     role
	memberID string              // roleMember
	staff    loyalty.StaffKey    // roleStaff
	operator loyalty.OperatorKey // roleAdmin
}

// configuredOwner is the operator of the admin key given in the
// configuration: an owner, named in the audit trail as such.
var configuredOwner = loyalty.OperatorKey{ID: "admin", Name: "configured admin key", Role: loyalty.RoleOwner}

// actor names the principal in the ledger and the audit trail.
func (p principal) actor() loyalty.Actor {
	switch p.role {
	case roleStaff:
		return loyalty.Actor{Who: loyalty.WhoStaff, KeyID: p.staff.ID, KeyName: p.staff.Name, StoreID: p.staff.StoreID}
	case roleAdmin:
		return loyalty.Actor{Who: loyalty.WhoOperator, KeyID: p.operator.ID, KeyName: p.operator.Name}
	}
	return loyalty.Actor{Who: loyalty.WhoMember, MemberID: p.memberID}
}

// maxToken bounds a bearer token: the longest one is the admin key, which
// config holds to this too.
const maxToken = 256

// secretPattern is the form of a token's secret (loyalty.IDs.Secret).
var secretPattern = regexp.MustCompile(`^[a-z0-9]{32}$`)

// authenticate reads the bearer token. Its prefix says its kind: fm_ member,
// fs_ staff, fa_ operator (the configured admin key, or an operator key);
// member, staff and operator keys carry their record's id, so one read finds
// the hash to compare (in constant time). Keys are read at every request,
// never cached, so a revoked key is refused from the revocation's commit on,
// on every instance. An unknown id, a wrong secret and a revoked key get the
// same answer, and so does a token of another form, which no store call ever
// sees.
//
// A request with no Authorization header is a member's browser when it
// carries a member space session's cookie (sessionOf).
func (a *App) authenticate(r *http.Request) (principal, error) {
	if r.Header.Get("Authorization") == "" {
		return a.sessionOf(r)
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(token) > maxToken {
		return principal{}, errUnauthorized
	}
	kind, rest, _ := strings.Cut(strings.TrimSpace(token), "_")
	if kind == "fa" && loyalty.SecretMatches(token, a.AdminKeyHash) {
		return principal{role: roleAdmin, operator: configuredOwner}, nil
	}
	id, secret, _ := strings.Cut(rest, "_")
	if !loyalty.IsID(id) || !secretPattern.MatchString(secret) {
		return principal{}, errUnauthorized
	}
	switch kind {
	case "fa":
		k, err := a.Store.OperatorKey(r.Context(), id)
		if err != nil && !errors.Is(err, loyalty.ErrOperatorKeyNotFound) {
			return principal{}, err // the store failed: not the caller's fault
		}
		if err == nil && k.RevokedAt == nil && loyalty.SecretMatches(token, k.Hash) {
			return principal{role: roleAdmin, operator: k}, nil
		}
	case "fm":
		m, err := a.Store.Member(r.Context(), id)
		if err != nil && !errors.Is(err, loyalty.ErrMemberNotFound) {
			return principal{}, err
		}
		if err == nil && loyalty.SecretMatches(token, m.TokenHash) {
			noteMember(r, m.ID)
			return principal{role: roleMember, memberID: m.ID}, nil
		}
	case "fs":
		k, err := a.Store.StaffKey(r.Context(), id)
		if err != nil && !errors.Is(err, loyalty.ErrStaffKeyNotFound) {
			return principal{}, err
		}
		if err == nil && k.RevokedAt == nil && loyalty.SecretMatches(token, k.Hash) {
			return principal{role: roleStaff, staff: k}, nil
		}
	}
	return principal{}, errUnauthorized
}

// require authenticates the request and checks its role is one of roles;
// an operator key's role must also allow the route (operatorRoles).
func (a *App) require(r *http.Request, roles ...role) (principal, error) {
	p, err := a.authenticate(r)
	if err != nil {
		return p, err
	}
	for _, want := range roles {
		if p.role == want {
			if p.role == roleAdmin && !p.operator.Role.Allows(routeRole(r)) {
				return p, errRoleForbidden
			}
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
