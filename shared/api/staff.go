package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
)

// memberRef is how a till names the member it serves: exactly one of the
// text of the card's QR code, the number printed on the card, or the email.
type memberRef struct {
	Code, Number, Email string
}

// identify finds the member a till names, and returns its id and the check
// to run on the member as the caller then reads it (for the change, or the
// account shown): a scanned code is checked against the member's current
// code generation there, so that the member is not read and decoded twice;
// a blocked member's card is refused. A number or an email of no member is
// member_not_found; a code of no member is as invalid as a forged one
// (codeOfNoMember).
func (a *App) identify(r *http.Request, ref memberRef) (string, func(loyalty.Member) error, error) {
	given := 0
	for _, v := range []string{ref.Code, ref.Number, ref.Email} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return "", nil, badRequest("invalid_request", "give exactly one of code (the text of the member's QR code), number (printed on the card) or email")
	}
	var m loyalty.Member
	switch {
	case ref.Code != "":
		id, err := a.Codes.MemberOf(ref.Code)
		if err != nil {
			return "", nil, err
		}
		return id, func(m loyalty.Member) error {
			if err := a.Codes.Verify(ref.Code, m.CodeGeneration); err != nil {
				return err
			}
			noteMember(r, id)
			return m.Usable()
		}, nil
	case ref.Number != "":
		number, ok := loyalty.ParseNumber(ref.Number)
		if !ok {
			return "", nil, badRequest("invalid_request", "number is the 12 letters and digits printed on the card, such as TYVF MNJR EH7B")
		}
		found, err := a.Store.MembersByNumber(r.Context(), number)
		if err != nil {
			return "", nil, err
		}
		switch len(found) {
		case 0:
			return "", nil, loyalty.ErrMemberNotFound
		case 1:
			m = found[0]
		default:
			return "", nil, &clientError{http.StatusConflict, "ambiguous_number", "more than one member has this number: scan the card or give the email"}
		}
	default:
		email := loyalty.NormalizeEmail(ref.Email)
		if !strings.Contains(email, "@") || len(email) > 254 {
			return "", nil, badRequest("invalid_request", "email is the address the member joined with")
		}
		var err error
		if m, err = a.Store.MemberByEmail(r.Context(), email); err != nil {
			return "", nil, err
		}
	}
	if err := m.Usable(); err != nil {
		return "", nil, err
	}
	return m.ID, loyalty.Member.Usable, nil
}

// codeOfNoMember answers a scanned code whose member is not found as an
// invalid code, as a forged one is.
func codeOfNoMember(ref memberRef, err error) error {
	if ref.Code != "" && errors.Is(err, loyalty.ErrMemberNotFound) {
		return signing.ErrInvalidCode
	}
	return err
}

type scanBody struct {
	Code   string `json:"code"`
	Number string `json:"number"`
	Email  string `json:"email"`
}

// nextRewardsShown is how many of the rewards just out of a member's reach
// the till shows.
const nextRewardsShown = 3

// scan: POST /v1/scans (staff) — who is this card, and what can they afford
// (of the rewards offered now to their tier), and what is just out of reach?
func (a *App) scan(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleStaff); err != nil {
		return reply{}, err
	}
	var b scanBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	ref := memberRef{b.Code, b.Number, b.Email}
	id, check, err := a.identify(r, ref)
	if err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, id)
	if err == nil {
		err = check(acct.Member)
	}
	if err != nil {
		return reply{}, codeOfNoMember(ref, err)
	}
	rewards, err := a.Program.Rewards(r.Context())
	if err != nil {
		return reply{}, err
	}
	affordable, next := []loyalty.Reward{}, []loyalty.Reward{}
	for _, rw := range rewards { // cheapest first
		switch {
		case rw.AvailableTo(acct.Member.Tier, a.Program.Now()) != nil:
		case rw.Points <= acct.Member.Balance:
			affordable = append(affordable, rw)
		case len(next) < nextRewardsShown:
			next = append(next, rw)
		}
	}
	return reply{body: struct {
		Member      tillMemberView   `json:"member"`
		Rewards     []loyalty.Reward `json:"rewards"`
		NextRewards []loyalty.Reward `json:"nextRewards"`
	}{a.tillMemberView(acct, rules), affordable, next}}, nil
}

type earnBody struct {
	Code      string        `json:"code"`
	Number    string        `json:"number"`
	Email     string        `json:"email"`
	ReceiptID string        `json:"receiptId"`
	Amount    loyalty.Money `json:"amount"`
	// Confirmed is the cashier's second tap on an amount above the rules'
	// confirmAbove.
	Confirmed bool `json:"confirmed"`
}

// earn: POST /v1/earnings (staff). A store's receipt earns once: the same
// receipt again answers the first result.
func (a *App) earn(r *http.Request) (reply, error) {
	p, err := a.require(r, roleStaff)
	if err != nil {
		return reply{}, err
	}
	var b earnBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	ref := memberRef{b.Code, b.Number, b.Email}
	id, check, err := a.identify(r, ref)
	if err != nil {
		return reply{}, err
	}
	rc, err := a.Program.Earn(r.Context(), loyalty.EarnRequest{
		MemberID: id, Amount: b.Amount, StoreID: p.staff.StoreID, ReceiptID: b.ReceiptID, Actor: p.actor(), Confirmed: b.Confirmed, Check: check,
	})
	if err != nil {
		return reply{}, codeOfNoMember(ref, err)
	}
	return created(rc), nil
}

type redeemBody struct {
	Code     string `json:"code"`
	Number   string `json:"number"`
	Email    string `json:"email"`
	RewardID string `json:"rewardId"`
}

// redeem: POST /v1/redemptions (staff, Idempotency-Key).
func (a *App) redeem(r *http.Request) (reply, error) {
	p, err := a.require(r, roleStaff)
	if err != nil {
		return reply{}, err
	}
	key, err := idempotencyKey(r, "redeem/"+p.staff.StoreID, true)
	if err != nil {
		return reply{}, err
	}
	var b redeemBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	ref := memberRef{b.Code, b.Number, b.Email}
	id, check, err := a.identify(r, ref)
	if err != nil {
		return reply{}, err
	}
	if err := loyalty.ValidSlug("rewardId", b.RewardID); err != nil {
		return reply{}, err
	}
	rc, err := a.Program.Redeem(r.Context(), loyalty.RedeemRequest{
		MemberID: id, RewardID: b.RewardID, StoreID: p.staff.StoreID, Actor: p.actor(), Key: key, Check: check,
	})
	if err != nil {
		return reply{}, codeOfNoMember(ref, err)
	}
	return created(rc), nil
}

type reversalBody struct {
	Amount   *loyalty.Money `json:"amount"`
	RefundID string         `json:"refundId"`
}

// reverse: POST /v1/transactions/{id}/reversal (staff, manager). On an
// earning, a refund of {"amount"} or of what is left; on a redemption, its
// undo by the store that made it, within 10 minutes. A refund is told apart
// by its refundId (or Idempotency-Key): the same one answers the first
// result; without one, the reversal of what is left is made once.
func (a *App) reverse(r *http.Request) (reply, error) {
	p, err := a.require(r, roleStaff, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	tx, err := loyalty.ParseTxID(r.PathValue("id"))
	if err != nil {
		return reply{}, err
	}
	var b reversalBody
	if r.Header.Get("Content-Type") != "" {
		if err := decode(r, &b); err != nil {
			return reply{}, err
		}
	}
	scope := "reversal/" + tx.String()
	key, err := idempotencyKey(r, scope, false)
	if err != nil {
		return reply{}, err
	}
	if b.RefundID != "" {
		if len(b.RefundID) > 64 || strings.ContainsFunc(b.RefundID, func(c rune) bool { return c < ' ' || c > '~' }) {
			return reply{}, badRequest("invalid_request", "refundId is 1 to 64 printable characters, such as a UUID")
		}
		if !key.IsZero() && key.Key != b.RefundID {
			return reply{}, badRequest("invalid_request", "refundId and Idempotency-Key differ: send one of them")
		}
		key = loyalty.IdemKey{Scope: scope, Key: b.RefundID}
	}
	req := loyalty.ReverseRequest{Tx: tx, Amount: b.Amount, Actor: p.actor(), Key: key}
	if p.role == roleStaff {
		req.StoreID = p.staff.StoreID
	}
	rc, err := a.Program.Reverse(r.Context(), req)
	if err != nil {
		return reply{}, err
	}
	return created(rc), nil
}

// staffSession: GET /v1/staff/session (staff) — who is signed in at the
// till: the store and the employee the key belongs to, and the program's
// receipt limits, so that the till warns before it sends.
func (a *App) staffSession(r *http.Request) (reply, error) {
	p, err := a.require(r, roleStaff)
	if err != nil {
		return reply{}, err
	}
	shop, err := a.Store.Shop(r.Context(), p.staff.StoreID)
	if errors.Is(err, loyalty.ErrShopNotFound) {
		shop = loyalty.Shop{ID: p.staff.StoreID, Name: p.staff.StoreID} // a key older than store records
	} else if err != nil {
		return reply{}, err
	}
	rules, err := a.Program.Rules(r.Context())
	if err != nil {
		return reply{}, err
	}
	most, confirmAbove := rules.ReceiptLimits()
	type named struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	type employee struct {
		KeyID string `json:"keyId"`
		Name  string `json:"name"`
	}
	type limits struct {
		MaxPerReceipt loyalty.Money `json:"maxPerReceipt"`
		ConfirmAbove  loyalty.Money `json:"confirmAbove"`
	}
	return reply{body: struct {
		Store    named    `json:"store"`
		Employee employee `json:"employee"`
		Limits   limits   `json:"limits"`
	}{named{shop.ID, shop.Name}, employee{p.staff.ID, p.staff.Name}, limits{most, confirmAbove}}}, nil
}

// findTransaction: GET /v1/transactions?receiptId=&storeId= (staff: their
// own store's; operators: any store's, every store's when storeId is not
// given) — the earning a receipt made, with what was refunded of it and what
// is left to refund.
func (a *App) findTransaction(r *http.Request) (reply, error) {
	p, err := a.require(r, roleStaff, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	receiptID, storeID := r.URL.Query().Get("receiptId"), r.URL.Query().Get("storeId")
	if receiptID == "" {
		return reply{}, badRequest("invalid_request", "receiptId is required")
	}
	stores := []string{storeID}
	switch {
	case p.role == roleStaff && storeID != "" && storeID != p.staff.StoreID:
		return reply{}, loyalty.ErrWrongStore
	case p.role == roleStaff:
		stores = []string{p.staff.StoreID}
	case storeID == "":
		shops, err := a.Store.Shops(r.Context())
		if err != nil {
			return reply{}, err
		}
		stores = stores[:0]
		for _, s := range shops {
			stores = append(stores, s.ID)
		}
	}
	var found []transactionFound
	for _, id := range stores {
		e, done, err := a.Program.EarningByReceipt(r.Context(), id, receiptID)
		if errors.Is(err, loyalty.ErrEntryNotFound) {
			continue
		}
		if err != nil {
			return reply{}, err
		}
		found = append(found, newTransactionFound(e, done))
	}
	switch len(found) {
	case 0:
		return reply{}, loyalty.ErrEntryNotFound
	case 1:
		return reply{body: map[string]transactionFound{"transaction": found[0]}}, nil
	}
	return reply{}, badRequest("invalid_request", "receipt "+receiptID+" earned at more than one store: give storeId")
}
