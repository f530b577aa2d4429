package loyalty

import "time"

// cardChanged reports whether a change alters what the member's wallet card
// shows (a new member's card is new), so that phones are told only then.
func cardChanged(before, after Member) bool {
	return before.ID == "" || before.Balance != after.Balance || before.Tier != after.Tier || before.Name != after.Name ||
		before.ExpiryNoticeOn != after.ExpiryNoticeOn || before.CodeGeneration != after.CodeGeneration ||
		before.newsID() != after.newsID() || before.Locale != after.Locale || before.CardRefresh != after.CardRefresh
}

// nextCardTime is the change time of a card changed at now: a whole second
// (what HTTP's Last-Modified and Wallet's update tags can carry), and always
// later than the card's previous change. Two changes in the same second thus
// get distinct times, and a phone that fetched the card between them is
// never told it already has the latest.
func nextCardTime(prev, now time.Time) time.Time {
	t := now.UTC().Truncate(time.Second)
	if !t.After(prev) {
		t = prev.Add(time.Second)
	}
	return t
}
