package stack

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// schedule is an EventBridge Scheduler expression: cron(…), rate(…) or
// at(…), read the way Scheduler reads it, so the local stack runs a job when
// AWS would.
type schedule struct {
	loc   *time.Location
	rate  time.Duration // rate(...)
	at    time.Time     // at(...)
	cron  [6]field      // minutes hours day-of-month month day-of-week year
	start time.Time     // rate's origin
}

// field is the set of values a cron field allows; nil allows every value.
type field map[int]bool

var cronRanges = [6][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {1, 7}, {1970, 2199}}

var names = map[string]int{
	"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
	"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7,
}

// parseSchedule reads an expression in a time zone ("" is UTC). The cron
// subset is numbers, names, *, ?, ranges, lists and steps; L, W and # are
// refused with a clear error rather than misread.
func parseSchedule(expr, zone string, origin time.Time) (schedule, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return schedule{}, fmt.Errorf("schedule %q: time zone %q: %w", expr, zone, err)
	}
	s := schedule{loc: loc, start: origin}
	kind, body, ok := strings.Cut(expr, "(")
	if !ok || !strings.HasSuffix(body, ")") {
		return s, fmt.Errorf("schedule %q: want cron(…), rate(…) or at(…)", expr)
	}
	body = strings.TrimSuffix(body, ")")
	switch kind {
	case "rate":
		n, unit, _ := strings.Cut(body, " ")
		v, err := strconv.Atoi(n)
		d := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[unit]
		if err != nil || v < 1 || d == 0 || time.Duration(v) > math.MaxInt64/d {
			return s, fmt.Errorf("schedule %q: want rate(<n> minutes|hours|days)", expr)
		}
		s.rate = time.Duration(v) * d
	case "at":
		t, err := time.ParseInLocation("2006-01-02T15:04:05", body, loc)
		if err != nil {
			return s, fmt.Errorf("schedule %q: want at(yyyy-mm-ddThh:mm:ss)", expr)
		}
		s.at = t
	case "cron":
		parts := strings.Fields(body)
		if len(parts) != 6 {
			return s, fmt.Errorf("schedule %q: a cron expression has 6 fields", expr)
		}
		for i, p := range parts {
			if s.cron[i], err = parseField(p, cronRanges[i]); err != nil {
				return s, fmt.Errorf("schedule %q: field %d: %w", expr, i+1, err)
			}
		}
		if s.cron[2] != nil && s.cron[4] != nil {
			return s, fmt.Errorf("schedule %q: day-of-month or day-of-week must be ?", expr)
		}
	default:
		return s, fmt.Errorf("schedule %q: want cron(…), rate(…) or at(…)", expr)
	}
	return s, nil
}

func parseField(p string, bounds [2]int) (field, error) {
	if p == "*" || p == "?" {
		return nil, nil
	}
	f := field{}
	for _, part := range strings.Split(p, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			var err error
			if step, err = strconv.Atoi(stepText); err != nil || step < 1 {
				return nil, fmt.Errorf("bad step in %q", part)
			}
		}
		lo, hi := bounds[0], bounds[1]
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = value(a); err != nil {
				return nil, err
			}
			hi = lo
			if isRange {
				if hi, err = value(b); err != nil {
					return nil, err
				}
			} else if hasStep {
				hi = bounds[1]
			}
		}
		if lo < bounds[0] || hi > bounds[1] || lo > hi {
			return nil, fmt.Errorf("%q is outside %d-%d", part, bounds[0], bounds[1])
		}
		for v := lo; ; v += step {
			f[v] = true
			if hi-v < step { // v+step would pass hi, or overflow
				break
			}
		}
	}
	return f, nil
}

func value(s string) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number or a month or day name (L, W and # are not supported locally)", s)
	}
	return v, nil
}

// next is the first run strictly after t; zero when there is none.
func (s schedule) next(t time.Time) time.Time {
	switch {
	case s.rate > 0:
		n := t.Sub(s.start)/s.rate + 1
		return s.start.Add(n * s.rate)
	case !s.at.IsZero():
		if s.at.After(t) {
			return s.at
		}
		return time.Time{}
	}
	c := t.In(s.loc).Truncate(time.Minute).Add(time.Minute)
	for end := c.AddDate(5, 0, 0); c.Before(end); {
		switch {
		case !s.cron[5].has(c.Year()):
			c = time.Date(c.Year()+1, 1, 1, 0, 0, 0, 0, s.loc)
		case !s.cron[3].has(int(c.Month())):
			c = time.Date(c.Year(), c.Month()+1, 1, 0, 0, 0, 0, s.loc)
		case !s.cron[2].has(c.Day()) || !s.cron[4].has(int(c.Weekday())+1):
			c = time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, s.loc)
		case !s.cron[1].has(c.Hour()):
			c = time.Date(c.Year(), c.Month(), c.Day(), c.Hour()+1, 0, 0, 0, s.loc)
		case !s.cron[0].has(c.Minute()):
			c = c.Add(time.Minute)
		default:
			return c.UTC()
		}
	}
	return time.Time{}
}

func (f field) has(v int) bool { return f == nil || f[v] }
