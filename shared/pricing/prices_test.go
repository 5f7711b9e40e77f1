package pricing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAWSPricesAreValidAndCiteTheirSource(t *testing.T) {
	for _, p := range AWSPrices() {
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Region, err)
		}
		for _, page := range []string{"lambda", "api-gateway", "sqs", "eventbridge", "ses", "cloudwatch"} {
			if !strings.Contains(p.Source, "https://aws.amazon.com/"+page+"/pricing/") {
				t.Errorf("%s: Source does not cite the %s pricing page", p.Region, page)
			}
		}
		if got := p.Read.Format(time.DateOnly); got != "2026-12-07" {
			t.Errorf("%s: figures last read %s, want 2026-12-07", p.Region, got)
		}
		if !p.BillsInit {
			t.Errorf("%s: INIT is billed for provided.al2023", p.Region)
		}
	}
}

// The published per-GB-second prices, checked at one GB-second in each
// tier, so a typo in the table cannot hide behind rounding.
func TestAWSComputeTiers(t *testing.T) {
	p, err := AWSPrices().Lookup("eu-west-1", time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		arch string
		used int64 // GB-seconds before
		want Nanos // for 10,000 GB-seconds, so the tenth of a nano-dollar shows
	}{
		{"x86 first tier", X8664, 0, 166_667_000},              // 10,000 × $0.0000166667
		{"x86 second tier", X8664, 6_000_000_000, 150_000_000}, // 10,000 × $0.0000150000
		{"x86 third tier", X8664, 15_000_000_000, 133_334_000}, // 10,000 × $0.0000133334
		{"arm first tier", ARM64, 0, 133_334_000},
		{"arm second tier", ARM64, 7_500_000_000, 120_001_000},
		{"arm third tier", ARM64, 18_750_000_000, 106_667_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tiers, err := p.Compute(tt.arch)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tiers.Cost(GBSeconds(tt.used), GBSeconds(10_000))
			if err != nil || got != tt.want {
				t.Errorf("Cost = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
	if _, err := p.Compute("sparc"); err == nil {
		t.Error("Compute(sparc): want an error")
	}
}

func TestLookup(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	old, cur := pricesFor("test-1"), pricesFor("test-1")
	old.EffectiveFrom, cur.EffectiveFrom = day(2025, 1, 1), day(2026, 1, 1)
	old.SESEmails, cur.SESEmails = Rate{1, 1}, Rate{2, 1}
	other := pricesFor("test-2")
	table := PriceTable{cur, other, old} // any order

	tests := []struct {
		name    string
		region  string
		at      time.Time
		wantSES Rate
		wantErr error
	}{
		{"older version", "test-1", day(2025, 6, 1), Rate{1, 1}, nil},
		{"the day the new one starts", "test-1", day(2026, 1, 1), Rate{2, 1}, nil},
		{"a second before", "test-1", day(2026, 1, 1).Add(-time.Second), Rate{1, 1}, nil},
		{"later", "test-1", day(2030, 1, 1), Rate{2, 1}, nil},
		{"before any", "test-1", day(2024, 12, 31), Rate{}, ErrNoPrices},
		{"unknown region", "ap-south-1", day(2026, 1, 1), Rate{}, ErrUnknownRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := table.Lookup(tt.region, tt.at)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Lookup error = %v, want %v", err, tt.wantErr)
			}
			if got.SESEmails != tt.wantSES {
				t.Errorf("SES = %+v, want %+v", got.SESEmails, tt.wantSES)
			}
		})
	}
	if _, err := AWSPrices().Lookup("eu-west-1", day(2025, 7, 31)); !errors.Is(err, ErrNoPrices) {
		t.Errorf("AWSPrices() before 1 August 2025: error = %v, want ErrNoPrices", err)
	}
}

func TestTiersCost(t *testing.T) {
	// 3 a unit up to 10, 2 up to 20, 1 after.
	steps := Tiers{{UpTo: 10, Rate: Rate{3, 1}}, {UpTo: 20, Rate: Rate{2, 1}}, {Rate: Rate{1, 1}}}
	// A quarter of a nano-dollar a unit in both tiers.
	quarters := Tiers{{UpTo: 1, Rate: Rate{1, 4}}, {Rate: Rate{1, 4}}}
	tests := []struct {
		name      string
		tiers     Tiers
		used, qty int64
		want      Nanos
	}{
		{"inside the first tier", steps, 0, 4, 12},
		{"straddles one boundary", steps, 8, 5, 2*3 + 3*2},
		{"starts on a boundary", steps, 10, 1, 2},
		{"spans every tier", steps, 0, 25, 10*3 + 10*2 + 5*1},
		{"past the last boundary", steps, 25, 1, 1},
		{"nothing", steps, 5, 0, 0},
		// ¼ + ¼ = ½ rounds to 1 once; rounding each tier (0 + 0) would give 0.
		{"rounded once, not per tier", quarters, 0, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.tiers.Cost(tt.used, tt.qty)
			if err != nil || got != tt.want {
				t.Errorf("Cost(%d, %d) = %d, %v; want %d", tt.used, tt.qty, got, err, tt.want)
			}
		})
	}
}

func TestTiersValidate(t *testing.T) {
	tests := []struct {
		name  string
		tiers Tiers
	}{
		{"none", nil},
		{"last tier ends", Tiers{{UpTo: 10, Rate: Rate{1, 1}}}},
		{"not ascending", Tiers{{UpTo: 10, Rate: Rate{1, 1}}, {UpTo: 5, Rate: Rate{1, 1}}, {Rate: Rate{1, 1}}}},
		{"unbounded in the middle", Tiers{{Rate: Rate{1, 1}}, {Rate: Rate{1, 1}}}},
		{"bad rate", Tiers{{Rate: Rate{1, 0}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.tiers.Validate(); err == nil {
				t.Error("Validate: want an error")
			}
			if _, err := tt.tiers.Cost(0, 1); err == nil {
				t.Error("Cost: want an error")
			}
		})
	}
	if _, err := Flat(Rate{1, 1}).Cost(-1, 1); err == nil {
		t.Error("Cost with negative usage: want an error")
	}
}

// An arm64 invocation of 10 GB-s (10,240 MB × 1 s) with the month 1 GB-s
// short of the 7.5 billion GB-s boundary: 1 GB-s × $0.0000133334 +
// 9 GB-s × $0.0000120001 = 13,333.4 + 108,000.9 = 121,334.3 nano-dollars
// → 121,334. All in the first tier it would be 133,334; all in the
// second, 120,001.
func TestComputeTierBoundaryCrossing(t *testing.T) {
	p := euWest1Prices()
	boundary := GBSeconds(7_500_000_000)
	qty := int64(10240 * 1000)
	tests := []struct {
		name string
		used int64
		want Nanos
	}{
		{"straddles", boundary - GBSeconds(1), 121_334},
		{"all below", 0, 133_334},
		{"all above", boundary, 120_001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.LambdaComputeARM64.Cost(tt.used, qty)
			if err != nil || got != tt.want {
				t.Errorf("Cost = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
	// x86, half a GB-second each side of 15 billion: 0.5 × 15,000 +
	// 0.5 × 13,333.4 = 7,500 + 6,666.7 = 14,166.7 → 14,167.
	got, err := p.LambdaComputeX86.Cost(GBSeconds(15_000_000_000)-MBmsPerGBSecond/2, MBmsPerGBSecond)
	if err != nil || got != 14_167 {
		t.Errorf("x86 across 15 billion GB-s = %d, %v; want 14167", got, err)
	}
}

func TestPricesValidateCatchesMistakes(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Prices)
	}{
		{"no region", func(p *Prices) { p.Region = "" }},
		{"no source", func(p *Prices) { p.Source = "" }},
		{"no effective date", func(p *Prices) { p.EffectiveFrom = time.Time{} }},
		{"unset rate", func(p *Prices) { p.SESEmails = Rate{} }},
		{"unset tiers", func(p *Prices) { p.LogsIngestion = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := euWest1Prices()
			tt.change(&p)
			if err := p.Validate(); err == nil {
				t.Error("Validate: want an error")
			}
		})
	}
}

// pricesFor is us-east-1's figures under another region's name, for
// tests of the table's mechanics.
func pricesFor(region string) Prices {
	p := usEast1Prices()
	p.Region = region
	return p
}
