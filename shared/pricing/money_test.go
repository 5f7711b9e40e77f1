package pricing

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
)

func TestNanosFormats(t *testing.T) {
	tests := []struct {
		name    string
		n       Nanos
		str     string
		decimal string
		micros  float64
	}{
		{"a request", 208, "$0.000000208", "0.000000208", 0.208},
		{"zero", 0, "$0.000000000", "0.000000000", 0},
		{"a dollar and a half", 3 * Dollar / 2, "$1.500000000", "1.500000000", 1_500_000},
		{"a refund", -208, "-$0.000000208", "-0.000000208", -0.208},
		{"the most negative", math.MinInt64, "-$9223372036.854775808", "-9223372036.854775808", -9223372036854775.808},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.n.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := tt.n.Decimal(); got != tt.decimal {
				t.Errorf("Decimal() = %q, want %q", got, tt.decimal)
			}
			if got := tt.n.Micros(); got != tt.micros {
				t.Errorf("Micros() = %v, want %v", got, tt.micros)
			}
		})
	}
}

func TestParseNanos(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Nanos
		wantErr bool
	}{
		{"nine decimals", "0.000000208", 208, false},
		{"dollar sign", "$1.5", 1_500_000_000, false},
		{"negative whole", "-2", -2 * Dollar, false},
		{"leading dot", ".25", 250_000_000, false},
		{"ten decimals would round", "0.0000000001", 0, true},
		{"not a number", "abc", 0, true},
		{"empty", "", 0, true},
		{"trailing dot", "1.", 0, true},
		{"exponent", "1e9", 0, true},
		{"too large for int64", "99999999999", 0, true},
		{"plus sign inside", "+1", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNanos(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseNanos(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseNanos(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestNanosJSONIsADecimalString(t *testing.T) {
	type row struct {
		Amount Nanos `json:"amount"`
	}
	b, err := json.Marshal(row{208})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"amount":"0.000000208"}` {
		t.Errorf("Marshal = %s", b)
	}
	var back row
	if err := json.Unmarshal(b, &back); err != nil || back.Amount != 208 {
		t.Errorf("Unmarshal = %v, %v; want 208", back.Amount, err)
	}
	if err := json.Unmarshal([]byte(`{"amount":"0.0000000001"}`), &back); err == nil {
		t.Error("Unmarshal of ten decimals: want an error, not a rounded amount")
	}
}

// roundRat is decimal.Round in Nanos; its rounding cases are
// decimal's (TestRoundHalfAwayFromZero). Here: a line item out of an
// int64's range is an error, not a wrapped amount.
func TestRoundRatOutOfRange(t *testing.T) {
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 63))
	if n, err := roundRat(huge); err == nil {
		t.Errorf("roundRat(2^63) = %d, want an error", n)
	}
	if n, err := roundRat(big.NewRat(-5, 2)); err != nil || n != -3 {
		t.Errorf("roundRat(-5/2) = %d, %v; want -3", n, err)
	}
}

func TestUSDRate(t *testing.T) {
	tests := []struct {
		name    string
		usd     string
		per     int64
		want    Rate
		qty     int64
		cost    Nanos
		wantErr bool
	}{
		// $0.20 per 1M = 200 nano-dollars a request.
		{"lambda requests", "0.20", 1_000_000, Rate{200, 1}, 1, 200, false},
		// $0.0000166667 = 16666.7 nano-dollars per GB-s: 166667/10.
		{"x86 GB-second", "0.0000166667", 1, Rate{166667, 10}, 10, 166667, false},
		// $0.10 per 1000 emails = 100,000 nano-dollars an email.
		{"ses", "0.10", 1000, Rate{100_000, 1}, 3, 300_000, false},
		// $0.40 per 1M requests: 400 each.
		{"sqs", "0.40", 1_000_000, Rate{400, 1}, 5, 2000, false},
		{"no units", "1", 0, Rate{}, 0, 0, true},
		{"not a price", "x", 1, Rate{}, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := usdRate(tt.usd, tt.per)
			if (err != nil) != tt.wantErr {
				t.Fatalf("usdRate error = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if got != tt.want {
				t.Errorf("usdRate(%q, %d) = %+v, want %+v", tt.usd, tt.per, got, tt.want)
			}
			if c, err := got.Cost(tt.qty); err != nil || c != tt.cost {
				t.Errorf("Cost(%d) = %d, %v; want %d", tt.qty, c, err, tt.cost)
			}
		})
	}
}

func TestRateCostRejectsABadRate(t *testing.T) {
	if _, err := (Rate{1, 0}).Cost(1); err == nil {
		t.Error("Cost with Per 0: want an error")
	}
	if _, err := (Rate{-1, 1}).Cost(1); err == nil {
		t.Error("Cost with a negative price: want an error")
	}
}
