package locale

import (
	"testing"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func TestAMembersLocaleChoosesTheLanguage(t *testing.T) {
	for locale, want := range map[string]Language{"fr": French, "fr-FR": French, "FR-ca": French, "en": English, "de-DE": English, "": English} {
		if got := Of(locale); got != want {
			t.Errorf("Of(%q) = %s, want %s", locale, got.Code(), want.Code())
		}
	}
}

func TestTiersHaveTheirFrenchNames(t *testing.T) {
	want := map[loyalty.Tier]string{loyalty.Bronze: "Bronze", loyalty.Silver: "Argent", loyalty.Gold: "Or", loyalty.Platinum: "Platine"}
	for _, tier := range loyalty.Tiers {
		if got := TierName(tier).In(French); got != want[tier] {
			t.Errorf("%s in French = %q, want %q", tier, got, want[tier])
		}
		if got := TierName(tier).In(English); got != tier.Title() {
			t.Errorf("%s in English = %q, want %q", tier, got, tier.Title())
		}
	}
}

func TestFirstOfTheMonthIsPremierInFrench(t *testing.T) {
	for _, tc := range []struct {
		day  string
		lang Language
		want string
	}{
		{"2026-05-01", French, "1er mai 2026"},
		{"2026-05-02", French, "2 mai 2026"},
		{"2026-05-01", English, "1 May 2026"},
	} {
		got, err := Date(tc.day)
		if err != nil || got.In(tc.lang) != tc.want {
			t.Errorf("Date(%s) in %s = %q, %v; want %q", tc.day, tc.lang.Code(), got.In(tc.lang), err, tc.want)
		}
	}
	if _, err := Date("01/05/2026"); err == nil {
		t.Error("a day not written YYYY-MM-DD was accepted")
	}
}

func TestPointsAreGroupedByThousands(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		lang Language
		want string
	}{
		{0, English, "0"},
		{999, English, "999"},
		{1000, English, "1,000"},
		{-1234567, English, "-1,234,567"},
		{1234567, French, "1\u202f234\u202f567"},
	} {
		if got := Number(tc.n, tc.lang); got != tc.want {
			t.Errorf("Number(%d, %s) = %q, want %q", tc.n, tc.lang.Code(), got, tc.want)
		}
	}
}

func TestTheNextTierLineNamesTheTierInTheMembersLanguage(t *testing.T) {
	line := PointsToTier(1350, loyalty.Platinum)
	if line.In(English) != "1,350 pts to Platinum" || line.In(French) != "Platine dans 1\u202f350 pts" {
		t.Errorf("next tier line = %q", line)
	}
}

func TestTheTierChangeCongratulatesOnlyOnTheWayUp(t *testing.T) {
	for _, tc := range []struct {
		from, to loyalty.Tier
		want     Text
	}{
		{loyalty.Bronze, loyalty.Silver, TierRose},
		{"", loyalty.Bronze, TierRose},
		{loyalty.Platinum, loyalty.Silver, TierFell},
		{loyalty.Gold, loyalty.Silver, TierFell},
	} {
		if got := TierChange(tc.from, tc.to); got != tc.want {
			t.Errorf("TierChange(%s, %s) = %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
	got := TierFell.With(TierName(loyalty.Silver))
	if got.In(English) != "Your card is now Silver. Thank you for being a member." ||
		got.In(French) != "Votre carte est désormais au niveau Argent. Merci de votre fidélité." {
		t.Errorf("TierFell with Silver = %q", got)
	}
}
