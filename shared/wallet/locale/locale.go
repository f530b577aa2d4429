// Package locale holds the words and formats of a member's card in each
// language the program speaks, so that the Apple pass, the Google card and
// the card preview say the same thing in the member's language.
package locale

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

// Language is one of the languages a card is written in.
type Language int

const (
	English Language = iota
	French
)

// Languages lists every language a card carries its texts in.
var Languages = []Language{English, French}

// Code is the language's BCP 47 tag ("en", "fr"), the name of its lproj
// folder and Google's language of a translated value.
func (l Language) Code() string {
	if l == French {
		return "fr"
	}
	return "en"
}

// Of reads a member's locale such as "fr" or "fr-FR"; anything that is not
// French gets English.
func Of(locale string) Language {
	lang, _, _ := strings.Cut(locale, "-")
	if strings.EqualFold(lang, "fr") {
		return French
	}
	return English
}

// Text is one text in each language, indexed by Language.
type Text [2]string

// In returns the text in l; a text nobody translated reads in English.
func (t Text) In(l Language) string {
	if t[l] == "" {
		return t[English]
	}
	return t[l]
}

// IsZero reports a text that is empty in every language.
func (t Text) IsZero() bool { return t == Text{} }

// With replaces the "%@" of a change message (Apple's placeholder for the
// field's new value) by value in each language.
func (t Text) With(value Text) Text {
	var out Text
	for _, l := range Languages {
		out[l] = strings.ReplaceAll(t.In(l), "%@", value.In(l))
	}
	return out
}

// From is the operator's text in each language.
func From(t loyalty.Texts) Text { return Text{t.EN, t.FR} }

// Description says what a program's card is, for VoiceOver: "Loyalty card
// of <name>", in each language.
func Description(name Text) Text {
	return Text{name.In(English) + " loyalty card", "Carte de fidélité " + name.In(French)}
}

// each computes a text in every language.
func each(f func(Language) string) Text {
	var t Text
	for _, l := range Languages {
		t[l] = f(l)
	}
	return t
}

// The labels and fixed texts of a card.
var (
	LabelBalance  = Text{"Points", "Points"}
	LabelTier     = Text{"Tier", "Niveau"}
	LabelName     = Text{"Member", "Membre"}
	LabelSince    = Text{"Member since", "Membre depuis"}
	LabelNextTier = Text{"Next tier", "Niveau suivant"}
	TopTier       = Text{"Top tier", "Niveau maximal"}
	LabelExpiring = Text{"Points expiring", "Points qui expirent"}
	LabelTerms    = Text{"Terms and conditions", "Conditions générales"}
	LabelContact  = Text{"Contact us", "Nous contacter"}
	LabelPage     = Text{"Your member page", "Votre espace membre"}
	LabelNews     = Text{"News", "Actualités"}
	LabelGiven    = Text{"Given to good causes this year", "Donné à des associations cette année"}
	PageLink      = Text{"See my points, rewards and history", "Voir mes points, récompenses et historique"}
	LabelReferral = Text{"Invite your friends", "Parrainez vos proches"}
	LabelOffers   = Text{"Offers", "Offres"}

	// TierRose and TierFell tell the member of a new tier, "%@" standing for
	// its name: congratulations on the way up, a plain and kind line on the
	// way down (a refund or a yearly review).
	TierRose       = Text{"Congratulations! You have reached %@.", "Félicitations ! Vous avez atteint le niveau %@."}
	TierFell       = Text{"Your card is now %@. Thank you for being a member.", "Votre carte est désormais au niveau %@. Merci de votre fidélité."}
	TierRoseHeader = Text{"Congratulations!", "Félicitations !"}
	TierFellHeader = Text{"Your tier has changed", "Votre niveau a changé"}
)

// tierNames are the tiers' names as members read them.
var tierNames = map[loyalty.Tier]Text{
	loyalty.Bronze:   {"Bronze", "Bronze"},
	loyalty.Silver:   {"Silver", "Argent"},
	loyalty.Gold:     {"Gold", "Or"},
	loyalty.Platinum: {"Platinum", "Platine"},
}

// TierName is a tier's name in each language; an unknown tier is named by
// its id.
func TierName(t loyalty.Tier) Text {
	if n, ok := tierNames[t]; ok {
		return n
	}
	return Text{t.Title()}
}

// TierChange is the message of a move from one tier to another.
func TierChange(from, to loyalty.Tier) Text {
	if to.Rank() < from.Rank() {
		return TierFell
	}
	return TierRose
}

var (
	englishMonths = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
)

// Date writes a YYYY-MM-DD day for people: "3 April 2026" (the month spelt
// out, so that neither American nor British readers misread it), "3 avril
// 2026", "1er avril 2026".
func Date(day string) (Text, error) {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return Text{}, fmt.Errorf("%q is not a date written as YYYY-MM-DD", day)
	}
	return each(func(l Language) string {
		if l == French {
			d := strconv.Itoa(t.Day())
			if t.Day() == 1 {
				d = "1er"
			}
			return fmt.Sprintf("%s %s %d", d, frenchMonths[t.Month()-1], t.Year())
		}
		return fmt.Sprintf("%d %s %d", t.Day(), englishMonths[t.Month()-1], t.Year())
	}), nil
}

// Number groups digits by thousands the way l does: "12,500" or "12 500"
// with a narrow no-break space, as French typography (and CLDR) has it.
func Number(n int64, l Language) string {
	sep := ","
	if l == French {
		sep = "\u202f"
	}
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// PointsToTier says how far the next tier is, short enough for a field of a
// third of the card: "350 pts to Gold", "Or dans 350 pts".
func PointsToTier(points int64, next loyalty.Tier) Text {
	name := TierName(next)
	return each(func(l Language) string {
		if l == French {
			return fmt.Sprintf("%s dans %s pts", name.In(l), Number(points, l))
		}
		return fmt.Sprintf("%s pts to %s", Number(points, l), name.In(l))
	})
}

// ExpiringOn says which points expire when: "250 points on 31 March 2026".
func ExpiringOn(points int64, day string) (Text, error) {
	date, err := Date(day)
	if err != nil {
		return Text{}, err
	}
	return each(func(l Language) string {
		if l == French {
			return fmt.Sprintf("%s points le %s", Number(points, l), date.In(l))
		}
		return fmt.Sprintf("%s points on %s", Number(points, l), date.In(l))
	}), nil
}

// Offers are the promotions a card shows, one a line: "Double points,
// until 29 November 2026", the last day of the window (UTC) included.
func Offers(ps []loyalty.Promotion) Text {
	return each(func(l Language) string {
		lines := make([]string, len(ps))
		for i, p := range ps {
			last, _ := Date(p.Until().Add(-time.Nanosecond).UTC().Format(time.DateOnly)) // always YYYY-MM-DD
			name := From(p.Name)
			if l == French {
				lines[i] = fmt.Sprintf("%s, jusqu’au %s", name.In(l), last.In(l))
			} else {
				lines[i] = fmt.Sprintf("%s, until %s", name.In(l), last.In(l))
			}
		}
		return strings.Join(lines, "\n")
	})
}

// ReferralLink is the words of the pass's referral link: the member's code,
// which a friend can also type on the join page.
func ReferralLink(code string) Text {
	return Text{"Share your link (code " + code + ")", "Partagez votre lien (code " + code + ")"}
}

// ReferralInvite is the Google card's referral text: a friend joins with
// the member's link, which the card also carries, or types the code.
func ReferralInvite(code string) Text {
	return Text{"Friends join with your link, or with your code " + code + " on the join page.",
		"Vos proches s’inscrivent avec votre lien, ou avec votre code " + code + " sur la page d’inscription."}
}

// News is what a card's news says in each language: a campaign's text as
// the operator wrote it, or an automatic message written from what it is
// about (the birthday greeting names the member by their first name).
func News(n loyalty.News, memberName string) Text {
	if n.Auto == nil {
		return From(n.Text)
	}
	a := *n.Auto
	return each(func(l Language) string {
		points := Number(a.Points, l)
		switch {
		case a.Kind == loyalty.AutoExpiring && l == French:
			date, _ := Date(a.On.String()) // a Date always writes YYYY-MM-DD
			return fmt.Sprintf("%s points expirent le %s\u00a0: pensez à les utiliser.", points, date.In(l))
		case a.Kind == loyalty.AutoExpiring:
			date, _ := Date(a.On.String())
			return fmt.Sprintf("%s points expire on %s: use them before then.", points, date.In(l))
		case a.Kind == loyalty.AutoNearTier && l == French:
			return fmt.Sprintf("Plus que %s points pour atteindre le niveau %s\u00a0!", points, TierName(a.Tier).In(l))
		case a.Kind == loyalty.AutoNearTier:
			return fmt.Sprintf("Only %s points to go to reach %s!", points, TierName(a.Tier).In(l))
		}
		first, _, _ := strings.Cut(memberName, " ")
		if l == French {
			return fmt.Sprintf("Joyeux anniversaire, %s\u00a0! %s points pour vous.", first, points)
		}
		return fmt.Sprintf("Happy birthday, %s! %s points are yours.", first, points)
	})
}
