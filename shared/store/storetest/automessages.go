package storetest

import (
	"fmt"
	"time"

	"github.com/fidelio/fidelio/shared/jobs"
	"github.com/fidelio/fidelio/shared/loyalty"
)

// autoMessageTests check the automatic messages: each put on the card by
// the commit of its occasion, once per occasion, and none when switched off.
var autoMessageTests = []struct {
	name string
	fn   func(*env)
}{
	{"each automatic message reaches a member once per occasion, across reruns and a restart", testAutoMessagesOnce},
	{"an automatic message switched off sends nothing, and its occasion still happens", testAutoMessagesOff},
}

// wantNews holds the member's card news to the automatic message of id.
func (e *env) wantNews(memberID, id string, want loyalty.AutoNews) loyalty.Member {
	e.t.Helper()
	m := e.account(memberID).Member
	if m.News == nil || m.News.ID != id || m.News.Auto == nil || *m.News.Auto != want {
		e.t.Fatalf("member %s: news %+v, want %s %+v", memberID, m.News, id, want)
	}
	return m
}

// wantUnchanged holds the member to the version it had.
func (e *env) wantUnchanged(what string, before loyalty.Member) {
	e.t.Helper()
	if m := e.account(before.ID).Member; m.Version != before.Version || newsID(m) != newsID(before) {
		e.t.Fatalf("%s changed the member: version %d → %d, news %q → %q", what, before.Version, m.Version, newsID(before), newsID(m))
	}
}

func newsID(m loyalty.Member) string {
	if m.News == nil {
		return ""
	}
	return m.News.ID
}

// runAt runs a job as at the instant at, the clock set to it unless it is
// later (a late retry).
func (e *env) runAt(runner *jobs.Runner, job string, at time.Time) jobs.Summary {
	e.t.Helper()
	if e.clock.Now().Before(at) {
		e.clock.Set(at)
	}
	s, err := runner.Run(e.ctx, job, at)
	if err != nil {
		e.t.Fatalf("%s at %s: %v", job, at, err)
	}
	return s
}

func testAutoMessagesOnce(e *env) {
	runner := jobs.New(e.program, e.store)
	joined := instant("2027-01-01T00:00:00Z")
	ada := e.enrollAt(joined, "ada@example.com", "1990-03-15", "UTC") // welcome lot: 50 points to 2028-01-31
	e.clock.Set(instant("2027-02-10T10:00:00Z"))
	e.earn(ada.ID, "february", 2000) // 20 points to 2028-02-29

	// The birthday present, twice at once: one message, its year's.
	birthday := instant("2027-03-15T12:00:00Z")
	if changed, _ := e.runTwice(runner, jobs.NameBirthdays, birthday); changed != 1 {
		e.t.Fatalf("two birthday runs changed %d members, want 1", changed)
	}
	told := e.wantNews(ada.ID, "auto/birthday/2027", loyalty.AutoNews{Kind: loyalty.AutoBirthday, Points: 100})
	// A restart: another instance, with its own program and runner.
	restarted := jobs.New(loyalty.NewProgram(e.store, e.clock, nil), e.store)
	e.runAt(restarted, jobs.NameBirthdays, birthday.Add(time.Hour))
	e.wantUnchanged("the birthday run after a restart", told)

	// The welcome lot enters the notice window: twice at once, then after
	// a restart; one message, with what is left of the lot.
	e.runAt(runner, jobs.NameExpiry, instant("2027-12-31T00:05:00Z"))
	e.wantUnchanged("the day before the notice window", told)
	e.runTwice(runner, jobs.NameExpiry, instant("2028-01-01T00:05:00Z"))
	told = e.wantNews(ada.ID, "auto/expiring/2028-01-31", loyalty.AutoNews{Kind: loyalty.AutoExpiring, Points: 50, On: day("2028-01-31")})
	e.runAt(restarted, jobs.NameExpiry, instant("2028-01-01T06:00:00Z"))
	e.wantUnchanged("the expiry run after a restart", told)
	// The next lot, then a late retry of the first lot's day: told once each.
	e.runTwice(runner, jobs.NameExpiry, instant("2028-01-30T00:05:00Z"))
	told = e.wantNews(ada.ID, "auto/expiring/2028-02-29", loyalty.AutoNews{Kind: loyalty.AutoExpiring, Points: 20, On: day("2028-02-29")})
	e.runAt(restarted, jobs.NameExpiry, instant("2028-01-01T00:05:00Z"))
	e.wantUnchanged("a late retry of the first lot's notice", told)

	// Close to silver (500): a consenting member is told once, at the
	// earning that comes within 10%; one who did not consent never is.
	e.clock.Set(instant("2028-03-01T10:00:00Z"))
	grace, quiet := e.enroll("grace@example.com"), e.enroll("quiet@example.com")
	if _, err := e.program.SetMarketing(e.ctx, grace.ID, true); err != nil {
		e.t.Fatal(err)
	}
	for _, m := range []loyalty.Member{grace, quiet} {
		e.earn(m.ID, "r1-"+m.ID, 44000) // 440 qualifying: 60 to go
		if got := e.account(m.ID).Member; got.News != nil {
			e.t.Fatalf("60 points from silver: news %+v, want none", got.News)
		}
		e.earn(m.ID, "r2-"+m.ID, 1000) // 450: 50 to go
	}
	review := e.account(grace.ID).Member.TierReviewOn
	told = e.wantNews(grace.ID, fmt.Sprintf("auto/near-tier/silver/500/%s", review), loyalty.AutoNews{Kind: loyalty.AutoNearTier, Points: 50, Tier: loyalty.Silver})
	if got := e.account(quiet.ID).Member; got.News != nil {
		e.t.Fatalf("a member who did not consent: news %+v, want none", got.News)
	}
	e.earn(grace.ID, "r2-"+grace.ID, 1000) // the same receipt again
	e.wantUnchanged("the earning sent again", told)
	e.earn(grace.ID, "r3-"+grace.ID, 1000) // 460: still close
	if got := e.account(grace.ID).Member; newsID(got) != newsID(told) || !got.News.At.Equal(told.News.At) || got.News.Auto.Points != 50 {
		e.t.Fatalf("a second earning within 10%%: news %+v, want the first left as it was", got.News)
	}
}

func testAutoMessagesOff(e *env) {
	if _, err := e.program.ChangeRules(e.ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
		r.AutoMessages = loyalty.AutoMessages{}
		return r, nil
	}); err != nil {
		e.t.Fatal(err)
	}
	runner := jobs.New(e.program, e.store)
	ada := e.enrollAt(instant("2027-01-01T00:00:00Z"), "ada@example.com", "1990-03-15", "UTC")
	if _, err := e.program.SetMarketing(e.ctx, ada.ID, true); err != nil {
		e.t.Fatal(err)
	}
	if s := e.runAt(runner, jobs.NameBirthdays, instant("2027-03-15T12:00:00Z")); s.Changed != 1 {
		e.t.Fatalf("birthday run: %+v; want the present given", s)
	}
	e.clock.Set(instant("2027-12-01T10:00:00Z"))
	e.earn(ada.ID, "close", 45000) // 450 qualifying: 50 from silver
	if s := e.runAt(runner, jobs.NameExpiry, instant("2028-01-01T00:05:00Z")); s.Announced != 1 {
		e.t.Fatalf("expiry run: %+v; want the lot announced on the card", s)
	}
	m := e.account(ada.ID).Member
	if m.News != nil || m.NearTierNotice != "" || m.LastBirthdayYear != 2027 || m.ExpiryNoticeOn != day("2028-01-31") {
		e.t.Fatalf("with the automatic messages off: news %+v, near-tier notice %q, present %d, expiry notice %s",
			m.News, m.NearTierNotice, m.LastBirthdayYear, m.ExpiryNoticeOn)
	}
	// Switched on again, the occasions that passed stay untold (a message
	// about points would come after the card showed them, or after their
	// day); close to the next tier recorded nothing, so the next earning
	// within the band tells it.
	if _, err := e.program.ChangeRules(e.ctx, func(r loyalty.Rules) (loyalty.Rules, error) {
		r.AutoMessages = loyalty.AutoMessages{Expiring: true, NearTier: true, Birthday: true}
		return r, nil
	}); err != nil {
		e.t.Fatal(err)
	}
	e.runAt(runner, jobs.NameBirthdays, instant("2028-01-01T00:10:00Z"))
	e.runAt(runner, jobs.NameExpiry, instant("2028-01-01T00:15:00Z"))
	if m := e.account(ada.ID).Member; m.News != nil {
		e.t.Fatalf("switched on again, the jobs told a passed occasion: %+v", m.News)
	}
	e.earn(ada.ID, "closer", 100)
	if m := e.account(ada.ID).Member; m.News == nil || m.News.Auto == nil || m.News.Auto.Kind != loyalty.AutoNearTier {
		e.t.Fatalf("switched on again, the next earning within 10%% of silver told %+v; want close to the next tier", m.News)
	}
}
