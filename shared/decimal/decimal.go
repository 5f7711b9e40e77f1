// Package decimal reads decimal numbers exactly and rounds exact
// fractions once, by one rule, so that neither a price nor a duration
// ever passes through a float. Prices ("0.0000166667" dollars per
// GB-second) and the durations of Lambda's REPORT lines ("12.30 ms")
// are both read here.
package decimal

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// MaxDigits is the most significant digits Parse accepts: the value must
// fit an int64 whatever its scale.
const MaxDigits = 18

// Parse reads unsigned digits with an optional fraction, "12.30", as
// num / 10^scale (1230, 2). A sign, an exponent, a lone dot, a dot
// without digits after it and more than MaxDigits significant digits are
// errors.
func Parse(s string) (num int64, scale int, err error) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && frac == "" || dot && frac == "" {
		return 0, 0, fmt.Errorf("not a decimal number")
	}
	digits := whole + frac
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, 0, fmt.Errorf("not a decimal number")
		}
	}
	if len(strings.TrimLeft(digits, "0")) > MaxDigits {
		return 0, 0, fmt.Errorf("more than %d significant digits", MaxDigits)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("not a decimal number: %w", err)
	}
	return n, len(frac), nil
}

// Rat is num / 10^scale as an exact fraction, for Parse's results.
func Rat(num int64, scale int) *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(num), Pow10(scale))
}

// Pow10 is 10^n.
func Pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// ErrRange is Round's error for a result that does not fit an int64.
var ErrRange = errors.New("decimal: out of range")

// Round is x rounded to a whole number, halves away from zero: the one
// rounding rule of every amount and duration derived from a fraction.
func Round(x *big.Rat) (int64, error) {
	num := new(big.Int).Abs(x.Num())
	den := x.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if x.Sign() < 0 {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, ErrRange
	}
	return q.Int64(), nil
}
