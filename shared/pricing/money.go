package pricing

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"innkeeper/shared/decimal"
)

// Nanos is an amount of money in nano-dollars: one US dollar is 1e9
// Nanos. Sums of Nanos are exact; an int64 holds ±9.2 billion dollars.
type Nanos int64

// Dollar is one US dollar.
const Dollar Nanos = 1_000_000_000

// Decimal is the amount in dollars with all nine decimals and no
// currency sign, e.g. "0.000000208", for JSON and CSV.
func (n Nanos) Decimal() string {
	u := uint64(n)
	sign := ""
	if n < 0 {
		// Two's complement negation also gives the magnitude of MinInt64.
		u = -u
		sign = "-"
	}
	return fmt.Sprintf("%s%d.%09d", sign, u/1e9, u%1e9)
}

// String is the amount for people, e.g. "$0.000000208" or "-$1.500000000".
func (n Nanos) String() string {
	d := n.Decimal()
	if strings.HasPrefix(d, "-") {
		return "-$" + d[1:]
	}
	return "$" + d
}

// Micros is the amount in micro-dollars, for EMF metric values, which
// CloudWatch stores as doubles anyway. It is the one float conversion in
// the package: never add Micros up, add Nanos.
func (n Nanos) Micros() float64 { return float64(n) / 1e3 }

// MarshalText writes the amount as Decimal, so JSON carries a string that
// no decoder turns into a float.
func (n Nanos) MarshalText() ([]byte, error) { return []byte(n.Decimal()), nil }

// UnmarshalText reads what MarshalText writes (ParseNanos).
func (n *Nanos) UnmarshalText(b []byte) error {
	v, err := ParseNanos(string(b))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// ParseNanos reads a dollar amount such as "0.000000208", "$1.5" or
// "-2": an optional sign, an optional "$", and at most nine decimals, so
// that nothing is rounded.
func ParseNanos(s string) (Nanos, error) {
	in := s
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	}
	s = strings.TrimPrefix(s, "$")
	num, scale, err := decimal.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("pricing: amount %q: %w", in, err)
	}
	if scale > 9 {
		return 0, fmt.Errorf("pricing: amount %q: more than nine decimals", in)
	}
	v := new(big.Int).Mul(big.NewInt(num), decimal.Pow10(9-scale))
	if neg {
		v.Neg(v)
	}
	if !v.IsInt64() {
		return 0, fmt.Errorf("pricing: amount %q: out of range", in)
	}
	return Nanos(v.Int64()), nil
}

// Rate is a unit price: Nanos/Per nano-dollars for one metered unit (a
// request, a byte, an MB-millisecond). It is a fraction so that prices
// such as $0.0000166667 per GB-second stay exact.
type Rate struct {
	Nanos int64
	Per   int64
}

// Validate checks the rate is a price: Per positive, Nanos not negative.
func (r Rate) Validate() error {
	if r.Per <= 0 || r.Nanos < 0 {
		return fmt.Errorf("pricing: rate %d/%d: need a positive Per and a non-negative price", r.Nanos, r.Per)
	}
	return nil
}

// Cost is the price of qty units, rounded once, half away from zero.
func (r Rate) Cost(qty int64) (Nanos, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	return roundRat(new(big.Rat).Mul(r.rat(), new(big.Rat).SetInt64(qty)))
}

func (r Rate) rat() *big.Rat { return big.NewRat(r.Nanos, r.Per) }

// rateOf reduces an exact price per unit back to a Rate.
func rateOf(x *big.Rat) (Rate, error) {
	if !x.Num().IsInt64() || !x.Denom().IsInt64() {
		return Rate{}, errors.New("pricing: rate out of range")
	}
	return Rate{Nanos: x.Num().Int64(), Per: x.Denom().Int64()}, nil
}

// usdRate is the Rate of usd dollars for per units, e.g. ("0.20",
// 1_000_000) or ("0.0000166667", mbmsPerGBSecond).
func usdRate(usd string, per int64) (Rate, error) {
	num, scale, err := decimal.Parse(usd)
	if err != nil {
		return Rate{}, fmt.Errorf("pricing: price %q: %w", usd, err)
	}
	if per <= 0 {
		return Rate{}, fmt.Errorf("pricing: price %q: per %d units", usd, per)
	}
	// usd = num / 10^scale dollars = num × 10^9 / 10^scale nano-dollars.
	x := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(num), decimal.Pow10(9)), decimal.Pow10(scale))
	x.Quo(x, new(big.Rat).SetInt64(per))
	r, err := rateOf(x)
	if err != nil {
		return Rate{}, fmt.Errorf("pricing: price %q per %d: %w", usd, per, err)
	}
	return r, nil
}

// mustRate is usdRate for the built-in table, whose figures are literals.
func mustRate(usd string, per int64) Rate {
	r, err := usdRate(usd, per)
	if err != nil {
		panic(err)
	}
	return r
}

// roundRat rounds x to whole nano-dollars, halves away from zero: the one
// rounding of a line item (decimal.Round).
func roundRat(x *big.Rat) (Nanos, error) {
	n, err := decimal.Round(x)
	if err != nil {
		return 0, errors.New("pricing: amount out of range")
	}
	return Nanos(n), nil
}
