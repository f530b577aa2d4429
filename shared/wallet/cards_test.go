package wallet

import (
	"testing"
	"time"

	"github.com/fidelio/fidelio/shared/loyalty"
)

func TestBirthdayGreeting(t *testing.T) {
	rules := loyalty.DefaultRules()
	aiko := loyalty.Member{Name: "Aiko Tanaka", Birthday: loyalty.Date{Year: 1990, Month: time.March, Day: 15}, TimeZone: "Asia/Tokyo", Locale: "en", LastBirthdayYear: 2027}
	leap := loyalty.Member{Name: "Léa", Birthday: loyalty.Date{Year: 2000, Month: time.February, Day: 29}, TimeZone: "Europe/Paris", Locale: "fr", LastBirthdayYear: 2027}
	tests := []struct {
		name string
		m    loyalty.Member
		at   time.Time
		want string
	}{
		{"on the birthday in the member's zone", aiko, time.Date(2027, 3, 15, 2, 0, 0, 0, time.UTC), "Happy birthday, Aiko! 100 points are yours."},
		{"the day before, in the member's zone", aiko, time.Date(2027, 3, 14, 14, 0, 0, 0, time.UTC), ""},
		{"a week later it is gone", aiko, time.Date(2027, 3, 22, 16, 0, 0, 0, time.UTC), ""},
		{"before this year's present", func() loyalty.Member { m := aiko; m.LastBirthdayYear = 2026; return m }(), time.Date(2027, 3, 15, 2, 0, 0, 0, time.UTC), ""},
		{"a leap-day birthday, on 28 February, in French", leap, time.Date(2027, 2, 28, 12, 0, 0, 0, time.UTC), "Joyeux anniversaire, Léa ! 100 points pour vous."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := BirthdayGreeting(tc.m, rules, tc.at); got != tc.want {
				t.Fatalf("greeting = %q, want %q", got, tc.want)
			}
		})
	}
}
