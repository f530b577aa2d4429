package loyalty_test

import (
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func TestEventsOfAChangeAreDerivedFromItAlone(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	before := loyalty.Member{ID: "01KAAAAAAAAAAAAAAAAAAAAAAA", Tier: "silver", Version: 4, LedgerSeq: 3}
	after := before
	after.Tier, after.Version, after.LedgerSeq, after.UpdatedAt = "bronze", 5, 5, at
	entries := []loyalty.LedgerEntry{
		{MemberID: after.ID, Seq: 4, Kind: loyalty.KindReversal, Points: -40, Ref: loyalty.Reference{Reverses: 2}, CreatedAt: at},
		{MemberID: after.ID, Seq: 5, Kind: loyalty.KindAdjust, Points: 5, CreatedAt: at},
	}
	if first, last := loyalty.NewEntries(&before, after); first != 4 || last != 5 {
		t.Errorf("NewEntries = %d..%d, want 4..5", first, last)
	}
	es := loyalty.EventsOf(&before, after, entries)
	if len(es) != 2 {
		t.Fatalf("events %+v, want a reversal and a tier change (an adjustment is none)", es)
	}
	rev := es[0].Data.(loyalty.TransactionData)
	if es[0].Type != loyalty.EventTransactionReversed || es[0].ID != "evt_"+after.ID+"-4" || rev.Reverses != after.ID+"-2" || rev.Points != -40 {
		t.Errorf("reversal %+v", es[0])
	}
	tier := es[1].Data.(loyalty.TierChangedData)
	if es[1].Type != loyalty.EventTierChanged || es[1].ID != "evt_"+after.ID+"_v5_tier" || tier.From != "silver" || tier.To != "bronze" {
		t.Errorf("tier change %+v", es[1])
	}
	again := loyalty.EventsOf(&before, after, entries)
	if again[0].ID != es[0].ID || again[1].ID != es[1].ID {
		t.Error("the same change gave other ids")
	}
	if es := loyalty.EventsOf(&after, after, nil); len(es) != 0 {
		t.Errorf("a change of nothing the events tell: %+v", es)
	}
}

func TestAReferralBonusIsReferralRewardedAndItsTakingBackAReversal(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	referrer, newcomer := "01KAAAAAAAAAAAAAAAAAAAAAAA", "01KBBBBBBBBBBBBBBBBBBBBBBB"
	before := loyalty.Member{ID: referrer, Tier: "bronze", Version: 1, LedgerSeq: 1}
	after := before
	after.Version, after.LedgerSeq = 3, 3
	entries := []loyalty.LedgerEntry{
		{MemberID: referrer, Seq: 2, Kind: loyalty.KindReferral, Points: 100, BalanceAfter: 150, Ref: loyalty.Reference{Referred: newcomer}, Actor: "program", CreatedAt: at},
		{MemberID: referrer, Seq: 3, Kind: loyalty.KindReferral, Points: -100, BalanceAfter: 50, Ref: loyalty.Reference{Referred: newcomer}, Actor: "program", CreatedAt: at},
	}
	es := loyalty.EventsOf(&before, after, entries)
	if len(es) != 2 {
		t.Fatalf("events %+v, want the bonus and its taking back", es)
	}
	bonus := es[0].Data.(loyalty.TransactionData)
	if es[0].Type != loyalty.EventReferralRewarded || es[0].ID != "evt_"+referrer+"-2" || bonus.Points != 100 || bonus.Referred != newcomer || bonus.Kind != loyalty.KindReferral {
		t.Errorf("bonus %+v", es[0])
	}
	if es[1].Type != loyalty.EventTransactionReversed || es[1].Data.(loyalty.TransactionData).Points != -100 {
		t.Errorf("taking back %+v", es[1])
	}
}

func TestACampaignsDeliveryIsOneEventWithItsBonus(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const campaign = "01KCAMPAIGN000000000000000"
	before := loyalty.Member{ID: "01KAAAAAAAAAAAAAAAAAAAAAAA", Tier: "silver", Version: 4, LedgerSeq: 3, Marketing: true}
	after := before
	after.Version, after.LedgerSeq, after.News = 5, 4, &loyalty.News{ID: "campaign/" + campaign, Text: loyalty.Texts{EN: "Hello"}, At: at}
	entries := []loyalty.LedgerEntry{{MemberID: after.ID, Seq: 4, Kind: loyalty.KindCampaign, Points: 25, CreatedAt: at}}
	es := loyalty.EventsOf(&before, after, entries)
	if len(es) != 1 || es[0].Type != loyalty.EventCampaignDelivered || es[0].ID != "evt_"+after.ID+"_campaign_"+campaign || !es[0].OccurredAt.Equal(at) {
		t.Fatalf("events %+v, want one campaign.delivered (the bonus is no event of its own)", es)
	}
	if d := es[0].Data.(loyalty.CampaignDeliveredData); d.CampaignID != campaign || d.TransactionID != after.ID+"-4" || d.BonusPoints != 25 {
		t.Errorf("data %+v", d)
	}
	later := after
	later.Version, later.Balance = 6, 100
	if es := loyalty.EventsOf(&after, later, nil); len(es) != 0 {
		t.Errorf("a later change of a card that carries the message: %+v", es)
	}
}
