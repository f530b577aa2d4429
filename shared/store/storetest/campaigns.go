package storetest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/fidelio/fidelio/shared/campaigns"
	"github.com/fidelio/fidelio/shared/loyalty"
)

var campaignTests = []struct {
	name string
	fn   func(*env)
}{
	{"a campaign is saved, listed newest first and read with its pushes", testCampaignsSaved},
	{"a page of a campaign is recorded once", testCampaignPageOnce},
	{"a card's notifying messages of a day stay within their budget", testCardMessageBudget},
	{"a campaign reaches each consenting member of its segment once, across a restart", testCampaignFanout},
	{"a campaign made with a key is made once, its duplicates answered it", testCampaignKeyed},
	{"a campaign by RFM class reaches the class under the saved quintiles", testCampaignByClass},
}

func (e *env) newCampaign(name string, seg loyalty.Segment, bonus int64) loyalty.Campaign {
	e.t.Helper()
	c, err := loyalty.NewCampaign(loyalty.NewRandomIDs(), e.clock.Now(), "owner", loyalty.Campaign{
		Name: name, Segment: seg, Message: loyalty.Texts{EN: "Double points this weekend", FR: "Points doublés ce week-end"}, BonusPoints: bonus,
	}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SaveCampaign(e.ctx, c, loyalty.AuditEntry{ID: loyalty.NewRandomIDs().NewID(e.clock.Now()), At: e.clock.Now(), Action: "campaign.create", Target: c.ID}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func testCampaignsSaved(e *env) {
	if _, err := e.store.Campaign(e.ctx, "01NOSUCHCAMPAIGN0000000000"); !errors.Is(err, loyalty.ErrCampaignNotFound) {
		e.t.Fatalf("an unknown campaign: err = %v, want ErrCampaignNotFound", err)
	}
	first := e.newCampaign("first", loyalty.Segment{}, 0)
	e.clock.Set(Start.Add(time.Minute))
	second := e.newCampaign("second", loyalty.Segment{Tier: loyalty.Gold}, 50)
	for i, member := range []string{"A", "B", "C", "D", "E"} {
		if err := e.store.CountCampaignPushes(e.ctx, second.ID, member, int64(i+1), 1); err != nil {
			e.t.Fatal(err)
		}
	}
	got, err := e.store.Campaign(e.ctx, second.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if got.Name != "second" || got.Segment.Tier != loyalty.Gold || got.BonusPoints != 50 || got.Message.FR != "Points doublés ce week-end" ||
		got.Pushed != 15 || got.PushFailed != 5 || !got.StartsAt.Equal(second.StartsAt) {
		e.t.Fatalf("read back %+v", got)
	}
	list, err := e.store.Campaigns(e.ctx, 10)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID || list[0].Pushed != 15 || list[1].Pushed != 0 {
		e.t.Fatalf("listed %+v, want second (15 pushed) then first", list)
	}
	if one, err := e.store.Campaigns(e.ctx, 1); err != nil || len(one) != 1 || one[0].ID != second.ID {
		e.t.Fatalf("limit 1: %+v, %v", one, err)
	}
	if !slices.Contains(actions(e.trail()), "campaign.create "+second.ID) {
		e.t.Fatalf("the creation is not in the audit trail: %v", actions(e.trail()))
	}
}

func testCampaignPageOnce(e *env) {
	c := e.newCampaign("pages", loyalty.Segment{}, 0)
	if err := e.store.CountCampaignPushes(e.ctx, c.ID, "A", 3, 0); err != nil {
		e.t.Fatal(err)
	}
	page := loyalty.CampaignPage{Number: 1, Next: "cursor-1", At: Start, Targeted: 4, Delivered: 3, Failed: 1}
	advanced := c
	advanced.CampaignProgress = c.Apply(page)
	if err := e.store.AdvanceCampaign(e.ctx, advanced, 0); err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.AdvanceCampaign(e.ctx, advanced, 0); !errors.Is(err, loyalty.ErrVersionConflict) {
		e.t.Fatalf("the same page again: err = %v, want ErrVersionConflict", err)
	}
	last := advanced
	last.CampaignProgress = advanced.Apply(loyalty.CampaignPage{Number: 2, Last: true, At: Start.Add(time.Second), Targeted: 2, Delivered: 2})
	if err := e.store.AdvanceCampaign(e.ctx, last, 1); err != nil {
		e.t.Fatal(err)
	}
	got, err := e.store.Campaign(e.ctx, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if got.Pages != 2 || got.Targeted != 6 || got.Delivered != 5 || got.Failed != 1 || got.Cursor != "" || !got.Finished() || got.Pushed != 3 {
		e.t.Fatalf("after two pages: %+v", got.CampaignProgress)
	}
}

func testCardMessageBudget(e *env) {
	day := loyalty.DateOf(Start)
	claim := func(serial string, d loyalty.Date, id string, most int) string {
		e.t.Helper()
		claimed, notify, err := e.store.ClaimCardMessage(e.ctx, serial, d, id, most)
		if err != nil {
			e.t.Fatal(err)
		}
		return fmt.Sprint(claimed, " ", notify)
	}
	for _, step := range []struct {
		serial string
		day    loyalty.Date
		id     string
		most   int
		want   string
	}{
		{"S1", day, "campaign/1", 2, "true true"},
		{"S1", day, "campaign/2", 2, "true true"},
		{"S1", day, "campaign/3", 2, "true false"},   // shown, not notified
		{"S1", day, "campaign/2", 2, "false false"},  // handed over again: not sent twice
		{"S1", day, "tier-gold-600", 3, "true true"}, // the day's last notification, kept for a tier change
		{"S1", day, "tier-silver-400", 3, "true false"},
		{"S1", day.AddDays(1), "campaign/3", 2, "true true"},
		{"S2", day, "campaign/3", 2, "true true"},
	} {
		if got := claim(step.serial, step.day, step.id, step.most); got != step.want {
			e.t.Fatalf("%s on %s, %s of at most %d notifying: claimed and notify %s, want %s", step.serial, step.day, step.id, step.most, got, step.want)
		}
	}
	if err := e.store.ReleaseCardMessage(e.ctx, "S1", day, "tier-gold-600"); err != nil {
		e.t.Fatal(err)
	}
	if got := claim("S1", day, "tier-gold-600", 3); got != "true true" {
		e.t.Fatalf("a released message claimed again: %s, want claimed and notifying", got)
	}
}

// pagesQueue keeps the fan-out's messages for the test to hand over.
type pagesQueue struct{ sent []campaigns.Message }

func (q *pagesQueue) Send(_ context.Context, m campaigns.Message, _ time.Duration) error {
	q.sent = append(q.sent, m)
	return nil
}

// failingAdvance fails the recording of the page numbered fail once, as a
// stop between a page's deliveries and its record would.
type failingAdvance struct {
	campaigns.Store
	fail int64
}

func (s *failingAdvance) AdvanceCampaign(ctx context.Context, c loyalty.Campaign, from int64) error {
	if c.Pages == s.fail {
		s.fail = -1
		return errors.New("stopped before the page was recorded")
	}
	return s.Store.AdvanceCampaign(ctx, c, from)
}

func testCampaignFanout(e *env) {
	var consenting, others, silver []string
	for i := range 14 {
		en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{
			Name: "Member", Email: fmt.Sprintf("m%d@example.com", i), Marketing: i%3 != 0,
		}})
		if err != nil {
			e.t.Fatal(err)
		}
		switch {
		case i%3 == 0:
			others = append(others, en.Member.ID)
		case i%4 == 1:
			e.earn(en.Member.ID, "R"+en.Member.ID, 50000) // Silver: out of the segment
			silver = append(silver, en.Member.ID)
		default:
			consenting = append(consenting, en.Member.ID)
		}
	}
	if _, err := e.program.SetMarketing(e.ctx, others[0], true); err != nil {
		e.t.Fatal(err)
	}
	consenting, others = append(consenting, others[0]), others[1:]
	if _, err := e.program.SetMarketing(e.ctx, consenting[0], false); err != nil {
		e.t.Fatal(err)
	}
	consenting, others = consenting[1:], append(others, consenting[0])

	e.clock.Set(Start.Add(time.Hour))
	c := e.newCampaign("spring", loyalty.Segment{Tier: loyalty.Bronze}, 25)
	before := map[string]loyalty.Member{}
	for _, id := range append(append(append([]string{}, consenting...), others...), silver...) {
		before[id] = e.account(id).Member
	}
	q := &pagesQueue{}
	f := &campaigns.Fanout{Store: &failingAdvance{Store: e.store, fail: 2}, Program: e.program, Queue: q, PageSize: 3, Workers: 4, Logger: slog.New(slog.DiscardHandler)}
	if err := f.Start(e.ctx, c); err != nil {
		e.t.Fatal(err)
	}
	for handled := 0; len(q.sent) > 0; handled++ {
		if handled > 100 {
			e.t.Fatal("the fan-out does not end")
		}
		m := q.sent[0]
		q.sent = q.sent[1:]
		if err := f.Handle(e.ctx, m, false); err != nil {
			// The stop: the queue hands the message over again, and the
			// same message, sent twice by mistake, is handed over too.
			q.sent = append(q.sent, m)
			if err := f.Handle(e.ctx, m, true); err != nil {
				e.t.Fatalf("the page handed over again: %v", err)
			}
			if err := f.Handle(e.ctx, m, false); err != nil {
				e.t.Fatalf("a duplicate of a page done: %v", err)
			}
		}
	}
	got, err := e.store.Campaign(e.ctx, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	n := int64(len(consenting))
	if !got.Finished() || got.Targeted != n || got.Delivered != n || got.Failed != 0 {
		e.t.Fatalf("progress %+v, want %d targeted and delivered, finished", got.CampaignProgress, n)
	}
	for _, id := range consenting {
		m := e.account(id).Member
		if m.News == nil || m.News.ID != "campaign/"+c.ID || m.News.Text.EN != "Double points this weekend" {
			e.t.Fatalf("member %s: news %+v", id, m.News)
		}
		if m.Balance != before[id].Balance+25 || m.Version != before[id].Version+1 || !m.CardUpdatedAt.After(before[id].CardUpdatedAt) {
			e.t.Fatalf("member %s: balance %d → %d, version %d → %d: want the bonus once, in one change", id, before[id].Balance, m.Balance, before[id].Version, m.Version)
		}
		if entries := e.ledger(id); len(entries) != 2 || entries[1].Kind != loyalty.KindCampaign || entries[1].Points != 25 {
			e.t.Fatalf("member %s: ledger %+v, want the welcome then one campaign bonus", id, entries)
		}
	}
	for _, id := range append(append([]string{}, others...), silver...) {
		if m := e.account(id).Member; m.News != nil || m.Version != before[id].Version {
			e.t.Fatalf("member %s, not consenting or out of the segment, was changed: %+v", id, m.News)
		}
	}
	// Delivered again, by a late message, it changes nothing.
	if d, err := e.program.DeliverCampaign(e.ctx, c, loyalty.Quintiles{}, consenting[0]); err != nil || d != loyalty.DeliveredBefore {
		e.t.Fatalf("a second delivery: %q, %v", d, err)
	}
	if m := e.account(consenting[0]).Member; m.Version != before[consenting[0]].Version+1 {
		e.t.Fatalf("a second delivery changed the member: version %d", m.Version)
	}
}

func testCampaignKeyed(e *env) {
	by := loyalty.Actor{Who: loyalty.WhoOperator, KeyID: "marc", KeyName: "Marc"}
	ask := loyalty.Campaign{Name: "spring", Segment: loyalty.Segment{Tier: loyalty.Gold}, Message: loyalty.Texts{EN: "Double points"}}
	key := loyalty.IdemKey{Scope: "campaigns", Key: "spring-1"}
	first, replayed, err := e.program.CreateCampaign(e.ctx, e.store, by, key, ask)
	if err != nil || replayed {
		e.t.Fatalf("the first request: replayed %v, %v", replayed, err)
	}
	e.clock.Set(Start.Add(time.Minute))
	again, replayed, err := e.program.CreateCampaign(e.ctx, e.store, by, key, ask)
	if err != nil || !replayed || again.ID != first.ID || !again.CreatedAt.Equal(first.CreatedAt) {
		e.t.Fatalf("sent again: %+v, replayed %v, %v; want campaign %s replayed", again, replayed, err, first.ID)
	}
	other := ask
	other.Segment.Tier = loyalty.Silver
	if _, _, err := e.program.CreateCampaign(e.ctx, e.store, by, key, other); !errors.Is(err, loyalty.ErrIdempotencyMismatch) {
		e.t.Fatalf("the key with another segment: err = %v, want ErrIdempotencyMismatch", err)
	}
	// A duplicate that passed the replay check before the first was saved
	// finds the key taken when it saves.
	late, err := loyalty.NewCampaign(loyalty.NewRandomIDs(), e.clock.Now(), "owner", ask, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	rec, found, err := e.store.Idempotency(e.ctx, key.Scope, key.Hash())
	if err != nil || !found {
		e.t.Fatalf("the key's record: found %v, %v", found, err)
	}
	audit := loyalty.NewAudit(loyalty.NewRandomIDs(), e.clock.Now(), by, "campaign.create", late.ID, "")
	if err := e.store.SaveCampaignOnce(e.ctx, late, rec, audit); !errors.Is(err, loyalty.ErrKeyTaken) {
		e.t.Fatalf("a second save under the key: err = %v, want ErrKeyTaken", err)
	}
	if _, err := e.store.Campaign(e.ctx, late.ID); !errors.Is(err, loyalty.ErrCampaignNotFound) {
		e.t.Fatalf("the refused save wrote its campaign: err = %v", err)
	}
	// Once the record expired, the key makes a new campaign.
	e.clock.Set(rec.ExpiresAt.Add(time.Second))
	renewed, replayed, err := e.program.CreateCampaign(e.ctx, e.store, by, key, ask)
	if err != nil || replayed || renewed.ID == first.ID {
		e.t.Fatalf("after the record expired: %+v, replayed %v, %v; want a new campaign", renewed, replayed, err)
	}
	list, err := e.store.Campaigns(e.ctx, 10)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != renewed.ID || list[1].ID != first.ID {
		e.t.Fatalf("campaigns %+v, want the renewed one and the first", list)
	}
	if got := actions(e.trail()); !slices.Contains(got, "campaign.create "+first.ID) || slices.Contains(got, "campaign.create "+late.ID) {
		e.t.Fatalf("the audit trail %v, want the first creation and not the refused one", got)
	}
}

// drain hands the queue's messages to the fan-out until none is left.
func (e *env) drain(f *campaigns.Fanout, q *pagesQueue) {
	e.t.Helper()
	for handled := 0; len(q.sent) > 0; handled++ {
		if handled > 100 {
			e.t.Fatal("the fan-out does not end")
		}
		m := q.sent[0]
		q.sent = q.sent[1:]
		if err := f.Handle(e.ctx, m, false); err != nil {
			e.t.Fatal(err)
		}
	}
}

func testCampaignByClass(e *env) {
	enroll := func(email string, purchases int) string {
		en, err := e.program.Enroll(e.ctx, loyalty.EnrollRequest{Profile: loyalty.Profile{Name: "Member", Email: email, Marketing: true}})
		if err != nil {
			e.t.Fatal(err)
		}
		for i := range purchases {
			e.earn(en.Member.ID, fmt.Sprintf("R-%s-%d", email, i), 2000)
		}
		return en.Member.ID
	}
	once, often, never := enroll("once@example.com", 1), enroll("often@example.com", 5), enroll("never@example.com", 0)
	// Saved by the segments job: one purchase a year is the lowest fifth,
	// five the highest. Scored against no quintiles, one purchase this
	// month would make a champion too.
	q := loyalty.Quintiles{ComputedOn: loyalty.DateOf(Start), Members: 100, Frequency: [4]int{1, 2, 3, 4}, Monetary: [4]int{1, 2, 3, 4}}
	if err := e.store.SaveQuintiles(e.ctx, q); err != nil {
		e.t.Fatal(err)
	}
	today := loyalty.DateOf(e.clock.Now())
	if got := q.ClassOf(e.account(once).Member.Activity, today); got != loyalty.ClassNew {
		e.t.Fatalf("one purchase is %q under the saved quintiles, want new", got)
	}
	c := e.newCampaign("champions", loyalty.Segment{Class: loyalty.ClassChampions}, 0)
	pages := &pagesQueue{}
	f := &campaigns.Fanout{Store: e.store, Program: e.program, Queue: pages, PageSize: 2, Workers: 2, Logger: slog.New(slog.DiscardHandler)}
	if err := f.Start(e.ctx, c); err != nil {
		e.t.Fatal(err)
	}
	e.drain(f, pages)
	got, err := e.store.Campaign(e.ctx, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if !got.Finished() || got.Targeted != 1 || got.Delivered != 1 {
		e.t.Fatalf("progress %+v, want the one champion targeted and delivered", got.CampaignProgress)
	}
	if m := e.account(often).Member; m.News == nil || m.News.ID != "campaign/"+c.ID {
		e.t.Fatalf("the champion's news: %+v", m.News)
	}
	for _, id := range []string{once, never} {
		if m := e.account(id).Member; m.News != nil {
			e.t.Fatalf("member %s, not a champion, got %+v", id, m.News)
		}
	}
}
