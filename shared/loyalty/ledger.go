package loyalty

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind says why a ledger entry changed a balance.
type Kind string

const (
	KindWelcome  Kind = "welcome"
	KindEarn     Kind = "earn"
	KindRedeem   Kind = "redeem"
	KindReversal Kind = "reversal"
	KindDonate   Kind = "donate"
	KindBirthday Kind = "birthday"
	KindExpire   Kind = "expire"
	KindAdjust   Kind = "adjust"
	// KindCampaign is a campaign's bonus points.
	KindCampaign Kind = "campaign"
	// KindReferral is a referral bonus, or its taking back (negative).
	KindReferral Kind = "referral"
)

// LedgerEntry records one change of a member's balance. The ledger is
// append-only: a correction is a new entry, never an edit.
type LedgerEntry struct {
	ID       string `json:"id"`
	MemberID string `json:"memberId"`
	// Seq numbers a member's entries 1, 2, 3… in the order they were committed.
	Seq  int64 `json:"seq"`
	Kind Kind  `json:"kind"`
	// Points is signed: positive credits, negative debits.
	Points       int64 `json:"points"`
	BalanceAfter int64 `json:"balanceAfter"`
	// Qualifying is the change of tier-qualifying points this entry made.
	Qualifying int64 `json:"qualifying,omitempty"`
	// Shortfall is what a reversal could not take back because it was already spent.
	Shortfall int64 `json:"shortfall,omitempty"`
	// Matched is what the operator matched on a donation, given to the
	// charity on top of the member's points; it is not the member's and
	// leaves the balance as it is.
	Matched int64     `json:"matched,omitempty"`
	Amount  *Money    `json:"amount,omitempty"`
	Ref     Reference `json:"ref,omitzero"`
	// Lots are the lots a redemption took its points from (Remaining being
	// what it took from each), so that its undo puts them back.
	Lots []Lot `json:"lots,omitempty"`
	// Actor is who made the change (Actor.String); KeyID and KeyName name
	// the staff or operator key it was made with, the store being Ref's.
	Actor     string    `json:"actor"`
	KeyID     string    `json:"keyId,omitempty"`
	KeyName   string    `json:"keyName,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Reference ties an entry to what caused it.
type Reference struct {
	StoreID   string `json:"storeId,omitempty"`
	ReceiptID string `json:"receiptId,omitempty"`
	RewardID  string `json:"rewardId,omitempty"`
	CharityID string `json:"charityId,omitempty"`
	// Reverses is the Seq of the earning a reversal refunds (in whole or in
	// part) or of the redemption it undoes.
	Reverses int64  `json:"reverses,omitempty"`
	Note     string `json:"note,omitempty"`
	// Referrer, on a new member's referral entry, is who referred them;
	// Referred, on the referrer's, is the member they referred.
	Referrer string `json:"referrer,omitempty"`
	Referred string `json:"referred,omitempty"`
	// PromotionID names the promotion that multiplied an earning's points.
	PromotionID string `json:"promotionId,omitempty"`
}

// TxID names a ledger entry across the whole program: the member's id and the
// entry's sequence number, so that it is found without an index.
type TxID struct {
	MemberID string
	Seq      int64
}

func (t TxID) String() string { return t.MemberID + "-" + strconv.FormatInt(t.Seq, 10) }

// ParseTxID reads a TxID written by TxID.String, and only so: the number is
// plain digits, without a sign or a leading zero.
func ParseTxID(s string) (TxID, error) {
	member, seq, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || !IsID(member) || err != nil || n < 1 || seq != strconv.FormatInt(n, 10) {
		return TxID{}, fmt.Errorf("%w: a transaction id is a member id and a number, such as 01KAAAAAAAAAAAAAAAAAAAAAAA-2", ErrInvalid)
	}
	return TxID{member, n}, nil
}

// TxID is the entry's program-wide id.
func (e LedgerEntry) TxID() TxID { return TxID{e.MemberID, e.Seq} }
