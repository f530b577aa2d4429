package main

import "testing"

func TestTimeTravelIsOffUnlessAsked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"-demo"}, false},
		{[]string{"-time-travel"}, true},
		{[]string{"-time-travel=false"}, false},
	} {
		o, _, err := parseFlags(tc.args)
		if err != nil || o.TimeTravel != tc.want {
			t.Errorf("%q: time travel %v, %v; want %v", tc.args, o.TimeTravel, err, tc.want)
		}
	}
}
