package api

import (
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// memberView is a member as the API shows them. Email and personal details
// are for the member and the operator, not for the till.
type memberView struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	Email            string        `json:"email,omitempty"`
	Birthday         string        `json:"birthday,omitempty"`
	TimeZone         string        `json:"timeZone,omitempty"`
	Locale           string        `json:"locale,omitempty"`
	Marketing        *bool         `json:"marketing,omitempty"`
	Tier             loyalty.Tier  `json:"tier"`
	Balance          int64         `json:"balance"`
	QualifyingPoints int64         `json:"qualifyingPoints"`
	NextTier         *nextTierView `json:"nextTier,omitempty"`
	ExpiringSoon     *expiringView `json:"expiringSoon,omitempty"`
	Code             string        `json:"code"`
	MemberSince      string        `json:"memberSince"`
	MemberNumber     string        `json:"memberNumber"`
	Token            string        `json:"token,omitempty"`
	Links            *links        `json:"links,omitempty"`
	// Referral is the member's own referral code and the join page's link
	// with it, for the member to share; absent while referral is off.
	Referral *referralView `json:"referral,omitempty"`
}

type nextTierView struct {
	Tier         loyalty.Tier `json:"tier"`
	PointsNeeded int64        `json:"pointsNeeded"`
}

type expiringView struct {
	Points int64  `json:"points"`
	On     string `json:"on"`
}

func (a *App) memberView(acct loyalty.Account, rules loyalty.Rules, private bool) memberView {
	m := acct.Member
	today := loyalty.DateOf(a.Program.Now())
	v := memberView{
		ID: m.ID, Name: m.Name, Tier: m.Tier, Balance: m.Balance,
		QualifyingPoints: m.QualifyingPoints(today), Code: a.Codes.Mint(m.ID, m.CodeGeneration),
		MemberSince: loyalty.DateOf(m.CreatedAt).String(), MemberNumber: m.Number(),
	}
	if private {
		v.Email, v.Birthday, v.TimeZone, v.Locale = m.Email, m.Birthday.String(), m.TimeZone, m.Locale
		v.Marketing = &m.Marketing
	}
	if next, needed, ok := rules.NextTier(m.Tier, v.QualifyingPoints); ok {
		v.NextTier = &nextTierView{next, needed}
	}
	if points, on := acct.Expiring(a.Program.Now()); points > 0 {
		v.ExpiringSoon = &expiringView{Points: points, On: on.String()}
	}
	return v
}

// tillMemberView is a member as the till shows them: enough to serve them
// (tier, balance, what comes next) and to check who they are, never their
// whole email. Number is what the till earns and redeems with when there is
// no card to scan.
type tillMemberView struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Number           string         `json:"number"`
	MemberNumber     string         `json:"memberNumber"`
	EmailHint        string         `json:"emailHint"`
	Code             string         `json:"code"`
	Tier             loyalty.Tier   `json:"tier"`
	Balance          int64          `json:"balance"`
	QualifyingPoints int64          `json:"qualifyingPoints"`
	NextTier         loyalty.Tier   `json:"nextTier,omitempty"`
	PointsToNextTier *int64         `json:"pointsToNextTier,omitempty"`
	ExpiringSoon     []expiringView `json:"expiringSoon"`
}

func (a *App) tillMemberView(acct loyalty.Account, rules loyalty.Rules) tillMemberView {
	m := acct.Member
	today := loyalty.DateOf(a.Program.Now())
	v := tillMemberView{
		ID: m.ID, Name: m.Name, Number: m.Number(), MemberNumber: m.Number(), EmailHint: m.EmailHint(),
		Code: a.Codes.Mint(m.ID, m.CodeGeneration), Tier: m.Tier, Balance: m.Balance,
		QualifyingPoints: m.QualifyingPoints(today), ExpiringSoon: []expiringView{},
	}
	if next, needed, ok := rules.NextTier(m.Tier, v.QualifyingPoints); ok {
		v.NextTier, v.PointsToNextTier = next, &needed
	}
	for _, l := range acct.ExpiringWithin(today, loyalty.ExpiryNoticeDays) {
		v.ExpiringSoon = append(v.ExpiringSoon, expiringView{Points: l.Remaining, On: l.ExpiresOn.String()})
	}
	return v
}

// entryView is a ledger entry as the API shows it.
type entryView struct {
	TransactionID string         `json:"transactionId"`
	Kind          loyalty.Kind   `json:"kind"`
	Points        int64          `json:"points"`
	BalanceAfter  int64          `json:"balanceAfter"`
	Shortfall     int64          `json:"shortfall,omitempty"`
	Amount        *loyalty.Money `json:"amount,omitempty"`
	StoreID       string         `json:"storeId,omitempty"`
	ReceiptID     string         `json:"receiptId,omitempty"`
	RewardID      string         `json:"rewardId,omitempty"`
	CharityID     string         `json:"charityId,omitempty"`
	Reverses      string         `json:"reverses,omitempty"`
	Note          string         `json:"note,omitempty"`
	// PromotionID names the promotion that multiplied an earning.
	PromotionID string `json:"promotionId,omitempty"`
	// KeyID and KeyName name the staff or operator key that made the
	// change; only operators see them.
	KeyID     string    `json:"keyId,omitempty"`
	KeyName   string    `json:"keyName,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

func newEntryView(e loyalty.LedgerEntry) entryView {
	v := entryView{
		TransactionID: e.TxID().String(), Kind: e.Kind, Points: e.Points, BalanceAfter: e.BalanceAfter,
		Shortfall: e.Shortfall, Amount: e.Amount, StoreID: e.Ref.StoreID, ReceiptID: e.Ref.ReceiptID,
		RewardID: e.Ref.RewardID, CharityID: e.Ref.CharityID, Note: e.Ref.Note, PromotionID: e.Ref.PromotionID, CreatedAt: e.CreatedAt,
	}
	if e.Ref.Reverses != 0 {
		v.Reverses = loyalty.TxID{MemberID: e.MemberID, Seq: e.Ref.Reverses}.String()
	}
	return v
}

// transactionView answers a change of balance.
type transactionView struct {
	TransactionID string       `json:"transactionId"`
	Kind          loyalty.Kind `json:"kind"`
	Points        int64        `json:"points"`
	Balance       int64        `json:"balance"`
	Tier          loyalty.Tier `json:"tier"`
	PreviousTier  loyalty.Tier `json:"previousTier"`
	Shortfall     int64        `json:"shortfall,omitempty"`
	// Amount is an earning's purchase, or the money a refund gave back.
	Amount   *loyalty.Money `json:"amount,omitempty"`
	MemberID string         `json:"memberId"`
	// PromotionID names the promotion that multiplied an earning.
	PromotionID string `json:"promotionId,omitempty"`
}

// transactionFound is an earning found by its receipt: what it was, what was
// refunded of it and what is left to refund.
type transactionFound struct {
	ID             string        `json:"id"`
	Type           loyalty.Kind  `json:"type"`
	MemberID       string        `json:"memberId"`
	StoreID        string        `json:"storeId"`
	ReceiptID      string        `json:"receiptId"`
	Amount         loyalty.Money `json:"amount"`
	Points         int64         `json:"points"`
	Refunded       loyalty.Money `json:"refunded"`
	RefundedPoints int64         `json:"refundedPoints"`
	Refundable     loyalty.Money `json:"refundable"`
	CreatedAt      time.Time     `json:"createdAt"`
}

func newTransactionFound(e loyalty.LedgerEntry, done loyalty.Reversed) transactionFound {
	paid := *e.Amount
	return transactionFound{
		ID: e.TxID().String(), Type: e.Kind, MemberID: e.MemberID, StoreID: e.Ref.StoreID, ReceiptID: e.Ref.ReceiptID,
		Amount: paid, Points: e.Points, RefundedPoints: done.Points, CreatedAt: e.CreatedAt,
		Refunded:   loyalty.Money{Value: done.Amount, Currency: paid.Currency},
		Refundable: loyalty.Money{Value: paid.Value - done.Amount, Currency: paid.Currency},
	}
}

// created answers a change with 201, flagging a replay as Stripe does.
func created(rc loyalty.Receipt) reply {
	rep := reply{status: 201, body: transactionView{
		TransactionID: rc.Entry.TxID().String(), Kind: rc.Entry.Kind, Points: rc.Entry.Points, Balance: rc.Balance,
		Tier: rc.Tier, PreviousTier: rc.PreviousTier, Shortfall: rc.Entry.Shortfall, Amount: rc.Entry.Amount, MemberID: rc.Entry.MemberID,
		PromotionID: rc.Entry.Ref.PromotionID,
	}}
	if rc.Replayed {
		rep.header = map[string][]string{"Idempotent-Replayed": {"true"}}
	}
	return rep
}
