package wallet

import (
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// TestTheAutomaticMessagesSpeakTheMembersLanguageWhileTheirOccasionLasts
// holds each automatic message's words in English and French, and its
// leaving the card once its occasion is over.
func TestTheAutomaticMessagesSpeakTheMembersLanguageWhileTheirOccasionLasts(t *testing.T) {
	at := time.Date(2027, 3, 15, 2, 0, 0, 0, time.UTC)
	news := func(a loyalty.AutoNews) *loyalty.News {
		return &loyalty.News{ID: "auto/" + string(a.Kind), Auto: &a, At: at}
	}
	expiring := news(loyalty.AutoNews{Kind: loyalty.AutoExpiring, Points: 1250, On: loyalty.Date{Year: 2027, Month: time.April, Day: 1}})
	near := news(loyalty.AutoNews{Kind: loyalty.AutoNearTier, Points: 120, Tier: loyalty.Gold})
	present := news(loyalty.AutoNews{Kind: loyalty.AutoBirthday, Points: 100})
	campaign := &loyalty.News{ID: "campaign/1", Text: loyalty.Texts{EN: "Double points", FR: "Points doublés"}, At: at}
	member := func(locale string, tier loyalty.Tier, n *loyalty.News) loyalty.Member {
		return loyalty.Member{Name: "Léa Martin", Locale: locale, Tier: tier, News: n}
	}
	tests := []struct {
		name string
		m    loyalty.Member
		now  time.Time
		want string
	}{
		{"points expiring, in English", member("en", loyalty.Silver, expiring), at, "1,250 points expire on 1 April 2027: use them before then."},
		{"points expiring, in French", member("fr-FR", loyalty.Silver, expiring), at, "1\u202f250 points expirent le 1er avril 2027\u00a0: pensez à les utiliser."},
		{"points expiring, on their last day", member("en", loyalty.Silver, expiring), time.Date(2027, 4, 1, 23, 0, 0, 0, time.UTC), "1,250 points expire on 1 April 2027: use them before then."},
		{"points expired: the message is gone", member("en", loyalty.Silver, expiring), time.Date(2027, 4, 2, 0, 0, 0, 0, time.UTC), ""},
		{"close to the next tier, in English", member("en", loyalty.Silver, near), at, "Only 120 points to go to reach Gold!"},
		{"close to the next tier, in French", member("fr", loyalty.Silver, near), at, "Plus que 120 points pour atteindre le niveau Or\u00a0!"},
		{"the tier reached: the message is gone", member("en", loyalty.Gold, near), at, ""},
		{"the present, in English", member("en", loyalty.Silver, present), at, "Happy birthday, Léa! 100 points are yours."},
		{"the present, in French", member("fr", loyalty.Silver, present), at.Add(6 * 24 * time.Hour), "Joyeux anniversaire, Léa\u00a0! 100 points pour vous."},
		{"a week after the present: the greeting is gone", member("en", loyalty.Silver, present), at.Add(7 * 24 * time.Hour), ""},
		{"a campaign's message stays", member("fr", loyalty.Silver, campaign), at.AddDate(1, 0, 0), "Points doublés"},
		{"no message", member("en", loyalty.Silver, nil), at, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := News(tc.m, tc.now).In(locale.Of(tc.m.Locale)); got != tc.want {
				t.Fatalf("news = %q, want %q", got, tc.want)
			}
		})
	}
}
