package finance

import (
	"math/big"
	"slices"

	"innkeeper/shared/pricing"
)

// Allocate splits total between parts in proportion to weights, exactly:
// the parts add up to total to the nano. The rule is the largest
// remainder (Hamilton's method): each part is first total × weight /
// sum of weights rounded down; the nanos this leaves (fewer than the
// number of parts) go one each to the parts with the largest remainders
// of that division, and between equal remainders to the part listed
// first. A part of weight zero gets nothing. false when the weights sum
// to zero (nothing to split by) or one is negative, or total is
// negative.
func Allocate(total pricing.Nanos, weights []int64) ([]pricing.Nanos, bool) {
	if total < 0 {
		return nil, false
	}
	sum := new(big.Int)
	for _, w := range weights {
		if w < 0 {
			return nil, false
		}
		sum.Add(sum, big.NewInt(w))
	}
	if sum.Sign() == 0 {
		return nil, false
	}
	parts := make([]pricing.Nanos, len(weights))
	rems := make([]*big.Int, len(weights))
	left := int64(total)
	for i, w := range weights {
		// total × w / sum ≤ total, so the quotient fits an int64.
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(int64(total)), big.NewInt(w)), sum, new(big.Int))
		parts[i], rems[i] = pricing.Nanos(q.Int64()), r
		left -= q.Int64()
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	// Stable: equal remainders keep the parts' order.
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for _, i := range order[:left] {
		parts[i]++
	}
	return parts, true
}

// Split is the part of total charged to the one at position i (from 0)
// of n sharing it equally, exactly: total / n rounded down, and one nano
// more for the first total mod n positions, so the n parts add up to
// total. n below 1 counts as 1; a position outside [0, n) gets the part
// rounded down. total must not be negative.
func Split(total pricing.Nanos, n, i int64) pricing.Nanos {
	if n <= 1 {
		return total
	}
	part := total / pricing.Nanos(n)
	if i >= 0 && i < int64(total%pricing.Nanos(n)) {
		part++
	}
	return part
}
