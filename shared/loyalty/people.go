package loyalty

import (
	"errors"
	"fmt"
	"time"
)

// Role is what an operator key may do. Each role may do everything the
// roles below it may.
type Role string

const (
	// RoleAnalyst reads: figures, reports, exports, settings.
	RoleAnalyst Role = "analyst"
	// RoleManager runs the program day to day: members, adjustments,
	// reversals, rewards, stores, staff keys, charities, campaigns.
	RoleManager Role = "manager"
	// RoleOwner may do everything, operator keys included.
	RoleOwner Role = "owner"
)

// rank orders the roles; 0 is no role.
func (r Role) rank() int {
	switch r {
	case RoleAnalyst:
		return 1
	case RoleManager:
		return 2
	case RoleOwner:
		return 3
	}
	return 0
}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether a key of role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r.Valid() && r.rank() >= need.rank() }

// OperatorKey lets a person run the program through the admin API, within
// its role. Its secret is kept only as a hash; a revoked key is kept, so
// that what it did still names it.
type OperatorKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	Hash      string     `json:"hash"`
	CreatedAt time.Time  `json:"createdAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// ErrOperatorKeyNotFound: no operator key has that id.
var ErrOperatorKeyNotFound = errors.New("operator key not found")

// NewOperatorKey makes a key for a person with a role and returns it with
// its secret, "fa_<id>_<random>", which exists in clear only in this answer.
func NewOperatorKey(ids IDs, now time.Time, name string, role Role) (OperatorKey, string, error) {
	name, err := cleanText("name", name, 100, false)
	if err != nil {
		return OperatorKey{}, "", err
	}
	if !role.Valid() {
		return OperatorKey{}, "", fmt.Errorf("%w: role must be owner, manager or analyst", ErrInvalid)
	}
	k := OperatorKey{ID: ids.NewID(now), Name: name, Role: role, CreatedAt: now}
	secret := "fa_" + k.ID + "_" + ids.Secret()
	k.Hash = HashSecret(secret)
	return k, secret, nil
}

// Who says what kind of principal an Actor is.
type Who string

const (
	WhoProgram  Who = "program"
	WhoMember   Who = "member"
	WhoStaff    Who = "staff"
	WhoOperator Who = "operator"
)

// Actor is who made a change: the program itself (a scheduled job), a member,
// the staff of a store through a staff key, or an operator through an
// operator key.
type Actor struct {
	Who Who `json:"who"`
	// KeyID and KeyName name the staff or operator key (the employee or the
	// operator); MemberID the member.
	KeyID    string `json:"keyId,omitempty"`
	KeyName  string `json:"keyName,omitempty"`
	MemberID string `json:"memberId,omitempty"`
	// StoreID is the store a staff key belongs to.
	StoreID string `json:"storeId,omitempty"`
}

// String is the actor as a ledger entry's actor field writes it.
func (a Actor) String() string {
	switch a.Who {
	case WhoStaff:
		return "staff:" + a.StoreID + "/" + a.KeyID
	case WhoOperator:
		return "operator:" + a.KeyID
	case WhoMember:
		return "member:" + a.MemberID
	}
	return string(WhoProgram)
}

// audited reports whether what the actor does is kept in the audit trail:
// what people do with keys, not what members or the program do.
func (a Actor) audited() bool { return a.Who == WhoStaff || a.Who == WhoOperator }

// AuditEntry records one action of an operator or of staff that moved
// points or changed settings: who, what, when.
type AuditEntry struct {
	// ID is a ULID: the trail is listed newest first by it.
	ID string    `json:"id"`
	At time.Time `json:"at"`
	By Actor     `json:"by"`
	// Action names what was done, such as "earn", "staff-key.revoke" or
	// "store.save"; Target what it was done to (a transaction, a key, a
	// store); Detail a few words more.
	Action string `json:"action"`
	Target string `json:"target,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// NewAudit records that by did action on target now.
func NewAudit(ids IDs, now time.Time, by Actor, action, target, detail string) AuditEntry {
	return AuditEntry{ID: ids.NewID(now), At: now, By: by, Action: action, Target: target, Detail: detail}
}

// auditOf is the audit entry of a balance change made by a person: its last
// entry says what was done. Nil for the program's and members' changes.
func auditOf(by Actor, e LedgerEntry, ids IDs, now time.Time) *AuditEntry {
	if !by.audited() {
		return nil
	}
	a := NewAudit(ids, now, by, string(e.Kind), e.TxID().String(), fmt.Sprintf("%+d points", e.Points))
	return &a
}
