package api

import (
	"errors"
	"net/http"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/signing"
)

type codeBody struct {
	Code string `json:"code"`
}

// scanned verifies a scanned member code against the member's current code
// generation (a re-issued code refuses the old one) and returns the member's
// id. A code of no member is as invalid as a forged one; a blocked member's
// card is refused.
func (a *App) scanned(r *http.Request, code string) (string, error) {
	if code == "" {
		return "", badRequest("invalid_request", "code is required: the text of the member's QR code")
	}
	id, err := a.Codes.MemberOf(code)
	if err != nil {
		return "", err
	}
	m, err := a.Store.Member(r.Context(), id)
	if errors.Is(err, loyalty.ErrMemberNotFound) {
		return "", signing.ErrInvalidCode
	}
	if err != nil {
		return "", err
	}
	if err := a.Codes.Verify(code, m.CodeGeneration); err != nil {
		return "", err
	}
	if err := m.Usable(); err != nil {
		return "", err
	}
	return id, nil
}

// scan: POST /v1/scans (staff) — who is this card, and what can they afford
// (of the rewards offered now to their tier)?
func (a *App) scan(r *http.Request) (reply, error) {
	if _, err := a.require(r, roleStaff); err != nil {
		return reply{}, err
	}
	var b codeBody
	if err := decode(r, &b); err != nil {
		return reply{}, err
	}
	id, err := a.scanned(r, b.Code)
	if err != nil {
		return reply{}, err
	}
	acct, rules, err := a.account(r, id)
	if err != nil {
		return reply{}, err
	}
	rewards, err := a.Store.Rewards(r.Context())
	if err != nil {
		return reply{}, err
	}
	affordable := []loyalty.Reward{}
	for _, rw := range rewards {
		if rw.Points <= acct.Member.Balance && rw.AvailableTo(acct.Member.Tier, a.Program.Now()) == nil {
			affordable = append(affordable, rw)
		}
	}
	return reply{body: struct {
		Member  memberView       `json:"member"`
		Rewards []loyalty.Reward `json:"rewards"`
	}{a.memberView(acct, rules, false), affordable}}, nil
}

type earnBody struct {
	Code      string        `json:"code"`
	ReceiptID string        `json:"receiptId"`
	Amount    loyalty.Money `json:"amount"`
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
	id, err := a.scanned(r, b.Code)
	if err != nil {
		return reply{}, err
	}
	rc, err := a.Program.Earn(r.Context(), loyalty.EarnRequest{MemberID: id, Amount: b.Amount, StoreID: p.staff.StoreID, ReceiptID: b.ReceiptID, Actor: p.actor()})
	if err != nil {
		return reply{}, err
	}
	return created(rc), nil
}

type redeemBody struct {
	Code     string `json:"code"`
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
	id, err := a.scanned(r, b.Code)
	if err != nil {
		return reply{}, err
	}
	if err := loyalty.ValidSlug("rewardId", b.RewardID); err != nil {
		return reply{}, err
	}
	rc, err := a.Program.Redeem(r.Context(), loyalty.RedeemRequest{
		MemberID: id, RewardID: b.RewardID, StoreID: p.staff.StoreID, Actor: p.actor(), Key: key,
	})
	if err != nil {
		return reply{}, err
	}
	return created(rc), nil
}

// reverse: POST /v1/transactions/{id}/reversal (staff of the earning's
// store, or admin). An earning is reversed once; asking again answers the
// first reversal.
func (a *App) reverse(r *http.Request) (reply, error) {
	p, err := a.require(r, roleStaff, roleAdmin)
	if err != nil {
		return reply{}, err
	}
	tx, err := loyalty.ParseTxID(r.PathValue("id"))
	if err != nil {
		return reply{}, err
	}
	key, err := idempotencyKey(r, "reversal/"+tx.String(), false)
	if err != nil {
		return reply{}, err
	}
	req := loyalty.ReverseRequest{Tx: tx, Actor: p.actor(), Key: key}
	if p.role == roleStaff {
		req.StoreID = p.staff.StoreID
	}
	rc, err := a.Program.Reverse(r.Context(), req)
	if err != nil {
		return reply{}, err
	}
	return created(rc), nil
}
