package storetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/store"
)

// Populate writes one item of every kind the program stores, always the
// same (a stopped clock, SeqIDs), for the stores' golden tests. The stores
// write the domain types under their JSON names, so these tests are what
// notices when a change to a type (an API field renamed) would change the
// data on disk.
func Populate(t testing.TB, s store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("populate: %s: %v", what, err)
		}
	}
	p := loyalty.NewProgram(s, NewClock(Start), &SeqIDs{})
	rules := loyalty.DefaultRules()
	rules.BirthdayBonus = 150
	rules.Name = loyalty.Texts{EN: "Light Café", FR: "Café Lumière"}
	rules.Terms = loyalty.Texts{EN: "Points have no cash value."}
	_, err := p.SaveRules(ctx, rules)
	must("save rules", err)
	must("save logo", s.SaveLogo(ctx, []byte("\x89PNG\r\n\x1a\n not a real logo")))
	must("save reward", s.SaveReward(ctx, loyalty.Reward{ID: "coffee", Name: "Coffee", Points: 40, UpdatedAt: Start}))
	must("save retired reward", s.SaveReward(ctx, loyalty.Reward{ID: "lounge", Name: "Lounge", NameFR: "Salon", Points: 400, MinTier: loyalty.Gold,
		From: Start, Until: Start.AddDate(1, 0, 0), ArchivedAt: Start.AddDate(0, 1, 0), UpdatedAt: Start}))
	// The stores and keys are set up an hour before: their audit entries'
	// ids, from a sequence of their own, are then apart from the program's.
	setUp, ids := Start.Add(-time.Hour), &SeqIDs{}
	lat, lon := 48.8606, 2.3376
	must("save store", s.SaveShop(ctx, loyalty.Shop{ID: "paris", Name: "Paris Rivoli", Address: "1 rue de Rivoli, 75001 Paris", TimeZone: "Europe/Paris", Latitude: &lat, Longitude: &lon, UpdatedAt: setUp}, loyalty.NewAudit(ids, setUp, Owner, "store.create", "paris", "Paris Rivoli")))
	must("save staff key", s.SaveStaffKey(ctx, loyalty.StaffKey{ID: Till.KeyID, StoreID: "paris", Name: "Camille", Hash: loyalty.HashSecret("fs_key1_secret"), CreatedAt: setUp}, loyalty.NewAudit(ids, setUp, Owner, "staff-key.create", Till.KeyID, "Camille at paris")))
	analyst := "01KEY00000000000000ANALYST"
	must("save operator key", s.SaveOperatorKey(ctx, loyalty.OperatorKey{ID: analyst, Name: "Inès", Role: loyalty.RoleAnalyst, Hash: loyalty.HashSecret("fa_key2_secret"), CreatedAt: setUp}, loyalty.NewAudit(ids, setUp, Owner, "operator-key.create", analyst, "Inès as analyst")))
	_, err = s.RevokeOperatorKey(ctx, analyst, loyalty.NewAudit(ids, setUp, Owner, "operator-key.revoke", analyst, ""))
	must("revoke operator key", err)
	c, err := loyalty.PrepareCharity(loyalty.Charity{
		ID: "meals", Name: "Meals", Description: "Meals for people in need", PointsPerUnit: 100, Currency: "EUR",
		MinPoints: 10, Step: 10, Matching: &loyalty.Matching{Ratio: 1, CapPoints: 1000},
	}, nil, Start)
	must("prepare charity", err)
	must("save charity", s.SaveCharity(ctx, c))
	must("save job watermark", s.SaveJobWatermark(ctx, "expiry", loyalty.Date{Year: 2026, Month: time.March, Day: 31}))

	en, err := p.Enroll(ctx, loyalty.EnrollRequest{
		Profile: loyalty.Profile{Name: "Ada Lovelace", Email: "ada@example.com", Birthday: loyalty.Date{Year: 1990, Month: time.May, Day: 17}, TimeZone: "Europe/Paris", Locale: "fr"},
		Key:     loyalty.IdemKey{Scope: "enroll", Key: "enroll-1"},
	})
	must("enroll", err)
	id := en.Member.ID
	earned, err := p.Earn(ctx, loyalty.EarnRequest{MemberID: id, Amount: loyalty.Money{Value: 12500, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R-1", Actor: Till})
	must("earn", err)
	_, err = p.Earn(ctx, loyalty.EarnRequest{MemberID: id, Amount: loyalty.Money{Value: 4000, Currency: "EUR"}, StoreID: "paris", ReceiptID: "R-2", Actor: Till})
	must("earn again", err)
	_, err = p.Redeem(ctx, loyalty.RedeemRequest{MemberID: id, RewardID: "coffee", StoreID: "paris", Actor: Till, Key: loyalty.IdemKey{Scope: "redeem/paris", Key: "redeem-1"}})
	must("redeem", err)
	_, err = p.Reverse(ctx, loyalty.ReverseRequest{Tx: earned.Entry.TxID(), Actor: Owner})
	must("reverse", err)
	_, err = p.Donate(ctx, loyalty.DonateRequest{MemberID: id, CharityID: "meals", Points: 20, Actor: loyalty.Actor{Who: loyalty.WhoMember, MemberID: id}, Key: loyalty.IdemKey{Scope: "donate/" + id, Key: "gift-1"}})
	must("donate", err)
	_, err = p.SetDonationPlan(ctx, id, loyalty.DonationPlan{CharityID: "meals", MonthlyPoints: 10, DonateExpiringPoints: true})
	must("set donation plan", err)
	_, err = p.Reissue(ctx, loyalty.ReissueRequest{MemberID: id, Caller: "member", Key: loyalty.IdemKey{Scope: "credentials/" + id, Key: "lost-phone"}})
	must("reissue", err)

	_, err = s.Register(ctx, store.Registration{DeviceID: "d41d8cd98f00b204e9800998ecf8427e", Serial: en.Member.Serial, PushToken: "8c7f1b2a0e9d4c3b", CreatedAt: Start})
	must("register device", err)
	_, err = s.ClaimPush(ctx, en.Member.Serial, 3, "d41d8cd98f00b204e9800998ecf8427e")
	must("claim push", err)
	must("open session", s.SaveSession(ctx, loyalty.Session{ID: loyalty.HashSecret("fz_session_secret"), MemberID: id, CreatedAt: Start, ExpiresAt: Start.Add(loyalty.SessionTTL)}))
	promo := loyalty.Promotion{ID: "weekend", Name: loyalty.Texts{EN: "Double points", FR: "Points doublés"}, MultiplierPercent: 200,
		StartsAt: Start, EndsAt: Start.AddDate(0, 0, 2), StoreID: "lyon", CreatedAt: setUp}
	must("create promotion", s.CreatePromotion(ctx, promo, loyalty.NewAudit(ids, setUp, Owner, "promotion.create", "weekend", "Double points")))
	_, err = s.EndPromotion(ctx, "weekend", loyalty.NewAudit(ids, Start.Add(time.Hour), Owner, "promotion.end", "weekend", ""))
	must("end promotion", err)
	paris := loyalty.Shop{ID: "paris", Name: "Paris Rivoli", TimeZone: "Europe/Paris", Latitude: &lat, Longitude: &lon, UpdatedAt: setUp}
	moved, north := paris, 48.87
	moved.Latitude, moved.UpdatedAt = &north, Start
	refresh, _ := loyalty.StoreRefresh(&paris, moved)
	_, err = s.SaveCardRefresh(ctx, refresh)
	must("save card refresh", err)
	_, err = p.RefreshCard(ctx, refresh, []loyalty.Shop{moved}, id)
	must("refresh card", err)
	refresh.CampaignProgress = refresh.Apply(loyalty.CampaignPage{Number: 1, Last: true, At: Start, Targeted: 1, Delivered: 1})
	must("advance card refresh", s.AdvanceCardRefresh(ctx, refresh, 0))
}

// Golden compares got with the golden file at path, or writes it when update
// is set.
func Golden(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotLines, wantLines := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range max(len(gotLines), len(wantLines)) {
		var g, w []byte
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if !bytes.Equal(g, w) {
			t.Fatalf("the stored items differ from %s at line %d:\n got: %s\nwant: %s\n"+
				"What is on disk changed: if that is meant, migrate the data and run the test with -update; "+
				"if a domain type's JSON name changed, stored items keep the old one.", path, i+1, g, w)
		}
	}
}
