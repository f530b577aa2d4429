package loyalty

import (
	"fmt"
	"testing"
	"time"
)

func TestBirthdayDays(t *testing.T) {
	tests := []struct {
		name string
		at   string
		want string
	}{
		{"at 11:00 UTC it is yesterday at UTC-12 and tomorrow at UTC+14", "2027-03-15T11:00:00Z", "[03-14 03-15 03-16]"},
		{"at 12:00 UTC UTC-12 has reached today", "2027-03-15T12:00:00Z", "[03-15 03-16]"},
		{"just before 10:00 UTC UTC+14 is still today", "2027-03-15T09:59:59Z", "[03-14 03-15]"},
		{"28 February of a year without 29 brings 29 February with it", "2027-02-28T12:00:00Z", "[02-28 02-29 03-01]"},
		{"a leap year keeps 28 and 29 February apart", "2028-02-28T12:00:00Z", "[02-28 02-29]"},
		{"the year turns", "2026-12-31T20:00:00Z", "[12-31 01-01]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tc.at)
			if got := fmt.Sprint(BirthdayDays(at)); got != tc.want {
				t.Fatalf("BirthdayDays(%s) = %s, want %s", tc.at, got, tc.want)
			}
		})
	}
}

func TestBirthdayDue(t *testing.T) {
	day := func(s string) Date { d, _ := ParseDate(s); return d }
	instant := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	longAgo := instant("2026-01-01T00:00:00Z")
	member := func(birthday, zone string) Member {
		return Member{ID: "m", Birthday: day(birthday), TimeZone: zone, CreatedAt: longAgo, BirthdayChangedAt: longAgo}
	}
	tests := []struct {
		name string
		m    Member
		at   string
		year int
		skip Skip
	}{
		{"Tokyo's 15 March has begun at 02:00 UTC", member("1990-03-15", "Asia/Tokyo"), "2027-03-15T02:00:00Z", 2027, ""},
		{"Los Angeles is still on 14 March at 02:00 UTC", member("1990-03-15", "America/Los_Angeles"), "2027-03-15T02:00:00Z", 2027, SkipNotBirthday},
		{"Tokyo is on 16 March at 20:00 UTC", member("1990-03-15", "Asia/Tokyo"), "2027-03-15T20:00:00Z", 2027, SkipNotBirthday},
		{"Los Angeles is on 15 March at 20:00 UTC", member("1990-03-15", "America/Los_Angeles"), "2027-03-15T20:00:00Z", 2027, ""},
		{"29 February is kept on 28 February in 2027", member("2000-02-29", "UTC"), "2027-02-28T12:00:00Z", 2027, ""},
		{"and not on 1 March", member("2000-02-29", "UTC"), "2027-03-01T12:00:00Z", 2027, SkipNotBirthday},
		{"29 February is kept on 29 February in 2028", member("2000-02-29", "UTC"), "2028-02-29T12:00:00Z", 2028, ""},
		{"and not on 28 February 2028", member("2000-02-29", "UTC"), "2028-02-28T12:00:00Z", 2028, SkipNotBirthday},
		{"the year is the member's local one on New Year's Eve", member("1990-12-31", "Pacific/Honolulu"), "2028-01-01T05:00:00Z", 2027, ""},
		{"a member with no birthday", Member{ID: "m", CreatedAt: longAgo}, "2027-03-15T12:00:00Z", 0, SkipNoBirthday},
		{"a present this year already", func() Member { m := member("1990-03-15", "UTC"); m.LastBirthdayYear = 2027; return m }(), "2027-03-15T12:00:00Z", 2027, SkipAlreadyDone},
		{"last year's present does not count", func() Member { m := member("1990-03-15", "UTC"); m.LastBirthdayYear = 2026; return m }(), "2027-03-15T12:00:00Z", 2027, ""},
		{"a member who joined yesterday", func() Member {
			m := member("1990-03-15", "UTC")
			m.CreatedAt, m.BirthdayChangedAt = instant("2027-03-14T12:00:00Z"), time.Time{}
			return m
		}(), "2027-03-15T12:00:00Z", 2027, SkipNewMember},
		{"a member of exactly seven days", func() Member {
			m := member("1990-03-15", "UTC")
			m.CreatedAt, m.BirthdayChangedAt = instant("2027-03-08T12:00:00Z"), time.Time{}
			return m
		}(), "2027-03-15T12:00:00Z", 2027, ""},
		{"a birthday changed ten days ago", func() Member {
			m := member("1990-03-15", "UTC")
			m.BirthdayChangedAt = instant("2027-03-05T12:00:00Z")
			return m
		}(), "2027-03-15T12:00:00Z", 2027, SkipBirthdayChanged},
		{"a birthday changed thirty days ago", func() Member {
			m := member("1990-03-15", "UTC")
			m.BirthdayChangedAt = instant("2027-02-13T12:00:00Z")
			return m
		}(), "2027-03-15T12:00:00Z", 2027, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			year, skip := tc.m.BirthdayDue(instant(tc.at))
			if year != tc.year || skip != tc.skip {
				t.Fatalf("BirthdayDue(%s) = %d, %q; want %d, %q", tc.at, year, skip, tc.year, tc.skip)
			}
		})
	}
}

func TestMemberOnlyPosting(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	acct := Account{Member: Member{ID: "m", Version: 3, Balance: 10}, Lots: []Lot{{Date{2027, 12, 31}, 10}}}
	d := newDraft(acct, now, NewRandomIDs())
	d.memberOnly = true
	d.m.TierReviewOn = Date{2028, 1, 1}
	p, err := d.posting()
	if err != nil || len(p.Entries) != 0 || p.Member.Version != 4 || p.PrevVersion != 3 {
		t.Fatalf("member-only posting = %+v, %v; want version 3 to 4 with no entry", p, err)
	}
	d = newDraft(acct, now, NewRandomIDs())
	d.memberOnly = true
	d.debit(LedgerEntry{Kind: KindAdjust, Points: -5})
	if _, err := d.posting(); err == nil {
		t.Fatal("a member-only posting moved points")
	}
	d = newDraft(Account{Member: Member{ID: "new"}}, now, NewRandomIDs())
	d.memberOnly = true
	if _, err := d.posting(); err == nil {
		t.Fatal("a member-only posting created a member")
	}
	d = newDraft(acct, now, NewRandomIDs())
	if _, err := d.posting(); err == nil {
		t.Fatal("an entry-less posting that is not member-only was accepted")
	}
}
