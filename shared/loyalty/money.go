package loyalty

import "fmt"

// Money is an amount in integer minor units of an ISO 4217 currency
// (1250 EUR is 12.50 EUR). Money never goes through floating point.
type Money struct {
	Value    int64  `json:"value"`
	Currency string `json:"currency"`
}

// MaxAmount bounds a single purchase, in minor units. It keeps every product
// in the earn arithmetic far from int64 overflow and refuses absurd input.
const MaxAmount = 100_000_000_000

// currencyExponents lists the number of minor-unit digits of the ISO 4217
// currencies a program may use.
var currencyExponents = map[string]int{
	"AED": 2, "ARS": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2,
	"CHF": 2, "CLP": 0, "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2,
	"EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2,
	"ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MAD": 2, "MXN": 2,
	"MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PHP": 2, "PLN": 2, "QAR": 2,
	"RON": 2, "RSD": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3,
	"TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "XOF": 0, "XAF": 0,
	"ZAR": 2,
}

// CurrencyExponent returns the number of minor-unit digits of an ISO 4217
// currency code, and false when the code is not one Fidelio knows.
func CurrencyExponent(code string) (int, bool) {
	e, ok := currencyExponents[code]
	return e, ok
}

// unitSize is 10^exponent: the number of minor units in one whole unit.
func unitSize(code string) (int64, error) {
	e, ok := currencyExponents[code]
	if !ok {
		return 0, fmt.Errorf("%w: %q is not an ISO 4217 currency code Fidelio knows", ErrInvalid, code)
	}
	size := int64(1)
	for range e {
		size *= 10
	}
	return size, nil
}

// IsZero reports no amount at all, not even its currency.
func (m Money) IsZero() bool { return m == Money{} }

// Validate checks that m is a positive amount of a known currency within MaxAmount.
func (m Money) Validate() error {
	if _, err := unitSize(m.Currency); err != nil {
		return err
	}
	if m.Value <= 0 {
		return fmt.Errorf("%w: amount must be a positive number of minor units, got %d", ErrInvalid, m.Value)
	}
	if m.Value > MaxAmount {
		return fmt.Errorf("%w: amount %d is larger than the %d minor units one purchase may be", ErrInvalid, m.Value, int64(MaxAmount))
	}
	return nil
}

// String writes the amount in whole units, as a person reads it: "23.90 EUR".
func (m Money) String() string {
	e := currencyExponents[m.Currency]
	s := fmt.Sprintf("%0*d", e+1, m.Value)
	if e > 0 {
		s = s[:len(s)-e] + "." + s[len(s)-e:]
	}
	return s + " " + m.Currency
}
