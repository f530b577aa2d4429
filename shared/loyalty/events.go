package loyalty

import (
	"strconv"
	"strings"
	"time"
)

// EventType names a business event the program sends out (to EventBridge,
// to webhooks). The names are a contract: docs/events.schema.json describes
// each one's data.
type EventType string

const (
	EventMemberEnrolled      EventType = "member.enrolled"
	EventPointsEarned        EventType = "points.earned"
	EventPointsRedeemed      EventType = "points.redeemed"
	EventTransactionReversed EventType = "transaction.reversed"
	EventTierChanged         EventType = "tier.changed"
	EventBirthdayRewarded    EventType = "birthday.rewarded"
	EventPointsExpired       EventType = "points.expired"
	EventDonationMade        EventType = "donation.made"
	EventReferralRewarded    EventType = "referral.rewarded"
	EventCampaignDelivered   EventType = "campaign.delivered"
)

// EventTypes lists every event type, in the order the documentation gives them.
var EventTypes = []EventType{
	EventMemberEnrolled, EventPointsEarned, EventPointsRedeemed, EventTransactionReversed,
	EventTierChanged, EventBirthdayRewarded, EventPointsExpired, EventDonationMade,
	EventReferralRewarded, EventCampaignDelivered,
}

// entryEvents says which event a ledger entry of a kind is. A welcome
// entry is part of member.enrolled; an operator's adjustment is no business
// event of its own. A referral bonus taken back is transaction.reversed.
var entryEvents = map[Kind]EventType{
	KindReferral: EventReferralRewarded,
	KindEarn:     EventPointsEarned,
	KindRedeem:   EventPointsRedeemed,
	KindReversal: EventTransactionReversed,
	KindBirthday: EventBirthdayRewarded,
	KindExpire:   EventPointsExpired,
	KindDonate:   EventDonationMade,
}

// Event is one business event. Its ID is derived from the change it
// describes, never drawn at random, so the same change handed over again
// (a stream retried, a feed read again) gives the same ID: a consumer drops
// an ID it has seen.
type Event struct {
	ID         string    `json:"id"`
	Type       EventType `json:"type"`
	OccurredAt time.Time `json:"occurredAt"`
	MemberID   string    `json:"memberId"`
	Data       any       `json:"data"`
}

// EnrolledData is the data of member.enrolled.
type EnrolledData struct {
	Name    string `json:"name"`
	Email   string `json:"email"`
	Locale  string `json:"locale"`
	Tier    Tier   `json:"tier"`
	Balance int64  `json:"balance"`
}

// TransactionData is the data of an event made by one ledger entry.
type TransactionData struct {
	TransactionID string `json:"transactionId"`
	Kind          Kind   `json:"kind"`
	// Points is signed, as on the ledger: a redemption is negative.
	Points       int64  `json:"points"`
	BalanceAfter int64  `json:"balanceAfter"`
	Amount       *Money `json:"amount,omitempty"`
	StoreID      string `json:"storeId,omitempty"`
	ReceiptID    string `json:"receiptId,omitempty"`
	RewardID     string `json:"rewardId,omitempty"`
	CharityID    string `json:"charityId,omitempty"`
	Matched      int64  `json:"matched,omitempty"`
	// Reverses is the transaction id of the earning a reversal undoes.
	Reverses  string `json:"reverses,omitempty"`
	Shortfall int64  `json:"shortfall,omitempty"`
	// Referrer and Referred name the other member of a referral: who
	// referred the new member, and whom the referrer referred.
	Referrer string `json:"referrer,omitempty"`
	Referred string `json:"referred,omitempty"`
	Actor    string `json:"actor"`
}

// TierChangedData is the data of tier.changed.
type TierChangedData struct {
	From Tier `json:"from"`
	To   Tier `json:"to"`
}

// CampaignDeliveredData is the data of campaign.delivered: a campaign's
// message is on the member's card, with its bonus when it gave one.
type CampaignDeliveredData struct {
	CampaignID string `json:"campaignId"`
	// TransactionID and BonusPoints are the bonus's ledger entry, absent
	// when the campaign gave none.
	TransactionID string `json:"transactionId,omitempty"`
	BonusPoints   int64  `json:"bonusPoints,omitempty"`
}

// EventsOf lists the business events of one committed change of a member,
// from before (nil for a new member) to after; entries are the ledger
// entries the change wrote, oldest first (Seq before.LedgerSeq+1 to
// after.LedgerSeq).
func EventsOf(before *Member, after Member, entries []LedgerEntry) []Event {
	var out []Event
	if before == nil {
		out = append(out, Event{
			ID: "evt_" + after.ID + "_enrolled", Type: EventMemberEnrolled, OccurredAt: after.CreatedAt, MemberID: after.ID,
			Data: EnrolledData{Name: after.Name, Email: after.Email, Locale: after.Locale, Tier: after.Tier, Balance: after.Balance},
		})
	}
	for _, e := range entries {
		typ, ok := entryEvents[e.Kind]
		if !ok {
			continue
		}
		if e.Kind == KindReferral && e.Points < 0 {
			typ = EventTransactionReversed
		}
		d := TransactionData{
			TransactionID: e.TxID().String(), Kind: e.Kind, Points: e.Points, BalanceAfter: e.BalanceAfter, Amount: e.Amount,
			StoreID: e.Ref.StoreID, ReceiptID: e.Ref.ReceiptID, RewardID: e.Ref.RewardID, CharityID: e.Ref.CharityID,
			Matched: e.Matched, Shortfall: e.Shortfall, Referrer: e.Ref.Referrer, Referred: e.Ref.Referred, Actor: e.Actor,
		}
		if e.Ref.Reverses > 0 {
			d.Reverses = TxID{e.MemberID, e.Ref.Reverses}.String()
		}
		out = append(out, Event{ID: "evt_" + d.TransactionID, Type: typ, OccurredAt: e.CreatedAt, MemberID: e.MemberID, Data: d})
	}
	if id, ok := deliveredCampaign(before, after); ok {
		d := CampaignDeliveredData{CampaignID: id}
		for _, e := range entries {
			if e.Kind == KindCampaign {
				d.TransactionID, d.BonusPoints = e.TxID().String(), e.Points
			}
		}
		out = append(out, Event{ID: "evt_" + after.ID + "_campaign_" + id, Type: EventCampaignDelivered, OccurredAt: after.News.At, MemberID: after.ID, Data: d})
	}
	if before != nil && before.Tier != after.Tier {
		out = append(out, Event{
			ID:   "evt_" + after.ID + "_v" + strconv.FormatInt(after.Version, 10) + "_tier",
			Type: EventTierChanged, OccurredAt: after.UpdatedAt, MemberID: after.ID,
			Data: TierChangedData{From: before.Tier, To: after.Tier},
		})
	}
	return out
}

// deliveredCampaign is the campaign whose message the change put on the card.
func deliveredCampaign(before *Member, after Member) (string, bool) {
	if before == nil || before.newsID() == after.newsID() {
		return "", false
	}
	return strings.CutPrefix(after.newsID(), "campaign/")
}

// NewEntries is the range of ledger sequence numbers a change from before
// to after wrote: from the first to the last, both included; none when
// last < first.
func NewEntries(before *Member, after Member) (first, last int64) {
	first = 1
	if before != nil {
		first = before.LedgerSeq + 1
	}
	return first, after.LedgerSeq
}
