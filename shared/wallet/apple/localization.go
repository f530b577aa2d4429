package apple

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/wallet/locale"
)

// cardTexts are the texts of every pass that Wallet translates, beside the
// program's terms and contact. pass.json names each by its text in the
// member's language, and every lproj maps that key to its own translation: a
// viewer that ignores pass.strings (several Android apps open .pkpass files)
// then still shows the member's language rather than an identifier.
func cardTexts(cfg Config) []locale.Text {
	texts := []locale.Text{locale.LabelBalance, locale.LabelTier, locale.TierRose, locale.TierFell,
		locale.LabelName, locale.LabelSince, locale.LabelNextTier, locale.TopTier, locale.LabelExpiring,
		locale.LabelTerms, locale.LabelContact, locale.LabelPage, locale.LabelNews, locale.LabelGiven, locale.LabelReferral, locale.LabelOffers,
		cfg.Description, cfg.Terms, cfg.Contact, cfg.Name}
	for _, t := range loyalty.Tiers {
		texts = append(texts, locale.TierName(t))
	}
	return texts
}

// stringsFile renders target's pass.strings for a member whose language is
// keyed: each key is a text in keyed, each value its translation in target.
//
// It is UTF-16, little-endian with a byte order mark: the encoding of the
// strings files in Apple's PassKit guide and sample passes, which Foundation
// recognises by the mark on every iOS version. Current iOS reads UTF-8 strings
// files as well, but nothing is gained by relying on it.
func stringsFile(texts []locale.Text, keyed, target locale.Language) []byte {
	var b strings.Builder
	seen := map[string]bool{}
	for _, t := range texts {
		// A key twice would be a mistake to Foundation; texts that share a
		// key in one language ("Points") share it in the others too.
		if key := t.In(keyed); key != "" && !seen[key] {
			seen[key] = true
			fmt.Fprintf(&b, "%s = %s;\n", quoteStrings(key), quoteStrings(t.In(target)))
		}
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
