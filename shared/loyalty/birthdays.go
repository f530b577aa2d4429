package loyalty

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MonthDay is a day of the year without the year: the key members' birthdays
// are found by.
type MonthDay struct {
	Month time.Month
	Day   int
}

// String writes md as MM-DD, the form of the birthday index.
func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day) }

// MonthDay is d without its year.
func (d Date) MonthDay() MonthDay { return MonthDay{d.Month, d.Day} }

// The terms of the birthday present, which no operator setting changes.
const (
	// BirthdayMinTenure is how long someone must have been a member to get a present.
	BirthdayMinTenure = 7 * 24 * time.Hour
	// BirthdayCooldown: a birthday set or changed this recently earns no
	// present, so that the date cannot be moved to collect one.
	BirthdayCooldown = 30 * 24 * time.Hour
)

// The UTC offsets in use range from UTC-12 (Baker Island) to UTC+14 (Kiritimati).
const (
	westmostOffset = -12 * time.Hour
	eastmostOffset = 14 * time.Hour
)

// BirthdayDays lists the birthdays that fall on someone's local today at the
// instant at, somewhere between UTC-12 and UTC+14: two or three days, and
// 29 February with 28 February in a year without one.
func BirthdayDays(at time.Time) []MonthDay {
	at = at.UTC()
	first, last := DateOf(at.Add(westmostOffset)), DateOf(at.Add(eastmostOffset))
	var out []MonthDay
	for d := first; !last.Before(d); d = d.AddDays(1) {
		out = append(out, d.MonthDay())
		if d.Month == time.February && d.Day == 28 && !isLeap(d.Year) {
			out = append(out, MonthDay{time.February, 29})
		}
	}
	return out
}

func isLeap(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }

// birthdayIn is the day a birthday is kept in year: 29 February is kept on
// 28 February in a year without one.
func (d Date) birthdayIn(year int) Date {
	if d.Month == time.February && d.Day == 29 && !isLeap(year) {
		return Date{year, time.February, 28}
	}
	return Date{year, d.Month, d.Day}
}

// BirthdayDue tells whether m is due a birthday present at the instant at:
// it is their birthday in their own time zone, they have been a member for
// BirthdayMinTenure, their birthday was not set or changed within
// BirthdayCooldown, and they have not had this year's present. year is the
// year of their local today; skip says why no present is due, and is empty
// when one is.
func (m Member) BirthdayDue(at time.Time) (year int, skip Skip) {
	if m.Birthday.IsZero() {
		return 0, SkipNoBirthday
	}
	local := DateOf(at.In(location(m.TimeZone)))
	switch {
	case m.Birthday.birthdayIn(local.Year) != local:
		return local.Year, SkipNotBirthday
	case m.LastBirthdayYear >= local.Year:
		return local.Year, SkipAlreadyDone
	case at.Sub(m.CreatedAt) < BirthdayMinTenure:
		return local.Year, SkipNewMember
	case !m.BirthdayChangedAt.IsZero() && at.Sub(m.BirthdayChangedAt) < BirthdayCooldown:
		return local.Year, SkipBirthdayChanged
	}
	return local.Year, ""
}

// DaysSincePresent is how many days, in the member's own time zone, the
// instant at comes after the birthday for which the member had this year's
// present; ok is false when they have not had it (or have no birthday).
func (m Member) DaysSincePresent(at time.Time) (days int, ok bool) {
	if m.Birthday.IsZero() {
		return 0, false
	}
	local := DateOf(at.In(location(m.TimeZone)))
	birthday := m.Birthday.birthdayIn(local.Year)
	if m.LastBirthdayYear != local.Year || local.Before(birthday) {
		return 0, false
	}
	return int(local.Time().Sub(birthday.Time()).Hours() / 24), true
}

// BirthdayReward gives the member this year's birthday present when it is
// due at the instant at (see Member.BirthdayDue): Rules.BirthdayBonus as a
// birthday entry, into the lot of points credited now. The present is
// recorded in Member.LastBirthdayYear in the same version-conditioned commit,
// so that runs racing on the member, or a rerun, give it once; so is the
// automatic message that tells of it, when the rules say so.
func (p *Program) BirthdayReward(ctx context.Context, memberID string, at time.Time) (Outcome, error) {
	return p.apply(ctx, memberID, func(d *draft, rules Rules) (Skip, error) {
		year, skip := d.m.BirthdayDue(at)
		if skip != "" {
			return skip, nil
		}
		if rules.BirthdayBonus <= 0 {
			return SkipNoBonus, nil
		}
		d.m.LastBirthdayYear = year
		if rules.AutoMessages.Birthday {
			d.tell(fmt.Sprint(year), AutoNews{Kind: AutoBirthday, Points: rules.BirthdayBonus})
		}
		return "", d.credit(rules.LotExpiry(d.now), LedgerEntry{
			Kind: KindBirthday, Points: rules.BirthdayBonus, Actor: "program",
			Ref: Reference{Note: fmt.Sprintf("birthday %d", year)},
		})
	})
}

// locations caches time zones: loading one parses the zone database, and a
// birthday run checks every candidate's zone.
var locations sync.Map

// location is the member's time zone, UTC when it is unset or unknown
// (profiles are validated, so only a zone dropped from the database would be).
func location(name string) *time.Location {
	if name == "" || name == "UTC" {
		return time.UTC
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	locations.Store(name, loc)
	return loc
}
