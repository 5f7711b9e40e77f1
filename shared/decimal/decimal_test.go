package decimal

import (
	"errors"
	"math/big"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		num   int64
		scale int
		ok    bool
	}{
		{"whole", "128", 128, 0, true},
		{"fraction", "12.30", 1230, 2, true},
		{"leading dot", ".5", 5, 1, true},
		{"a price", "0.0000166667", 166667, 10, true},
		{"eighteen digits", "999999999.999999999", 999999999999999999, 9, true},
		{"leading zeros do not count", "0000000000000000000001.5", 15, 1, true},
		{"nineteen digits", "9999999999.999999999", 0, 0, false},
		{"empty", "", 0, 0, false},
		{"lone dot", ".", 0, 0, false},
		{"dot without fraction", "12.", 0, 0, false},
		{"sign", "-1.00", 0, 0, false},
		{"plus", "+1", 0, 0, false},
		{"exponent", "1e3", 0, 0, false},
		{"two dots", "1.2.3", 0, 0, false},
		{"spaces", " 1", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			num, scale, err := Parse(tt.in)
			if (err == nil) != tt.ok || tt.ok && (num != tt.num || scale != tt.scale) {
				t.Errorf("Parse(%q) = %d, %d, %v; want %d, %d, ok %v", tt.in, num, scale, err, tt.num, tt.scale, tt.ok)
			}
		})
	}
}

func TestRoundHalfAwayFromZero(t *testing.T) {
	tests := []struct {
		name     string
		num, den int64
		want     int64
	}{
		{"half up", 5, 2, 3},
		{"half down for negatives", -5, 2, -3},
		{"below half", 7, 3, 2},
		{"negative below half", -7, 3, -2},
		{"a half", 1, 2, 1},
		{"one and a half", 3, 2, 2},
		{"a third", 1, 3, 0},
		{"whole", 6, 3, 2},
		{"just above half", 500001, 1000000, 1},
		{"just below half", 499999, 1000000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Round(big.NewRat(tt.num, tt.den))
			if err != nil || got != tt.want {
				t.Errorf("Round(%d/%d) = %d, %v; want %d", tt.num, tt.den, got, err, tt.want)
			}
		})
	}
}

func TestRoundOutOfRange(t *testing.T) {
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 63))
	if _, err := Round(huge); !errors.Is(err, ErrRange) {
		t.Errorf("Round(2^63) error %v, want ErrRange", err)
	}
}

func TestRatOfParse(t *testing.T) {
	num, scale, err := Parse("12.345")
	if err != nil {
		t.Fatal(err)
	}
	if got := Rat(num, scale); got.Cmp(big.NewRat(12345, 1000)) != 0 {
		t.Errorf("Rat = %v, want 12345/1000", got)
	}
}
