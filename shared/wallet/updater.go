package wallet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
	"github.com/fidelio/fidelio/shared/metrics"
	"github.com/fidelio/fidelio/shared/store"
	"github.com/fidelio/fidelio/shared/wallet/apns"
	"github.com/fidelio/fidelio/shared/wallet/google"
)

// CardChanged reports whether a change of member changed what the card shows.
func CardChanged(before, after loyalty.Member) bool {
	return !before.CardUpdatedAt.Equal(after.CardUpdatedAt)
}

// Updater keeps the cards on phones current. It runs for every change of a
// member — from the DynamoDB stream in AWS, from the embedded store's change
// feed locally — never inside a request.
type Updater struct {
	Cards    *Cards
	Accounts interface {
		LoadAccount(ctx context.Context, id string) (loyalty.Account, error)
		Rules(ctx context.Context) (loyalty.Rules, error)
	}
	Registrations store.Registrations
	// Campaigns counts what each campaign's deliveries pushed; nil counts
	// nothing.
	Campaigns interface {
		CountCampaignPushes(ctx context.Context, campaignID, memberID string, pushed, failed int64) error
	}
	// Logo names the logo's version, which the Google classes' logo URLs
	// carry: the pass updater draws no image.
	Logo interface {
		LogoVersion(ctx context.Context) (string, error)
	}
	// Pusher pushes to Apple devices; nil when Apple Wallet is off.
	Pusher *apns.Pusher
	Logger *slog.Logger
	// Clock tells when a change is drawn and which day's budget of Google
	// messages it takes; nil is the system's.
	Clock loyalty.Clock

	// rules are read through a cache: the stream brings the changes of
	// every member, and the one rules item must not be read for each.
	rulesOnce sync.Once
	rules     *loyalty.RulesCache
}

// Changed brings the member's cards up to date after a change from before
// (nil when the member is new) to after. A non-nil error means the change
// should be handed over again; what was done is not done twice: the Apple
// push of a change to a device is claimed once, and a Google update is
// idempotent.
func (u *Updater) Changed(ctx context.Context, before *loyalty.Member, after loyalty.Member) error {
	if before == nil || !CardChanged(*before, after) {
		return nil
	}
	var told pushCount
	if u.Pusher != nil {
		var err error
		if told, err = u.pushApple(ctx, after); err != nil {
			return errors.Join(err, u.countCampaign(ctx, *before, after, told))
		}
	}
	if u.Cards.Google != nil {
		notified, err := u.updateGoogle(ctx, *before, after)
		if notified {
			told.sent++
		}
		if err != nil {
			return errors.Join(err, u.countCampaign(ctx, *before, after, told))
		}
	}
	return u.countCampaign(ctx, *before, after, told)
}

// ProgramSaved takes up rules the operator saved, as the stream or the local
// feed brings them: the Google Wallet classes move to the program's name
// (with the logo as it is), and the cards this updater draws next show the
// rules. A non-nil error means the change should be handed over again;
// moving the classes again changes nothing.
func (u *Updater) ProgramSaved(ctx context.Context, rules loyalty.Rules) error {
	u.rulesCache().Saved(rules)
	// Without a public URL (a local stack known by its requests' host) the
	// classes' images have no address here: the next save link moves them.
	if u.Cards.Google == nil || u.Cards.PublicURL == "" {
		return nil
	}
	version, err := u.Logo.LogoVersion(ctx)
	if err != nil {
		return err
	}
	return u.Cards.MoveClasses(ctx, u.Cards.PublicURL, rules, version)
}

func (u *Updater) rulesCache() *loyalty.RulesCache {
	u.rulesOnce.Do(func() { u.rules = loyalty.NewRulesCache(u.Accounts, nil) })
	return u.rules
}

// pushCount is what a change told phones: notifications sent and refused.
type pushCount struct{ sent, failed int64 }

// countCampaign adds the notifications of a campaign's delivery (the change
// that put its message on the card) to the campaign's report. A change
// handed over again counts only what it pushes then: the pushes claimed
// before are not sent twice.
func (u *Updater) countCampaign(ctx context.Context, before, after loyalty.Member, told pushCount) error {
	if u.Campaigns == nil || after.News == nil || (before.News != nil && before.News.ID == after.News.ID) || told == (pushCount{}) {
		return nil
	}
	id, ok := strings.CutPrefix(after.News.ID, "campaign/")
	if !ok {
		return nil
	}
	return u.Campaigns.CountCampaignPushes(ctx, id, after.ID, told.sent, told.failed)
}

// pushApple tells each device registered for the pass of the change, once:
// a device's push is claimed before it is sent, and given up when APNs
// could not take it, so that the change handed over again reaches the
// devices it missed and only them.
func (u *Updater) pushApple(ctx context.Context, m loyalty.Member) (pushCount, error) {
	var told pushCount
	regs, err := u.Registrations.PassRegistrations(ctx, m.Serial)
	if err != nil {
		return told, err
	}
	var claimed []store.Registration
	release := func(r store.Registration) error {
		return u.Registrations.ReleasePush(ctx, m.Serial, m.Version, r.DeviceID)
	}
	for _, r := range regs {
		ok, err := u.Registrations.ClaimPush(ctx, m.Serial, m.Version, r.DeviceID)
		if err != nil {
			for _, c := range claimed {
				err = errors.Join(err, release(c))
			}
			return told, err
		}
		if ok {
			claimed = append(claimed, r)
		}
	}
	tokens := make([]string, len(claimed))
	for i, r := range claimed {
		tokens[i] = r.PushToken
	}
	var failed error
	results := u.Pusher.Push(ctx, tokens)
	defer pushMetrics(results)
	for i, res := range results {
		switch res.Outcome {
		case apns.Delivered:
			told.sent++
		case apns.Gone:
			told.failed++
			if err := u.Registrations.Unregister(ctx, claimed[i].DeviceID, m.Serial); err != nil {
				failed = errors.Join(failed, err, release(claimed[i]))
			}
		case apns.Unavailable:
			u.Logger.WarnContext(ctx, "APNs unavailable; the change will be pushed again", slog.String("serial", m.Serial), slog.Int("status", res.Status), slog.String("reason", res.Reason))
			failed = errors.Join(failed, fmt.Errorf("APNs unavailable for a device of %s (status %d)", m.Serial, res.Status), release(claimed[i]))
		case apns.Failed:
			told.failed++
			// Refused: pushing again would be refused again.
			u.Logger.WarnContext(ctx, "APNs push failed", slog.String("serial", m.Serial), slog.Int("status", res.Status), slog.String("reason", res.Reason))
		}
	}
	return told, failed
}

// The notifying messages of a card in a day that Google Wallet allows, and
// those of them marketing messages may take: the last is kept for a tier
// change, which wins.
const (
	GoogleMessagesPerDay    = 3
	MarketingMessagesPerDay = 2
)

// updateGoogle updates the member's object, if the member saved the card to
// Google Wallet, and tells the phone of a tier change, or of a new news
// within the day's budget (notified says it did).
func (u *Updater) updateGoogle(ctx context.Context, before, after loyalty.Member) (notified bool, err error) {
	acct, err := u.Accounts.LoadAccount(ctx, after.ID)
	if err != nil {
		return false, err
	}
	rules, err := u.rulesCache().Rules(ctx)
	if err != nil {
		return false, err
	}
	// The card is brought to what the member is now, but only the change
	// that gave the member their present tier tells the phone: when the
	// stream is behind, the changes before it and after it would each see a
	// tier other than the current one and send the message again.
	if before.Tier == after.Tier || after.Tier != acct.Member.Tier {
		before.Tier = acct.Member.Tier
	}
	now := time.Now()
	if u.Clock != nil {
		now = u.Clock.Now()
	}
	prev := u.Cards.GoogleCard(loyalty.Account{Member: before, Lots: acct.Lots}, rules, now, u.Cards.PublicURL)
	next := u.Cards.GoogleCard(acct, rules, now, u.Cards.PublicURL)
	// Each as drawn at its change: a promotion's start or end is a change
	// of the card, which the object takes.
	if prev.Offers, err = u.Cards.offers(ctx, before); err != nil {
		return false, err
	}
	if next.Offers, err = u.Cards.offers(ctx, acct.Member); err != nil {
		return false, err
	}
	next.Refreshed = loyalty.RefreshedGoogle(before, after)
	// A message is claimed for the card's day before it is sent, once: a
	// change handed over again sends none, and one that could not be sent
	// gives its claim up. The day is the program's, the UTC day the jobs
	// count by, never the day of the machine's own time zone.
	today := loyalty.DateOf(now.UTC())
	messageID, most := "", 0
	switch {
	case prev.Tier != next.Tier:
		// Sent even past the budget, which Google then refuses.
		messageID, most = google.TierMessageID(next), GoogleMessagesPerDay
	case next.NewsID != "" && next.NewsID != prev.NewsID:
		messageID, most = next.NewsID, MarketingMessagesPerDay
	}
	if messageID != "" {
		claimed, notify, err := u.Registrations.ClaimCardMessage(ctx, next.Serial, today, messageID, most)
		if err != nil {
			return false, err
		}
		next.Quiet, next.NewsNotify = !claimed, notify
		notified = claimed && (notify || prev.Tier != next.Tier)
	}
	release := func(err error) error {
		if messageID == "" || next.Quiet {
			return err
		}
		return errors.Join(err, u.Registrations.ReleaseCardMessage(ctx, next.Serial, today, messageID))
	}
	switch err := u.Cards.Google.Client.Sync(ctx, &prev, next); {
	case errors.Is(err, google.ErrNotFound):
		return false, release(nil) // never saved to Google Wallet
	case errors.Is(err, google.ErrQuota):
		u.Logger.WarnContext(ctx, "Google Wallet message quota reached; not retried", slog.String("serial", next.Serial))
		return false, nil
	case err != nil:
		return false, release(err)
	}
	return notified, nil
}

// pushMetrics counts the pushes sent, and those that failed by APNs's
// reason (or the outcome, when APNs gave none).
func pushMetrics(results []apns.Result) {
	if len(results) == 0 {
		return
	}
	sent := int64(0)
	failed := map[string]int64{}
	for _, r := range results {
		switch {
		case r.Outcome == apns.Delivered:
			sent++
		case r.Outcome == apns.Unavailable:
			failed["Unavailable"]++
		case r.Reason != "" && len(r.Reason) <= 40 && !strings.ContainsAny(r.Reason, " :"):
			failed[r.Reason]++ // an APNs reason such as BadDeviceToken
		default:
			failed["Other"]++
		}
	}
	metrics.Emit(nil, metrics.Value{Name: "PushesSent", Unit: metrics.Count, Value: sent})
	for reason, n := range failed {
		metrics.Emit(map[string]string{"Reason": reason}, metrics.Value{Name: "PushesFailed", Unit: metrics.Count, Value: n})
	}
}
