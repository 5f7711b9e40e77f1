package finance

import (
	"fmt"
	"math/big"

	"innkeeper/shared/pricing"
)

// DivRound is n/d rounded half away from zero (half up for the
// non-negative amounts of the ledger), in integers. d must be positive.
func DivRound(n pricing.Nanos, d int64) pricing.Nanos {
	if d <= 0 {
		panic(fmt.Sprintf("finance: division by %d", d))
	}
	q, r := int64(n)/d, int64(n)%d
	// |r| < d: compare |r| with d-|r| rather than 2|r| with d, which
	// could overflow.
	switch {
	case r > 0 && r >= d-r:
		q++
	case r < 0 && -r >= d+r:
		q--
	}
	return pricing.Nanos(q)
}

// mulDivRound is a×b/d rounded half up, exactly, for non-negative a and
// b and positive d; false when the result does not fit an int64.
func mulDivRound(a pricing.Nanos, b, d int64) (pricing.Nanos, bool) {
	num := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(b))
	num.Add(num.Lsh(num, 1), big.NewInt(d)) // (2ab + d) / 2d
	num.Quo(num, new(big.Int).Lsh(big.NewInt(d), 1))
	if !num.IsInt64() {
		return 0, false
	}
	return pricing.Nanos(num.Int64()), true
}

// Percent is part as a percentage of whole with one decimal, rounded
// half up, e.g. "12.5"; false when whole is not positive or part is
// negative.
func Percent(part, whole pricing.Nanos) (string, bool) {
	if whole <= 0 || part < 0 {
		return "", false
	}
	tenths, ok := mulDivRound(part, 1000, int64(whole))
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10), true
}
