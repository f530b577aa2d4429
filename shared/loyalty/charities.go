package loyalty

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Charity is a cause members can give their points to. The operator pays it
// in money from the monthly reports: PointsPerUnit points are worth one whole
// unit of Currency.
type Charity struct {
	// ID is the operator's slug, such as "red-cross".
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	LogoURL     string `json:"logoUrl,omitempty"`
	// PointsPerUnit points are worth one whole unit of Currency (100 points
	// = 1 EUR). Neither changes once the charity exists: every month's money
	// value is computed from them.
	PointsPerUnit int64  `json:"pointsPerUnit"`
	Currency      string `json:"currency"`
	// MinPoints is the smallest gift a member can make; every gift is a
	// multiple of Step.
	MinPoints int64 `json:"minPoints"`
	Step      int64 `json:"step"`
	// Matching, when set, has the operator give on top of what members give.
	Matching *Matching `json:"matching,omitempty"`
	// Archived charities take no more gifts and are not listed to members;
	// they are kept for their reports.
	Archived  bool      `json:"archived,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Matching is the operator's matching of members' gifts: Ratio points for
// every point given, up to CapPoints matched points per calendar month (UTC)
// and charity.
type Matching struct {
	// Ratio is a whole multiple: 1 matches 1:1, 2 doubles a gift.
	Ratio int64 `json:"ratio"`
	// CapPoints bounds the points matched for the charity in one month, the
	// operator's monthly budget. It is reached exactly, never exceeded (see Match).
	CapPoints int64 `json:"capPoints"`
}

// CharityShards is how many items a charity's totals are kept on, so that
// thousands of gifts in the same minute do not all update one item. (A
// month's matched points are also counted on one item of their own, which
// only the gifts still matched update: see DonationPosting.)
const CharityShards = 16

var (
	ErrCharityNotFound = errors.New("charity not found")
	// ErrCharityArchived refuses a gift or a plan for a charity that takes no more gifts.
	ErrCharityArchived = errors.New("charity is archived")
)

// PrepareCharity checks and normalizes a charity as the operator wrote it,
// for saving at now. prev is the charity as stored, nil for a new one: it
// keeps its creation time, and its rate (PointsPerUnit, Currency) cannot
// change, because the months already reported were valued at it.
func PrepareCharity(c Charity, prev *Charity, now time.Time) (Charity, error) {
	c.Name = strings.TrimSpace(c.Name)
	c.Description = strings.TrimSpace(c.Description)
	c.LogoURL = strings.TrimSpace(c.LogoURL)
	c.Currency = strings.ToUpper(strings.TrimSpace(c.Currency))
	if err := c.Validate(); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = now, now
	if prev != nil {
		if prev.PointsPerUnit != c.PointsPerUnit || prev.Currency != c.Currency {
			return c, fmt.Errorf("%w: pointsPerUnit and currency of a charity cannot change (%d points per %s): its reports are valued at them; archive it and create another", ErrInvalid, prev.PointsPerUnit, prev.Currency)
		}
		c.CreatedAt = prev.CreatedAt
	}
	return c, nil
}

// Validate checks a charity: what the operator may write and what the
// arithmetic of gifts and reports needs.
func (c Charity) Validate() error {
	if err := ValidSlug("id", c.ID); err != nil {
		return err
	}
	if _, err := cleanText("name", c.Name, 100, false); err != nil {
		return err
	}
	if c.Description != "" {
		if _, err := cleanText("description", c.Description, 2000, true); err != nil {
			return err
		}
	}
	if c.LogoURL != "" {
		u, err := url.Parse(c.LogoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(c.LogoURL) > 2048 {
			return fmt.Errorf("%w: logoUrl must be an https URL of at most 2048 characters", ErrInvalid)
		}
	}
	if _, err := unitSize(c.Currency); err != nil {
		return err
	}
	if c.PointsPerUnit < 1 || c.PointsPerUnit > 1_000_000 {
		return fmt.Errorf("%w: pointsPerUnit (points worth one %s) must be between 1 and 1000000", ErrInvalid, c.Currency)
	}
	if c.Step < 1 || c.Step > 1_000_000 {
		return fmt.Errorf("%w: step must be between 1 and 1000000 points", ErrInvalid)
	}
	if c.MinPoints < c.Step || c.MinPoints > 1_000_000_000 || c.MinPoints%c.Step != 0 {
		return fmt.Errorf("%w: minPoints must be a multiple of step (%d) from %d to 1000000000", ErrInvalid, c.Step, c.Step)
	}
	if m := c.Matching; m != nil {
		if m.Ratio < 1 || m.Ratio > 10 {
			return fmt.Errorf("%w: matching ratio must be a whole number from 1 (1:1) to 10", ErrInvalid)
		}
		if m.CapPoints < 1 || m.CapPoints > 1_000_000_000_000 {
			return fmt.Errorf("%w: matching capPoints (matched points per month) must be between 1 and 1000000000000", ErrInvalid)
		}
	}
	return nil
}

// checkGift refuses a gift of points the charity does not take.
func (c Charity) checkGift(points int64) error {
	if c.Archived {
		return fmt.Errorf("%w: %s takes no more gifts", ErrCharityArchived, c.ID)
	}
	if points < c.MinPoints {
		return fmt.Errorf("%w: the smallest gift to %s is %d points", ErrInvalid, c.ID, c.MinPoints)
	}
	if points%c.Step != 0 {
		return fmt.Errorf("%w: gifts to %s are multiples of %d points", ErrInvalid, c.ID, c.Step)
	}
	return nil
}

// Value is the money points are worth to the charity, in minor units of its
// currency: points × 10^exponent ÷ PointsPerUnit, rounded down, in integers.
// Money is only ever computed from a sum of points (a gift, a donor's month,
// a charity's month), never by adding up values already rounded, so that a
// report is exactly its points at the charity's rate, less under one minor
// unit.
func (c Charity) Value(points int64) Money {
	unit, err := unitSize(c.Currency)
	if err != nil || c.PointsPerUnit < 1 || points <= 0 {
		return Money{Value: 0, Currency: c.Currency}
	}
	return Money{Value: scaled(points, unit, c.PointsPerUnit).Int64(), Currency: c.Currency}
}

// scaled is points × unit ÷ per rounded down, without overflow.
func scaled(points, unit, per int64) *big.Int {
	v := new(big.Int).Mul(big.NewInt(points), big.NewInt(unit))
	return v.Quo(v, big.NewInt(per))
}

// Match is the points matched for a gift of points when the charity's month
// has matched matched points so far: Ratio × points, or what is left of the
// cap when that is less, so that the month's matching reaches its cap
// exactly and never passes it. The Book commits a match only while the
// month's matched points are still at most CapPoints − match (see
// DonationPosting.MatchedAtMost), so gifts racing for the last of the budget
// are decided again.
func (c Charity) Match(points, matched int64) int64 {
	m := c.Matching
	if m == nil {
		return 0
	}
	return max(0, min(points*m.Ratio, m.CapPoints-matched))
}

// Month is a calendar month in UTC, written YYYY-MM: the period of a
// charity's report and of a monthly pledge.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf is the UTC month of t.
func MonthOf(t time.Time) Month {
	t = t.UTC()
	return Month{t.Year(), t.Month()}
}

// ParseMonth reads a month written YYYY-MM, from 2000-01 to 2999-12: the
// months a program can have had.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 2000 || t.Year() > 2999 {
		return Month{}, fmt.Errorf("%w: month must be written as YYYY-MM, from 2000-01 to 2999-12", ErrInvalid)
	}
	return MonthOf(t), nil
}

func (m Month) String() string {
	if m.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month))
}

// IsZero reports whether m is unset.
func (m Month) IsZero() bool { return m == Month{} }

// YearMonth is the month d is in.
func (d Date) YearMonth() Month { return Month{d.Year, d.Month} }

// MarshalText writes m as YYYY-MM.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads YYYY-MM; an empty text is the zero Month.
func (m *Month) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Month{}
		return nil
	}
	parsed, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}

// CharityTotals are the points given to a charity over a period (all time,
// or a month), summed over its shards: what members gave, and apart from it
// what the operator matched.
type CharityTotals struct {
	Points  int64 `json:"points"`
	Matched int64 `json:"matched"`
	Gifts   int64 `json:"gifts"`
	// Donors counts the members who gave in the month, each once; it is kept
	// for months only.
	Donors int64 `json:"donors,omitempty"`
}

// Add sums totals, as the shards of a period are summed.
func (t CharityTotals) Add(u CharityTotals) CharityTotals {
	return CharityTotals{Points: t.Points + u.Points, Matched: t.Matched + u.Matched, Gifts: t.Gifts + u.Gifts, Donors: t.Donors + u.Donors}
}

// Donor is what one member gave one charity in one month.
type Donor struct {
	MemberID string `json:"memberId"`
	Gifts    int64  `json:"gifts"`
	Points   int64  `json:"points"`
	Matched  int64  `json:"matched"`
}

// MonthReport is what the operator owes a charity for a month: the points
// members gave and what the operator matched, each valued once from its sum
// (see Charity.Value), and the donors.
type MonthReport struct {
	CharityID    string `json:"charityId"`
	CharityName  string `json:"charityName"`
	Month        Month  `json:"month"`
	Points       int64  `json:"points"`
	Value        Money  `json:"value"`
	Matched      int64  `json:"matched"`
	MatchedValue Money  `json:"matchedValue"`
	Donors       int64  `json:"donors"`
	Gifts        int64  `json:"gifts"`
	// Lines, when asked for, give each donor's part. Their values are the
	// month's value shared out by largest remainder, so that they add up to
	// Value and MatchedValue exactly.
	Lines []DonorLine `json:"lines,omitempty"`
}

// DonorLine is one donor's part of a MonthReport.
type DonorLine struct {
	Donor
	Value        Money `json:"value"`
	MatchedValue Money `json:"matchedValue"`
}

// NewMonthReport values a charity's month: totals are the month's shards
// summed, donors (nil for a report without lines) the month's donors.
func NewMonthReport(c Charity, month Month, totals CharityTotals, donors []Donor) MonthReport {
	r := MonthReport{
		CharityID: c.ID, CharityName: c.Name, Month: month,
		Points: totals.Points, Value: c.Value(totals.Points),
		Matched: totals.Matched, MatchedValue: c.Value(totals.Matched),
		Donors: totals.Donors, Gifts: totals.Gifts,
	}
	if donors == nil {
		return r
	}
	points := make([]int64, len(donors))
	matched := make([]int64, len(donors))
	for i, d := range donors {
		points[i], matched[i] = d.Points, d.Matched
	}
	values, matchedValues := c.apportion(points), c.apportion(matched)
	r.Lines = make([]DonorLine, len(donors))
	for i, d := range donors {
		r.Lines[i] = DonorLine{Donor: d, Value: Money{values[i], c.Currency}, MatchedValue: Money{matchedValues[i], c.Currency}}
	}
	return r
}

// apportion shares out the value of the sum of parts over the parts by
// largest remainder: each part gets its value rounded down, and the minor
// units the rounding left are given one each to the parts that lost the most
// to it (the earlier part on a tie). The shares add up to Value(sum) exactly.
func (c Charity) apportion(parts []int64) []int64 {
	out := make([]int64, len(parts))
	unit, err := unitSize(c.Currency)
	if err != nil || c.PointsPerUnit < 1 {
		return out
	}
	var sum, given int64
	rems := make([]int64, len(parts))
	for i, p := range parts {
		sum += p
		exact := new(big.Int).Mul(big.NewInt(p), big.NewInt(unit))
		q, r := new(big.Int).QuoRem(exact, big.NewInt(c.PointsPerUnit), new(big.Int))
		out[i], rems[i] = q.Int64(), r.Int64()
		given += out[i]
	}
	left := c.Value(sum).Value - given
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
	for _, i := range order {
		if left <= 0 {
			break
		}
		out[i]++
		left--
	}
	return out
}

// CSV writes the report for settlement: a header, a line per donor (when the
// report has lines) and a last line, member "TOTAL", with the month's
// figures. Money is written in units with the currency's decimals (12.34).
func (r MonthReport) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "charity", "member", "gifts", "points", "value", "matched_points", "matched_value", "currency"})
	line := func(member string, gifts, points int64, value Money, matched int64, matchedValue Money) {
		cw.Write([]string{
			r.Month.String(), r.CharityID, member, strconv.FormatInt(gifts, 10),
			strconv.FormatInt(points, 10), decimal(value), strconv.FormatInt(matched, 10), decimal(matchedValue), r.Value.Currency,
		})
	}
	for _, l := range r.Lines {
		line(l.MemberID, l.Gifts, l.Points, l.Value, l.Matched, l.MatchedValue)
	}
	line("TOTAL", r.Gifts, r.Points, r.Value, r.Matched, r.MatchedValue)
	cw.Flush()
	return cw.Error()
}

// decimal writes an amount in units with its currency's decimals: 1234 EUR
// is "12.34", 1234 JPY "1234".
func decimal(m Money) string {
	exp, _ := CurrencyExponent(m.Currency)
	s := strconv.FormatInt(m.Value, 10)
	if exp == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	if neg {
		s = "-" + s
	}
	return s
}
