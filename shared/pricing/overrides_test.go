package pricing

import (
	"reflect"
	"testing"

	"innkeeper/shared/meter"
)

func TestParseOverrides(t *testing.T) {
	rate := func(r Rate) *Rate { return &r }
	tests := []struct {
		name string
		in   string
		want Overrides
	}{
		{"empty", "", Overrides{}},
		{"blanks", " , ", Overrides{}},
		{
			// $0.9 per 1M requests = 900 nano-dollars a request.
			name: "the documented example",
			in:   "lambda=-10%,apigw_http=0.9/1M",
			want: Overrides{
				ItemLambdaRequests: {PercentBP: -1000},
				ItemLambdaCompute:  {PercentBP: -1000},
				ItemHTTP:           {Flat: rate(Rate{900, 1})},
			},
		},
		{
			name: "the most specific percentage wins, in any order",
			in:   "sqs=-20%, all=-5%",
			want: Overrides{
				ItemLambdaRequests: {PercentBP: -500}, ItemLambdaCompute: {PercentBP: -500},
				ItemHTTP: {PercentBP: -500}, ItemWebSocketMessages: {PercentBP: -500},
				ItemWebSocketMinutes: {PercentBP: -500}, ItemSQS: {PercentBP: -2000},
				ItemEventBridge: {PercentBP: -500}, ItemSES: {PercentBP: -500}, ItemLogs: {PercentBP: -500},
			},
		},
		{
			name: "group over all, item over group",
			in:   "all=-1%,apigw=-2%,apigw_ws_minutes=+3.5%",
			want: Overrides{
				ItemLambdaRequests: {PercentBP: -100}, ItemLambdaCompute: {PercentBP: -100},
				ItemHTTP: {PercentBP: -200}, ItemWebSocketMessages: {PercentBP: -200},
				ItemWebSocketMinutes: {PercentBP: 350}, ItemSQS: {PercentBP: -100},
				ItemEventBridge: {PercentBP: -100}, ItemSES: {PercentBP: -100}, ItemLogs: {PercentBP: -100},
			},
		},
		{
			// $0.0000120001 per GB-s = 12,000.1 nano-dollars per 1,024,000
			// MB-ms = 120,001 / 10,240,000 (no common factor).
			name: "compute is quoted per GB-second",
			in:   "lambda_compute=0.0000120001/1",
			want: Overrides{ItemLambdaCompute: {Flat: rate(Rate{120001, 10_240_000})}},
		},
		{
			// $0.45 per GB = 450,000,000 / 2^30 per byte = 3,515,625 / 2^23.
			name: "logs are quoted per GB",
			in:   "logs=0.45/1",
			want: Overrides{ItemLogs: {Flat: rate(Rate{3_515_625, 8_388_608})}},
		},
		{
			// $0.08 per 1000 emails = 80,000 nano-dollars an email.
			name: "a price with a dollar sign and K, and a percentage on top",
			in:   "ses=$0.08/1K,ses=-50%",
			want: Overrides{ItemSES: {Flat: rate(Rate{80_000, 1}), PercentBP: -5000}},
		},
		{
			name: "per billion",
			in:   "eventbridge=900/1B",
			want: Overrides{ItemEventBridge: {Flat: rate(Rate{900, 1})}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOverrides(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseOverrides(%q) =\n%+v\nwant\n%+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseOverridesRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"no value", "lambda"},
		{"empty value", "sqs="},
		{"unknown item", "ec2=-10%"},
		{"a price for a group", "lambda=0.2/1M"},
		{"a percentage twice", "sqs=-10%,sqs=-5%"},
		{"a price twice", "sqs=0.3/1M,sqs=0.2/1M"},
		{"not a price", "sqs=abc"},
		{"a price without quantity", "sqs=0.4"},
		{"zero quantity", "sqs=0.4/0"},
		{"bad quantity", "sqs=0.4/xM"},
		{"below -100%", "sqs=-150%"},
		{"three decimals of percent", "sqs=-10.125%"},
		{"not a percentage", "sqs=ten%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := ParseOverrides(tt.in); err == nil {
				t.Errorf("ParseOverrides(%q) = %+v, want an error", tt.in, got)
			}
		})
	}
}

func TestApplyOverrides(t *testing.T) {
	base := usEast1Prices()
	tests := []struct {
		name  string
		in    string
		check func(Prices) (got, want Nanos)
	}{
		{"sqs 25% off: 400 → 300", "sqs=-25%", func(p Prices) (Nanos, Nanos) {
			c, _ := p.SQSRequests.Cost(1)
			return c, 300
		}},
		{"a flat HTTP price replaces the tiers", "apigw_http=0.9/1M", func(p Prices) (Nanos, Nanos) {
			c, _ := p.HTTPRequests.Cost(0, 1)
			return c, 900
		}},
		// 10,000 GB-s × $0.0000133334 × 1.05 = 140,000,700.
		{"a surcharge on compute keeps the tiers", "lambda_compute=+5%", func(p Prices) (Nanos, Nanos) {
			c, _ := p.LambdaComputeARM64.Cost(0, GBSeconds(10_000))
			return c, 140_000_700
		}},
		{"the surcharge reaches the second tier", "lambda_compute=+5%", func(p Prices) (Nanos, Nanos) {
			c, _ := p.LambdaComputeARM64.Cost(GBSeconds(7_500_000_000), GBSeconds(10_000))
			return c, 126_001_050 // 120,001,000 × 1.05
		}},
		{"all free", "all=-100%", func(p Prices) (Nanos, Nanos) {
			b, _ := Price(p, Invocation{Arch: ARM64, MemoryMB: 512, Duration: 1e9, Trigger: meter.TriggerHTTP, Emails: 3}, Options{})
			return b.Total, 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOverrides(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			p, err := base.Apply(o)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := tt.check(p); got != want {
				t.Errorf("got %d, want %d", got, want)
			}
		})
	}
	if got, _ := base.SQSRequests.Cost(1); got != 400 {
		t.Errorf("Apply changed the table it was given: SQS now %d", got)
	}
}
