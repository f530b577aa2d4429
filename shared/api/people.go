package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// The people and places of the program: operator keys, staff keys, stores,
// and the audit trail of what was done with the keys.

// pathKeyID reads a staff or operator key's id in the path.
func pathKeyID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !loyalty.IsID(id) {
		return "", badRequest("invalid_request", "the key id in the path must be the 26 letters and digits the program gave it")
	}
	return id, nil
}

// auditEntry is what p did, now.
func (a *App) auditEntry(p principal, action, target, detail string) loyalty.AuditEntry {
	return loyalty.NewAudit(a.IDs, a.Program.Now(), p.actor(), action, target, detail)
}

// audit records a change saved on its own (a setting). It is written after
// the change: a failure here answers 503, and the operator's retry saves the
// same setting again and records it.
func (a *App) audit(r *http.Request, p principal, action, target, detail string) error {
	if err := a.Store.RecordAudit(r.Context(), a.auditEntry(p, action, target, detail)); err != nil {
		return fmt.Errorf("record %s in the audit trail: %w", action, err)
	}
	return nil
}

// staffKeyView is a staff key without its hash.
type staffKeyView struct {
	ID        string     `json:"id"`
	StoreID   string     `json:"storeId"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"createdAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	// Key is the secret, in the answer that creates the key only.
	Key string `json:"key,omitempty"`
}

func viewStaffKey(k loyalty.StaffKey) staffKeyView {
	return staffKeyView{ID: k.ID, StoreID: k.StoreID, Name: k.Name, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

type staffKeyBody struct {
	StoreID string `json:"storeId"`
	Name    string `json:"name"`
}

// createStaffKey: POST /v1/admin/staff-keys — a key for one employee
// (name) of a store that exists. The key is shown once.
func (a *App) createStaffKey(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var b staffKeyBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	k, secret, err := loyalty.NewStaffKey(a.IDs, a.Program.Now(), b.StoreID, b.Name)
	if err != nil {
		return reply{}, err
	}
	if _, err := a.Store.Shop(r.Context(), k.StoreID); err != nil {
		return reply{}, err
	}
	if err := a.Store.SaveStaffKey(r.Context(), k, a.auditEntry(p, "staff-key.create", k.ID, k.Name+" at "+k.StoreID)); err != nil {
		return reply{}, err
	}
	v := viewStaffKey(k)
	v.Key = secret
	return reply{status: http.StatusCreated, body: v}, nil
}

// listStaffKeys: GET /v1/admin/staff-keys, revoked ones too, oldest first.
func (a *App) listStaffKeys(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	keys, err := a.Store.StaffKeys(r.Context())
	if err != nil {
		return reply{}, err
	}
	views := make([]staffKeyView, len(keys))
	for i, k := range keys {
		views[i] = viewStaffKey(k)
	}
	return reply{body: map[string]any{"staffKeys": views}}, nil
}

// revokeStaffKey: DELETE /v1/admin/staff-keys/{id}. The key is refused from
// its next request on; revoking it again answers the first revocation.
func (a *App) revokeStaffKey(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathKeyID(r)
	if err != nil {
		return reply{}, err
	}
	k, err := a.Store.RevokeStaffKey(r.Context(), id, a.auditEntry(p, "staff-key.revoke", id, ""))
	if err != nil {
		return reply{}, err
	}
	return reply{body: viewStaffKey(k)}, nil
}

// operatorKeyView is an operator key without its hash.
type operatorKeyView struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Role      loyalty.Role `json:"role"`
	CreatedAt time.Time    `json:"createdAt"`
	RevokedAt *time.Time   `json:"revokedAt,omitempty"`
	// Key is the secret, in the answer that creates the key only.
	Key string `json:"key,omitempty"`
}

func viewOperatorKey(k loyalty.OperatorKey) operatorKeyView {
	return operatorKeyView{ID: k.ID, Name: k.Name, Role: k.Role, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

type operatorKeyBody struct {
	Name string       `json:"name"`
	Role loyalty.Role `json:"role"`
}

// createOperatorKey: POST /v1/admin/operator-keys (owner). The key is shown once.
func (a *App) createOperatorKey(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var b operatorKeyBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	k, secret, err := loyalty.NewOperatorKey(a.IDs, a.Program.Now(), b.Name, b.Role)
	if err != nil {
		return reply{}, err
	}
	if err := a.Store.SaveOperatorKey(r.Context(), k, a.auditEntry(p, "operator-key.create", k.ID, k.Name+" as "+string(k.Role))); err != nil {
		return reply{}, err
	}
	v := viewOperatorKey(k)
	v.Key = secret
	return reply{status: http.StatusCreated, body: v}, nil
}

// listOperatorKeys: GET /v1/admin/operator-keys (owner), revoked ones too.
func (a *App) listOperatorKeys(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	keys, err := a.Store.OperatorKeys(r.Context())
	if err != nil {
		return reply{}, err
	}
	views := make([]operatorKeyView, len(keys))
	for i, k := range keys {
		views[i] = viewOperatorKey(k)
	}
	return reply{body: map[string]any{"operatorKeys": views}}, nil
}

// revokeOperatorKey: DELETE /v1/admin/operator-keys/{id} (owner). The
// configured admin key is not a record and cannot be revoked here: it is
// changed in the configuration.
func (a *App) revokeOperatorKey(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathKeyID(r)
	if err != nil {
		return reply{}, err
	}
	k, err := a.Store.RevokeOperatorKey(r.Context(), id, a.auditEntry(p, "operator-key.revoke", id, ""))
	if err != nil {
		return reply{}, err
	}
	return reply{body: viewOperatorKey(k)}, nil
}

// session: GET /v1/admin/session — who the operator key is and its role,
// so that the console shows only what the key may do (any role).
func (a *App) session(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	return reply{body: struct {
		KeyID string       `json:"keyId"`
		Name  string       `json:"name"`
		Role  loyalty.Role `json:"role"`
	}{p.operator.ID, p.operator.Name, p.operator.Role}}, nil
}

var errShopExists = &clientError{http.StatusConflict, "store_exists", "a store with this id exists; change it with PUT /v1/admin/stores/{id}"}

// createShop: POST /v1/admin/stores — a new store (409 when the id is taken).
func (a *App) createShop(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	var s loyalty.Shop
	if err := decode(r, &s); err != nil {
		return reply{}, err
	}
	s, err = loyalty.PrepareShop(s, a.Program.Now())
	if err != nil {
		return reply{}, err
	}
	if _, err := a.Store.Shop(r.Context(), s.ID); err == nil {
		return reply{}, errShopExists
	} else if !errors.Is(err, loyalty.ErrShopNotFound) {
		return reply{}, err
	}
	if err := a.Store.SaveShop(r.Context(), s, a.auditEntry(p, "store.create", s.ID, s.Name)); err != nil {
		return reply{}, err
	}
	if rf, ok := loyalty.StoreRefresh(nil, s); ok {
		if err := a.refreshCards(r, rf); err != nil {
			return reply{}, err
		}
	}
	return reply{status: http.StatusCreated, body: s}, nil
}

// updateShop: PUT /v1/admin/stores/{id} — replaces a store that exists.
func (a *App) updateShop(r *http.Request) (reply, error) {
	p, err := a.require(r, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	id, err := pathSlug(r, "id")
	if err != nil {
		return reply{}, err
	}
	var s loyalty.Shop
	if err := decode(r, &s); err != nil {
		return reply{}, err
	}
	if s.ID != "" && s.ID != id {
		return reply{}, badRequest("invalid_request", "the id in the body must be the path's, or left out")
	}
	s.ID = id
	s, err = loyalty.PrepareShop(s, a.Program.Now())
	if err != nil {
		return reply{}, err
	}
	old, err := a.Store.Shop(r.Context(), id)
	if err != nil {
		return reply{}, err
	}
	if err := a.Store.SaveShop(r.Context(), s, a.auditEntry(p, "store.update", s.ID, s.Name)); err != nil {
		return reply{}, err
	}
	if rf, ok := loyalty.StoreRefresh(&old, s); ok {
		if err := a.refreshCards(r, rf); err != nil {
			return reply{}, err
		}
	}
	return reply{body: s}, nil
}

// listShops: GET /v1/admin/stores, by id.
func (a *App) listShops(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	shops, err := a.Store.Shops(r.Context())
	if err != nil {
		return reply{}, err
	}
	return reply{body: map[string]any{"stores": shops}}, nil
}

// maxAuditPage bounds a page of the audit trail.
const maxAuditPage = 100

// listAudit: GET /v1/admin/audit?cursor=&limit= — the trail newest first,
// with the cursor of the next page ("" after the last).
func (a *App) listAudit(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleAdmin); err != nil {
		return reply{}, err
	}
	q := r.URL.Query()
	cursor := q.Get("cursor")
	if cursor != "" && !loyalty.IsID(cursor) {
		return reply{}, badRequest("invalid_request", "cursor must be the next value of an earlier page")
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAuditPage {
			return reply{}, badRequest("invalid_request", fmt.Sprintf("limit must be a whole number from 1 to %d", maxAuditPage))
		}
		limit = n
	}
	entries, next, err := a.Store.Audit(r.Context(), cursor, limit)
	if err != nil {
		return reply{}, err
	}
	if entries == nil {
		entries = []loyalty.AuditEntry{}
	}
	return reply{body: map[string]any{"entries": entries, "next": next}}, nil
}
