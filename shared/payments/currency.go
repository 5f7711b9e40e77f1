package payments

import (
	"strings"

	"golang.org/x/text/currency"
)

// zeroDecimal are Stripe's published zero-decimal currencies
// (https://docs.stripe.com/currencies#zero-decimal): their API amount is
// the whole unit (¥500 is 500).
var zeroDecimal = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true,
	"KRW": true, "MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true,
	"VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

// threeDecimal are Stripe's three-decimal currencies, whose API amounts
// must end in 0 (5.124 KWD cannot be charged; 5.120 can).
var threeDecimal = map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}

// ZeroDecimal reports whether Stripe takes amounts of the currency in
// whole units (JPY, KRW, …); any case.
func ZeroDecimal(code string) bool { return zeroDecimal[strings.ToUpper(code)] }

// stripeScale is how many decimals Stripe's API amount of the currency
// has: 0 for the zero-decimal ones, 3 for the three-decimal ones, 2 for
// every other (ISK included: two-decimal in the API though whole krónur
// only).
func stripeScale(code string) int {
	switch {
	case zeroDecimal[code]:
		return 0
	case threeDecimal[code]:
		return 3
	}
	return 2
}

// MinorScale is how many decimals Innkeeper's minor units of the currency
// have: the ISO/CLDR standard digits, as prices are entered and shown
// (shared/notify, shared/invoicepdf); 2 for a code the table lacks.
func MinorScale(code string) int {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(unit)
	return scale
}

// StripeAmount is an amount in Innkeeper's minor units as Stripe's API
// takes it. They are the same number for almost every currency: the
// zero-decimal ones (JPY: minor unit = yen = Stripe's unit) and the
// two- and three-decimal ones. They differ where Stripe keeps two
// decimals for a currency the standard gives none (ISK: 500 krónur is
// 50000 for Stripe), and an amount Stripe cannot take is refused rather
// than rounded: a three-decimal amount not ending in 0, or one whose
// conversion is not exact.
func StripeAmount(minor int64, code string) (int64, error) {
	code = strings.ToUpper(code)
	if len(code) != 3 {
		return 0, invalid("currency %q is no ISO 4217 code", code)
	}
	ours, theirs := MinorScale(code), stripeScale(code)
	out := minor
	for ; ours < theirs; ours++ {
		out *= 10
	}
	for ; ours > theirs; ours-- {
		if out%10 != 0 {
			return 0, invalid("%d minor units of %s are not a whole amount in Stripe's unit", minor, code)
		}
		out /= 10
	}
	if theirs == 3 && out%10 != 0 {
		return 0, invalid("%s amounts must end in 0 for Stripe (%d)", code, minor)
	}
	return out, nil
}

// FromStripeAmount is StripeAmount's inverse: an amount Stripe reports
// (a webhook's, a refund's) in Innkeeper's minor units.
func FromStripeAmount(amount int64, code string) int64 {
	code = strings.ToUpper(code)
	ours, theirs := MinorScale(code), stripeScale(code)
	for ; theirs < ours; theirs++ {
		amount *= 10
	}
	for ; theirs > ours; theirs-- {
		amount /= 10
	}
	return amount
}
