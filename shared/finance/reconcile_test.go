package finance

import (
	"reflect"
	"testing"
	"time"

	"innkeeper/shared/pricing"
)

func TestBuildReconciliation(t *testing.T) {
	facts := ReconciliationFacts{
		Lines: []LineDay{
			{"2026-12-01", pricing.LineLambdaCompute, 10_000},
			{"2026-12-01", pricing.LineLambdaRequests, 2_000},
			{"2026-12-01", pricing.LineAPIGateway, 1_000},
			{"2026-12-01", "carrier_pigeon", 7}, // no service: shown, not dropped
			{"2026-12-02", pricing.LineSES, 100_000},
		},
		Fixed: []ServiceDay{
			{"2026-12-01", "AmazonRDS", 30_000_000},
			{"2026-12-02", "AmazonRDS", 30_000_000},
		},
		Bill: []BillDay{
			{Day: "2026-12-01", Service: "AWSLambda", Usage: 16_000},
			{Day: "2026-12-01", Service: "AmazonRDS", Usage: 34_200_000, Credits: -10_000_000, Tax: 6_800_000},
			{Day: "2026-12-02", Service: "AmazonS3", Usage: 5_000}, // on the bill only
		},
	}
	got := BuildReconciliation(Period{}, facts)
	// Hand-computed: Lambda 16000 − (10000 + 2000) = 4000, 25.0 % of the
	// bill; RDS 34.2m − 30m = 4.2m, 12.3 % (12.28…); API Gateway and the
	// pigeon only in the ledger; SES only in the ledger; S3 only billed.
	want := []Reconciled{
		{Day: "2026-12-01", Service: pricing.Unmapped, Variable: 7, Ledger: 7, Variance: -7},
		{Day: "2026-12-01", Service: "AWSLambda", Variable: 12_000, Ledger: 12_000, Billed: 16_000, Net: 16_000, Variance: 4_000},
		{Day: "2026-12-01", Service: "AmazonApiGateway", Variable: 1_000, Ledger: 1_000, Variance: -1_000},
		{Day: "2026-12-01", Service: "AmazonRDS", Fixed: 30_000_000, Ledger: 30_000_000, Billed: 34_200_000,
			Credits: -10_000_000, Tax: 6_800_000, Net: 31_000_000, Variance: 4_200_000},
		{Day: "2026-12-02", Service: "AmazonRDS", Fixed: 30_000_000, Ledger: 30_000_000, Variance: -30_000_000},
		{Day: "2026-12-02", Service: "AmazonS3", Billed: 5_000, Net: 5_000, Variance: 5_000},
		{Day: "2026-12-02", Service: "AmazonSES", Variable: 100_000, Ledger: 100_000, Variance: -100_000},
	}
	if !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", got.Rows, want)
	}
	tot := got.Totals
	if tot.Ledger != 60_113_007 || tot.Billed != 34_221_000 || tot.Variance != 34_221_000-60_113_007 || tot.Net != 31_021_000 {
		t.Errorf("totals = %+v", tot)
	}
	shares := map[string]string{}
	for _, r := range got.Rows {
		s, ok := r.VarianceShare()
		if !ok {
			s = "none"
		}
		shares[r.Day+" "+r.Service] = s
	}
	wantShares := map[string]string{
		"2026-12-01 " + pricing.Unmapped: "none", "2026-12-01 AWSLambda": "25.0", "2026-12-01 AmazonApiGateway": "none",
		"2026-12-01 AmazonRDS": "12.3", "2026-12-02 AmazonRDS": "none", "2026-12-02 AmazonS3": "100.0", "2026-12-02 AmazonSES": "none",
	}
	if !reflect.DeepEqual(shares, wantShares) {
		t.Errorf("shares = %v", shares)
	}
	// Totals: (34221000 − 60113007) / 34221000 = −75.66…% → "-75.7".
	if s, ok := tot.VarianceShare(); !ok || s != "-75.7" {
		t.Errorf("total share = %q, %v", s, ok)
	}
}

func TestVarianceShareRoundsAwayFromZero(t *testing.T) {
	tests := []struct {
		name             string
		billed, variance pricing.Nanos
		want             string
	}{
		{"exact", 1000, 125, "12.5"},
		{"negative half", 2000, -1, "-0.1"}, // −0.05 % → −0.1
		{"tiny negative", 1_000_000, -1, "0.0"},
		{"zero", 10, 0, "0.0"},
	}
	for _, tt := range tests {
		got, ok := Reconciled{Billed: tt.billed, Variance: tt.variance}.VarianceShare()
		if !ok || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func TestWholeDays(t *testing.T) {
	p := Period{From: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 3, 0, 0, 0, 1, time.UTC)}
	got := p.WholeDays()
	if !got.From.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) || !got.To.Equal(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("WholeDays = %v", got)
	}
	exact := Period{From: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}
	if exact.WholeDays() != exact {
		t.Errorf("whole days changed: %v", exact.WholeDays())
	}
}
