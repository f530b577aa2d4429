package loyalty

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestEarnPoints(t *testing.T) {
	r := DefaultRules()
	tests := []struct {
		name   string
		amount Money
		tier   Tier
		want   int64
	}{
		{"12.50 EUR at Bronze rounds down to 12", Money{1250, "EUR"}, Bronze, 12},
		{"0.99 EUR earns nothing", Money{99, "EUR"}, Bronze, 0},
		{"10 EUR at Silver earns 12 (12.5 rounded down)", Money{1000, "EUR"}, Silver, 12},
		{"13.99 EUR at Silver earns 16 (13 whole units)", Money{1399, "EUR"}, Silver, 16},
		{"100 EUR at Gold earns 150", Money{10000, "EUR"}, Gold, 150},
		{"100 EUR at Platinum earns 200", Money{10000, "EUR"}, Platinum, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.EarnPoints(tc.amount, tc.tier)
			if err != nil || got != tc.want {
				t.Fatalf("EarnPoints = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	refused := []Money{{0, "EUR"}, {-5, "EUR"}, {MaxAmount + 1, "EUR"}, {100, "XXX"}, {100, "USD"}, {100, "eur"}}
	for _, m := range refused {
		if _, err := r.EarnPoints(m, Bronze); !errors.Is(err, ErrInvalid) {
			t.Errorf("EarnPoints(%+v) err = %v, want ErrInvalid", m, err)
		}
	}
}

// The largest purchase earns at most MaxPoints under any rules Validate
// allows: a JPY program earns at most 1 point a yen at 1000%.
func TestRulesBoundTheLargestEarning(t *testing.T) {
	generous := func(currency string, perUnit, percent int64) Rules {
		r := DefaultRules()
		r.Currency, r.PointsPerUnit = currency, perUnit
		for _, t := range Tiers {
			r.MultiplierPercent[t] = percent
		}
		return r
	}
	for _, r := range []Rules{generous("JPY", 1, 1000), generous("JPY", 10, 100), generous("EUR", 100, 1000), generous("KWD", 1000, 1000)} {
		if err := r.Validate(); err != nil {
			t.Fatalf("%s, %d a unit at %d%%: %v", r.Currency, r.PointsPerUnit, r.MultiplierPercent[Gold], err)
		}
		if most, err := r.EarnPoints(Money{MaxAmount, r.Currency}, Gold); err != nil || most > MaxPoints {
			t.Fatalf("%s, %d a unit at %d%%: the largest purchase earns %d, %v", r.Currency, r.PointsPerUnit, r.MultiplierPercent[Gold], most, err)
		}
	}
	for _, r := range []Rules{generous("JPY", 1000, 1000), generous("JPY", 2, 1000), generous("EUR", 101, 1000)} {
		if err := r.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s, %d a unit at %d%%: err = %v, want ErrInvalid", r.Currency, r.PointsPerUnit, r.MultiplierPercent[Gold], err)
		}
	}
}

func TestLotExpiry(t *testing.T) {
	r := DefaultRules()
	tests := []struct{ earned, want string }{
		{"2026-11-23", "2027-11-30"},
		{"2026-11-01", "2027-11-30"},
		{"2026-12-31", "2027-12-31"},
		{"2027-02-10", "2028-02-29"}, // the month 12 months on is a leap February
		{"2028-02-29", "2029-02-28"},
	}
	for _, tc := range tests {
		d, _ := ParseDate(tc.earned)
		if got := r.LotExpiry(d.Time().Add(15 * time.Hour)).String(); got != tc.want {
			t.Errorf("points earned %s expire %s, want %s", tc.earned, got, tc.want)
		}
	}
}

func TestTiers(t *testing.T) {
	r := DefaultRules()
	for q, want := range map[int64]Tier{0: Bronze, 499: Bronze, 500: Silver, 1499: Silver, 1500: Gold, 4999: Gold, 5000: Platinum, 1 << 40: Platinum} {
		if got := r.TierFor(q); got != want {
			t.Errorf("TierFor(%d) = %s, want %s", q, got, want)
		}
	}
	if next, needed, ok := r.NextTier(Silver, 1200); !ok || next != Gold || needed != 300 {
		t.Errorf("NextTier(silver, 1200) = %s %d %v", next, needed, ok)
	}
	if _, _, ok := r.NextTier(Platinum, 9000); ok {
		t.Error("there is a tier above platinum")
	}
	bad := DefaultRules()
	bad.Thresholds[Gold] = 400
	if err := bad.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("thresholds that fall validate: %v", err)
	}
}

func TestQualifyingWindow(t *testing.T) {
	var m Member
	today, _ := ParseDate("2026-11-23")
	m.addQualifying(today.AddDays(-364), 100, today) // the window's first day
	m.addQualifying(today.AddDays(-365), 999, today) // just outside: never counted
	m.addQualifying(today, 50, today)
	if got := m.QualifyingPoints(today); got != 150 {
		t.Fatalf("qualifying = %d, want 150", got)
	}
	if got := m.QualifyingPoints(today.AddDays(1)); got != 50 {
		t.Fatalf("a day later qualifying = %d, want 50", got)
	}
	m.addQualifying(today, -80, today)
	if got := m.QualifyingPoints(today); got != 100 {
		t.Fatalf("taking back more than a day holds leaves %d, want 100", got)
	}
}

func TestTxID(t *testing.T) {
	const member = "01KAAAAAAAAAAAAAAAAAAAAAAA"
	id := TxID{MemberID: member, Seq: 42}
	got, err := ParseTxID(id.String())
	if err != nil || got != id {
		t.Fatalf("round trip of %s = %+v, %v", id, got, err)
	}
	for _, s := range []string{"", member, member + "-", member + "-0", member + "-x", "-4", "01JDAB-4", strings.Repeat("A", 2100) + "-4", member + "-+2", member + "-02", member + "- 2", member + "-2-3"} {
		if _, err := ParseTxID(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseTxID(%q) err = %v, want ErrInvalid", s, err)
		}
	}
}

func TestProfileValidation(t *testing.T) {
	today, _ := ParseDate("2026-11-23")
	ok := Profile{Name: " Ada ", Email: " Ada@Example.COM ", TimeZone: "Asia/Tokyo", Locale: "fr-FR"}
	p, err := ok.validate(today)
	if err != nil || p.Email != "ada@example.com" || p.Name != "Ada" {
		t.Fatalf("validate = %+v, %v", p, err)
	}
	bad := map[string]Profile{
		"no name":          {Email: "a@b.c"},
		"not an email":     {Name: "A", Email: "a@"},
		"display name":     {Name: "A", Email: "Ada <a@b.c>"},
		"future birthday":  {Name: "A", Email: "a@b.c", Birthday: Date{2030, 1, 1}},
		"unknown timezone": {Name: "A", Email: "a@b.c", TimeZone: "Mars/Olympus"},
		"bad locale":       {Name: "A", Email: "a@b.c", Locale: "french"},
	}
	for name, p := range bad {
		if _, err := p.validate(today); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestSealedAnswersNeedTheKey(t *testing.T) {
	k := IdemKey{Scope: "enroll", Key: "k1"}
	sealed, err := k.seal(Enrollment{Token: "fm_secret"})
	if err != nil {
		t.Fatal(err)
	}
	var out Enrollment
	if err := k.open(sealed, &out); err != nil || out.Token != "fm_secret" {
		t.Fatalf("open with the key = %+v, %v", out, err)
	}
	if err := (IdemKey{Scope: "enroll", Key: "k2"}).open(sealed, &out); err == nil {
		t.Fatal("another key opened the sealed answer")
	}
}

// FuzzEarnPoints checks the earn arithmetic against exact big-integer
// arithmetic: integers only, rounded down, never negative, never overflowing.
func FuzzEarnPoints(f *testing.F) {
	f.Add(int64(1250), "EUR", uint8(0), int64(1), int64(125))
	f.Add(int64(MaxAmount), "KWD", uint8(3), int64(1000), int64(1000))
	f.Add(int64(99), "JPY", uint8(2), int64(7), int64(150))
	f.Fuzz(func(t *testing.T, value int64, currency string, tierIdx uint8, perUnit, mult int64) {
		r := DefaultRules()
		r.Currency = currency
		r.PointsPerUnit = perUnit
		tier := Tiers[int(tierIdx)%len(Tiers)]
		r.MultiplierPercent[tier] = mult
		if r.Validate() != nil {
			return
		}
		got, err := r.EarnPoints(Money{value, currency}, tier)
		if err != nil {
			if value > 0 && value <= MaxAmount {
				t.Fatalf("valid amount %d %s refused: %v", value, currency, err)
			}
			return
		}
		unit, _ := unitSize(currency)
		want := new(big.Int).Quo(big.NewInt(value), big.NewInt(unit))
		want.Mul(want, big.NewInt(perUnit)).Mul(want, big.NewInt(mult)).Quo(want, big.NewInt(100))
		if !want.IsInt64() || want.Int64() != got || got < 0 {
			t.Fatalf("EarnPoints(%d %s, %s x%d%%, %d/unit) = %d, want %s", value, currency, tier, mult, perUnit, got, want)
		}
	})
}

func TestCardTimesAreDistinctSeconds(t *testing.T) {
	now := time.Date(2027, 1, 1, 10, 0, 0, 300_000_000, time.UTC)
	first := nextCardTime(time.Time{}, now)
	second := nextCardTime(first, now.Add(200*time.Millisecond))
	third := nextCardTime(second, now.Add(5*time.Second))
	if first != now.Truncate(time.Second) || second != first.Add(time.Second) || third != now.Add(5*time.Second).Truncate(time.Second) {
		t.Fatalf("card times %v %v %v", first, second, third)
	}
}

func TestAnAccountThatKeepsChangingIsBusy(t *testing.T) {
	for _, err := range []error{ErrVersionConflict, ErrKeyTaken} {
		if got := givenUp(err); got != ErrBusy {
			t.Errorf("giving up on %v: %v, want ErrBusy (a 503 the caller may retry)", err, got)
		}
	}
	if got := givenUp(ErrInsufficientPoints); got != ErrInsufficientPoints {
		t.Errorf("giving up on a refusal changed it to %v", got)
	}
}
