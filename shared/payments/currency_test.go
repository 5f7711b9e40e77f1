package payments_test

import (
	"errors"
	"testing"

	"innkeeper/shared/payments"
)

func TestZeroDecimal(t *testing.T) {
	for _, c := range []string{"JPY", "jpy", "KRW", "CLP", "VND", "XOF", "UGX"} {
		if !payments.ZeroDecimal(c) {
			t.Errorf("%s is zero-decimal for Stripe", c)
		}
	}
	for _, c := range []string{"EUR", "usd", "KWD", "ISK", "HUF", "", "JP"} {
		if payments.ZeroDecimal(c) {
			t.Errorf("%s is not zero-decimal for Stripe", c)
		}
	}
}

// Our minor units are Stripe's amounts for the currencies hotels use; the
// exceptions are converted exactly or refused.
func TestStripeAmount(t *testing.T) {
	for _, c := range []struct {
		minor int64
		code  string
		want  int64
	}{
		{16150, "EUR", 16150}, // € 161.50
		{57800, "JPY", 57800}, // ¥ 57,800: the yen is the minor unit
		{57800, "jpy", 57800},
		{1500, "KWD", 1500},     // KWD 1.500
		{500, "ISK", 50000},     // 500 krónur: Stripe keeps ISK two-decimal
		{12000, "HUF", 12000},   // Ft 120.00
		{990000, "KRW", 990000}, // ₩ 990,000
	} {
		got, err := payments.StripeAmount(c.minor, c.code)
		if err != nil || got != c.want {
			t.Errorf("StripeAmount(%d, %s) = %d, %v; want %d", c.minor, c.code, got, err, c.want)
		}
		if back := payments.FromStripeAmount(got, c.code); back != c.minor {
			t.Errorf("FromStripeAmount(%d, %s) = %d, want %d", got, c.code, back, c.minor)
		}
	}
	for _, c := range []struct {
		minor int64
		code  string
	}{{1505, "KWD"}, {1, "EURO"}, {1, ""}} {
		if _, err := payments.StripeAmount(c.minor, c.code); !errors.Is(err, payments.ErrInvalid) {
			t.Errorf("StripeAmount(%d, %q): %v, want ErrInvalid", c.minor, c.code, err)
		}
	}
	// Every zero-decimal currency of Stripe has no minor unit in ours
	// either: the amount passes unchanged.
	for _, c := range []string{"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"} {
		if s := payments.MinorScale(c); s != 0 {
			t.Errorf("%s has %d decimals in our minor units", c, s)
		}
		if got, err := payments.StripeAmount(1234, c); err != nil || got != 1234 {
			t.Errorf("StripeAmount(1234, %s) = %d, %v", c, got, err)
		}
	}
}
