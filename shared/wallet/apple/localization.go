package apple

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// language is one of the languages a pass carries strings for.
type language int

const (
	english language = iota
	french
)

// languages are the lproj folders every pass holds. Wallet shows the one that
// best matches the device's language list, whatever the member's locale.
var languages = []language{english, french}

func (l language) code() string {
	if l == french {
		return "fr"
	}
	return "en"
}

// languageOf reads a locale such as "fr" or "fr-FR"; anything that is not
// French gets English.
func languageOf(locale string) language {
	lang, _, _ := strings.Cut(locale, "-")
	if strings.EqualFold(lang, "fr") {
		return french
	}
	return english
}

// text is a string that Wallet localizes, in each language.
type text [2]string

// in returns the text in language l.
func (t text) in(l language) string { return t[l] }

// The strings a pass shows that Wallet translates. pass.json names each by
// its text in the member's language, and every lproj maps that key to its own
// translation: a viewer that ignores pass.strings (several Android apps
// open .pkpass files) then still shows the member's language rather than
// an identifier.
var (
	labelBalance   = text{"Points", "Points"}
	labelTier      = text{"Tier", "Niveau"}
	changeTier     = text{"Welcome to %@", "Bienvenue au niveau %@"}
	labelName      = text{"Member", "Membre"}
	labelSince     = text{"Member since", "Membre depuis"}
	labelNextTier  = text{"Next tier", "Niveau suivant"}
	valueTopTier   = text{"Top tier reached", "Niveau maximal atteint"}
	labelExpiring  = text{"Points expiring", "Points qui expirent"}
	labelTerms     = text{"Terms and conditions", "Conditions générales"}
	labelContact   = text{"Contact us", "Nous contacter"}
	labelPage      = text{"Your member page", "Votre espace membre"}
	labelNews      = text{"News", "Actualités"}
	labelGiven     = text{"Given to good causes this year", "Donné à des associations cette année"}
	localizedTexts = []text{labelBalance, labelTier, changeTier, labelName, labelSince, labelNextTier,
		valueTopTier, labelExpiring, labelTerms, labelContact, labelPage, labelNews, labelGiven}
)

// stringsFile renders target's pass.strings for a member whose language is
// keyed: each key is a text in keyed, each value its translation in target.
//
// It is UTF-16, little-endian with a byte order mark: the encoding of the
// strings files in Apple's PassKit guide and sample passes, which Foundation
// recognises by the mark on every iOS version. Current iOS reads UTF-8 strings
// files as well, but nothing is gained by relying on it.
func stringsFile(keyed, target language) []byte {
	var b strings.Builder
	for _, t := range localizedTexts {
		fmt.Fprintf(&b, "%s = %s;\n", quoteStrings(t.in(keyed)), quoteStrings(t.in(target)))
	}
	units := utf16.Encode([]rune(b.String()))
	out := make([]byte, 0, 2+2*len(units))
	out = append(out, 0xFF, 0xFE)
	for _, u := range units {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// quoteStrings quotes s for a .strings file, whose escapes are C's.
func quoteStrings(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

var (
	englishMonths = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
)

// formatDate writes a YYYY-MM-DD day for people reading l: "3 April 2026"
// (the month spelt out, so that neither American nor British readers misread
// it) or "3 avril 2026", "1er avril 2026".
func formatDate(day string, l language) (string, error) {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", fmt.Errorf("%q is not a date written as YYYY-MM-DD", day)
	}
	if l == french {
		d := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			d = "1er"
		}
		return fmt.Sprintf("%s %s %d", d, frenchMonths[t.Month()-1], t.Year()), nil
	}
	return fmt.Sprintf("%d %s %d", t.Day(), englishMonths[t.Month()-1], t.Year()), nil
}

// formatPoints groups digits by thousands the way l does: "12,500" or
// "12 500" with a narrow no-break space, as French typography (and CLDR) has it.
func formatPoints(n int64, l language) string {
	sep := ","
	if l == french {
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

// pointsToTier says how far the next tier is: "350 points to Gold".
func pointsToTier(points int64, tier string, l language) string {
	if l == french {
		return fmt.Sprintf("%s points avant le niveau %s", formatPoints(points, l), tier)
	}
	return fmt.Sprintf("%s points to %s", formatPoints(points, l), tier)
}

// expiringOn says which points expire when: "250 points on 31 March 2026".
func expiringOn(points int64, date string, l language) string {
	if l == french {
		return fmt.Sprintf("%s points le %s", formatPoints(points, l), date)
	}
	return fmt.Sprintf("%s points on %s", formatPoints(points, l), date)
}

// memberPageLink is the text of the link to the member's page.
func memberPageLink(l language) string {
	if l == french {
		return "Voir mes points, récompenses et historique"
	}
	return "See my points, rewards and history"
}
