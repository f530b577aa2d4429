package stack

import (
	"strings"
	"testing"
	"time"
)

// FuzzSchedule reads any expression: it is refused with an error or read
// into a schedule whose values are in range and whose next run, if any, is
// later than the instant asked about and one the expression allows.
func FuzzSchedule(f *testing.F) {
	for _, seed := range []string{
		"cron(5 * * * ? *)", "cron(30 0 * * ? *)", "cron(0 2 * * ? *)", "cron(0 6 1 * ? *)",
		"cron(0 9 ? * MON-FRI *)", "cron(0/15 * * * ? *)", "cron(0 0 29 2 ? 2100-2199)", "cron(0 0 31 2 ? *)",
		"cron(1/59 1/23 1/31 1/12 ? 1970/229)", "cron(0 12 ? JAN-DEC SUN,SAT 2027)", "cron(0 0 L * ? *)",
		"rate(2 hours)", "rate(1 minute)", "rate(90 days)", "rate(0 days)",
		"at(2027-03-15T02:00:00)", "at(2027-02-30T00:00:00)", "cron()", "rate(", "(", "",
	} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(2))
	}
	zones := []string{"", "UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"}
	from := time.Date(2027, time.February, 27, 23, 50, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string, zone uint8) {
		s, err := parseSchedule(expr, zones[int(zone)%len(zones)], from.Add(-2*time.Hour))
		if err != nil {
			return
		}
		for i, fl := range s.cron {
			for v := range fl {
				if v < cronRanges[i][0] || v > cronRanges[i][1] {
					t.Fatalf("%s: field %d holds %d, outside %d-%d", expr, i+1, v, cronRanges[i][0], cronRanges[i][1])
				}
			}
		}
		if strings.HasPrefix(expr, "rate(") && s.rate <= 0 {
			t.Fatalf("%s: rate %v", expr, s.rate)
		}
		next := s.next(from)
		if next.IsZero() {
			return
		}
		if !next.After(from) {
			t.Fatalf("%s: next run after %s is %s", expr, from, next)
		}
		if s.rate > 0 && next.Sub(from) > s.rate {
			t.Fatalf("%s: next run %s is more than one rate (%v) after %s", expr, next, s.rate, from)
		}
		if s.rate == 0 && s.at.IsZero() {
			c := next.In(s.loc)
			if !s.cron[5].has(c.Year()) || !s.cron[3].has(int(c.Month())) || !s.cron[2].has(c.Day()) ||
				!s.cron[4].has(int(c.Weekday())+1) || !s.cron[1].has(c.Hour()) || !s.cron[0].has(c.Minute()) {
				t.Fatalf("%s: next run %s is not one the expression allows", expr, c)
			}
		}
	})
}
