package stack

import (
	"testing"
	"time"
)

func TestScheduleNext(t *testing.T) {
	from := time.Date(2027, time.February, 27, 23, 50, 0, 0, time.UTC)
	tests := []struct {
		name, expr, zone string
		want             []string
	}{
		{"hourly at five past", "cron(5 * * * ? *)", "UTC", []string{"2027-02-27T23:05:00Z", "2027-02-28T00:05:00Z"}[1:]},
		{"daily at 00:30 UTC", "cron(30 0 * * ? *)", "", []string{"2027-02-28T00:30:00Z", "2027-03-01T00:30:00Z"}},
		{"daily at 02:00 in Paris is 01:00 UTC in winter", "cron(0 2 * * ? *)", "Europe/Paris", []string{"2027-02-28T01:00:00Z", "2027-03-01T01:00:00Z"}},
		{"the first of the month", "cron(0 6 1 * ? *)", "UTC", []string{"2027-03-01T06:00:00Z", "2027-04-01T06:00:00Z"}},
		{"weekdays at nine", "cron(0 9 ? * MON-FRI *)", "UTC", []string{"2027-03-01T09:00:00Z", "2027-03-02T09:00:00Z"}},
		{"every 15 minutes", "cron(0/15 * * * ? *)", "UTC", []string{"2027-02-28T00:00:00Z", "2027-02-28T00:15:00Z"}},
		{"a rate", "rate(2 hours)", "UTC", []string{"2027-02-28T01:50:00Z", "2027-02-28T03:50:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseSchedule(tc.expr, tc.zone, from.Add(-2*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			at := from
			for _, want := range tc.want {
				at = s.next(at)
				if got := at.Format(time.RFC3339); got != want {
					t.Fatalf("next = %s, want %s", got, want)
				}
			}
		})
	}
	for _, bad := range []string{"cron(5 * * *)", "cron(0 0 1 * MON *)", "cron(0 0 L * ? *)", "rate(0 minutes)", "rate(5 weeks)", "every hour", "at(tomorrow)"} {
		if _, err := parseSchedule(bad, "UTC", from); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
