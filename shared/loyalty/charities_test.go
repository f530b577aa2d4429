package loyalty

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func validCharity() Charity {
	return Charity{ID: "red-cross", Name: "Red Cross", PointsPerUnit: 100, Currency: "EUR", MinPoints: 100, Step: 10}
}

func TestCharityValidation(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Charity)
		want   string // in the message; "" for valid
	}{
		{"the example of the issue is valid", func(c *Charity) { c.Matching = &Matching{Ratio: 1, CapPoints: 100_000} }, ""},
		{"an https logo is valid", func(c *Charity) { c.LogoURL = "https://example.org/logo.png" }, ""},
		{"an id that is no slug is refused", func(c *Charity) { c.ID = "Red Cross" }, "id must be"},
		{"a missing name is refused", func(c *Charity) { c.Name = "  " }, "name must be"},
		{"a plain http logo is refused", func(c *Charity) { c.LogoURL = "http://example.org/logo.png" }, "logoUrl"},
		{"an unknown currency is refused", func(c *Charity) { c.Currency = "XYZ" }, "ISO 4217"},
		{"no points per unit is refused", func(c *Charity) { c.PointsPerUnit = 0 }, "pointsPerUnit"},
		{"a step of zero is refused", func(c *Charity) { c.Step = 0 }, "step must be"},
		{"a minimum off the step is refused", func(c *Charity) { c.MinPoints = 105 }, "multiple of step"},
		{"a minimum below the step is refused", func(c *Charity) { c.MinPoints, c.Step = 5, 10 }, "multiple of step"},
		{"a matching ratio of 0 is refused", func(c *Charity) { c.Matching = &Matching{Ratio: 0, CapPoints: 10} }, "ratio"},
		{"a matching without a cap is refused", func(c *Charity) { c.Matching = &Matching{Ratio: 1} }, "capPoints"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validCharity()
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate() = %v, want ErrInvalid saying %q", err, tc.want)
			}
		})
	}
}

func TestPrepareCharity(t *testing.T) {
	now := time.Date(2027, time.March, 1, 10, 0, 0, 0, time.UTC)
	c := validCharity()
	c.Name, c.Currency = "  Red Cross ", "eur"
	got, err := PrepareCharity(c, nil, now)
	if err != nil || got.Name != "Red Cross" || got.Currency != "EUR" || !got.CreatedAt.Equal(now) || !got.UpdatedAt.Equal(now) {
		t.Fatalf("PrepareCharity(new) = %+v, %v", got, err)
	}
	later := now.Add(time.Hour)
	archived := got
	archived.Archived = true
	again, err := PrepareCharity(archived, &got, later)
	if err != nil || !again.CreatedAt.Equal(now) || !again.UpdatedAt.Equal(later) || !again.Archived {
		t.Fatalf("PrepareCharity(archived) = %+v, %v", again, err)
	}
	rerated := got
	rerated.Currency = "USD"
	if _, err := PrepareCharity(rerated, &got, later); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a change of currency: err = %v, want ErrInvalid", err)
	}
}

func TestCheckGift(t *testing.T) {
	c := validCharity()
	for _, tc := range []struct {
		points int64
		want   error
	}{{100, nil}, {110, nil}, {90, ErrInvalid}, {105, ErrInvalid}} {
		if err := c.checkGift(tc.points); !errors.Is(err, tc.want) {
			t.Errorf("checkGift(%d) = %v, want %v", tc.points, err, tc.want)
		}
	}
	c.Archived = true
	if err := c.checkGift(100); !errors.Is(err, ErrCharityArchived) {
		t.Errorf("a gift to an archived charity: %v", err)
	}
}

func TestValueRoundsDownInMinorUnits(t *testing.T) {
	cases := []struct {
		currency string
		perUnit  int64
		points   int64
		want     int64
	}{
		{"EUR", 100, 150, 150},                   // 1 point a cent
		{"EUR", 300, 70, 23},                     // 23.33 cents
		{"EUR", 1, 7, 700},                       // 7 euros
		{"JPY", 10, 95, 9},                       // no minor unit: 9.5 yen
		{"BHD", 7, 10, 1428},                     // three decimals: 1.428571 dinars
		{"EUR", 100, 0, 0},                       // nothing
		{"EUR", 3, 1 << 57, 4803839602528529066}, // points × 100 passes int64 on the way
	}
	for _, tc := range cases {
		c := Charity{Currency: tc.currency, PointsPerUnit: tc.perUnit}
		if got := c.Value(tc.points); got != (Money{tc.want, tc.currency}) {
			t.Errorf("%d points at %d per %s = %+v, want %d", tc.points, tc.perUnit, tc.currency, got, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	c := validCharity()
	if got := c.Match(100, 0); got != 0 {
		t.Fatalf("without matching: %d matched", got)
	}
	c.Matching = &Matching{Ratio: 2, CapPoints: 1000}
	for _, tc := range []struct{ points, matched, want int64 }{
		{50, 0, 100},    // doubled
		{500, 0, 1000},  // the whole budget in one gift
		{1000, 0, 1000}, // more than the budget: up to the cap
		{50, 950, 50},   // the last of the budget, in part
		{50, 1000, 0},   // spent
		{50, 1200, 0},   // past a lowered cap
		{10, 999, 1},    // one point left
	} {
		if got := c.Match(tc.points, tc.matched); got != tc.want {
			t.Errorf("a gift of %d with %d matched: %d matched, want %d", tc.points, tc.matched, got, tc.want)
		}
	}
}

// Gifts in any order and of any size use up the cap exactly, never more.
func TestMatchingReachesTheCapExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		c := validCharity()
		c.Matching = &Matching{Ratio: 1 + r.Int64N(3), CapPoints: 1 + r.Int64N(5000)}
		var total, wanted int64
		for range 1 + r.IntN(400) {
			points := 10 * (1 + r.Int64N(20))
			total += c.Match(points, total)
			wanted += points * c.Matching.Ratio
		}
		if total != min(wanted, c.Matching.CapPoints) {
			t.Fatalf("gifts wanting %d matched %d with a cap of %d", wanted, total, c.Matching.CapPoints)
		}
	}
}

func TestApportionAddsUpExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		c := Charity{Currency: []string{"EUR", "JPY", "BHD"}[r.IntN(3)], PointsPerUnit: 1 + r.Int64N(1000)}
		parts := make([]int64, r.IntN(40))
		var sum int64
		for i := range parts {
			parts[i] = r.Int64N(100_000)
			sum += parts[i]
		}
		shares := c.apportion(parts)
		var got int64
		for i, s := range shares {
			floor := c.Value(parts[i]).Value
			if s != floor && s != floor+1 {
				t.Fatalf("part %d of %d points got %d, its value is %d", i, parts[i], s, floor)
			}
			got += s
		}
		if want := c.Value(sum).Value; got != want {
			t.Fatalf("shares add up to %d, the sum's value is %d", got, want)
		}
	}
}

func TestMonthReportCSV(t *testing.T) {
	c := validCharity()
	c.PointsPerUnit = 300
	month, err := ParseMonth("2027-03")
	if err != nil {
		t.Fatal(err)
	}
	donors := []Donor{{MemberID: "A", Gifts: 1, Points: 100, Matched: 10}, {MemberID: "B", Gifts: 2, Points: 100}, {MemberID: "C", Gifts: 1, Points: 200, Matched: 20}}
	r := NewMonthReport(c, month, CharityTotals{Points: 400, Matched: 30, Gifts: 4, Donors: 3}, donors)
	// 400 points at 300 a euro: 133.33 cents, 133. Each 100 is 33.33 and
	// C's 200 66.67: the cent the rounding left goes to C, who lost the most
	// to it. The matched 30 likewise: 3.33 + 6.67 is 10.
	var buf bytes.Buffer
	if err := r.CSV(&buf); err != nil {
		t.Fatal(err)
	}
	want := `month,charity,member,gifts,points,value,matched_points,matched_value,currency
2027-03,red-cross,A,1,100,0.33,10,0.03,EUR
2027-03,red-cross,B,2,100,0.33,0,0.00,EUR
2027-03,red-cross,C,1,200,0.67,20,0.07,EUR
2027-03,red-cross,TOTAL,4,400,1.33,30,0.10,EUR
`
	if buf.String() != want {
		t.Fatalf("CSV =\n%s\nwant\n%s", buf.String(), want)
	}
	if r.Value != (Money{133, "EUR"}) || r.MatchedValue != (Money{10, "EUR"}) || r.Donors != 3 {
		t.Fatalf("report = %+v", r)
	}
}

func TestDecimal(t *testing.T) {
	for m, want := range map[Money]string{
		{1234, "EUR"}: "12.34", {5, "EUR"}: "0.05", {0, "EUR"}: "0.00", {1234, "JPY"}: "1234",
		{1, "BHD"}: "0.001", {-250, "EUR"}: "-2.50",
	} {
		if got := decimal(m); got != want {
			t.Errorf("decimal(%+v) = %q, want %q", m, got, want)
		}
	}
}

func TestMonth(t *testing.T) {
	m, err := ParseMonth("2027-12")
	if err != nil || m != (Month{2027, time.December}) || m.String() != "2027-12" {
		t.Fatalf("ParseMonth = %+v, %v", m, err)
	}
	for _, bad := range []string{"", "2027-13", "2027-1", "27-01", "2027-01-01", "0000-01", "1999-12", "3000-01", "+027-01"} {
		if _, err := ParseMonth(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseMonth(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if got := MonthOf(time.Date(2027, time.January, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600))); got.String() != "2026-12" {
		t.Fatalf("MonthOf half past midnight in Paris on New Year = %s, want 2026-12 (UTC)", got)
	}
	var round Month
	if b, _ := m.MarshalText(); round.UnmarshalText(b) != nil || round != m {
		t.Fatalf("text round trip of %s gave %s", m, round)
	}
}
