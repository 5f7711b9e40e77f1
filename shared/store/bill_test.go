package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
)

func utcDate(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestReplaceBillDays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Store(t)
	at := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	first := []finance.BillDay{
		{Day: "2026-11-30", Service: "AWSLambda", BillingPeriod: "2026-11", Usage: 900, Files: []string{"nov.csv.gz"}},
		{Day: "2026-12-01", Service: "AWSLambda", BillingPeriod: "2026-12", Usage: 16_867, Files: []string{"a.csv.gz"}},
		{Day: "2026-12-01", Service: "AmazonS3", BillingPeriod: "2026-12", Usage: 5, Files: []string{"a.csv.gz"}},
		{Day: "2026-12-01", Service: "AmazonRDS", BillingPeriod: "2026-12", Usage: 34_200_000, Credits: -10_000_000, Tax: 6_800_000, Fees: 3},
	}
	if n, err := st.ReplaceBillDays(ctx, []string{"2026-11", "2026-12"}, first, at); err != nil || n != 4 {
		t.Fatalf("ReplaceBillDays = %d, %v", n, err)
	}
	// December read again: S3 went away, Lambda was corrected; November
	// was not read and stays.
	again := []finance.BillDay{
		{Day: "2026-12-01", Service: "AWSLambda", BillingPeriod: "2026-12", Usage: 17_000},
		{Day: "2026-12-01", Service: "AmazonRDS", BillingPeriod: "2026-12", Usage: 34_200_000, Credits: -10_000_000, Tax: 6_800_000, Fees: 3},
	}
	if _, err := st.ReplaceBillDays(ctx, []string{"2026-12"}, again, at.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	f, err := st.ReconciliationFacts(ctx, finance.Period{From: utcDate("2026-11-30"), To: utcDate("2026-12-02")})
	if err != nil {
		t.Fatal(err)
	}
	sortBill(f.Bill)
	want := []finance.BillDay{
		{Day: "2026-11-30", Service: "AWSLambda", Usage: 900},
		{Day: "2026-12-01", Service: "AWSLambda", Usage: 17_000},
		{Day: "2026-12-01", Service: "AmazonRDS", Usage: 34_200_000, Credits: -10_000_000, Tax: 6_800_000, Fees: 3},
	}
	if !reflect.DeepEqual(f.Bill, want) {
		t.Errorf("bill:\n got %+v\nwant %+v", f.Bill, want)
	}
	// A day of a period not read is refused, and nothing changes.
	bad := []finance.BillDay{{Day: "2026-10-01", Service: "AWSLambda", BillingPeriod: "2026-10", Usage: 1}}
	if _, err := st.ReplaceBillDays(ctx, []string{"2026-12"}, bad, at); err == nil {
		t.Error("a day of another period was taken")
	}
	if got, _ := st.ReconciliationFacts(ctx, finance.Period{From: utcDate("2026-11-30"), To: utcDate("2026-12-02")}); len(got.Bill) != 3 {
		t.Errorf("after a refused replace: %+v", got.Bill)
	}
}

func sortBill(b []finance.BillDay) {
	for i := range b {
		for j := i + 1; j < len(b); j++ {
			if b[j].Day < b[i].Day || b[j].Day == b[i].Day && b[j].Service < b[i].Service {
				b[i], b[j] = b[j], b[i]
			}
		}
	}
}

// TestReconciliationFactsLedger: the ledger's line items by UTC day of
// the invocations' end, summed exactly, and the fixed days by service,
// within the whole days of the period.
func TestReconciliationFactsLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.Store(t)
	d1 := time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC)
	d2 := time.Date(2026, 12, 2, 0, 0, 1, 0, time.UTC)
	outside := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	recs := []pricing.Record{
		invocation("r1", "api", d1, 1_234), // compute 1034, requests 200
		invocation("r2", "api", d1, 1_000), // compute 800, requests 200
		invocation("r3", "worker", d2, 700),
		invocation("r4", "api", outside, 5_000),
	}
	if _, err := st.RecordCosts(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for _, row := range []struct {
		day, item, service string
		n                  int64
	}{
		{"2026-12-01", "rds-instance", "AmazonRDS", 410_958_904},
		{"2026-12-01", "rds-storage", "AmazonRDS", 100},
		{"2026-12-02", "elasticache", "AmazonElastiCache", 300_000_000},
		{"2026-12-03", "elasticache", "AmazonElastiCache", 300_000_000},
	} {
		if _, err := st.Pool().Exec(ctx, `INSERT INTO fixed_cost_days (day, item, service, stage, region, amount_nanos)
			VALUES ($1, $2, $3, 'prod', 'eu-west-1', $4)`, row.day, row.item, row.service, row.n); err != nil {
			t.Fatal(err)
		}
	}
	// From noon of the 1st to noon of the 2nd widens to the 1st and 2nd.
	f, err := st.ReconciliationFacts(ctx, finance.Period{From: d1.Add(-12 * time.Hour), To: d2.Add(12 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]pricing.Nanos{}
	for _, l := range f.Lines {
		lines[l.Day+" "+string(l.Line)] = l.Amount
	}
	wantLines := map[string]pricing.Nanos{
		"2026-12-01 lambda_requests": 400, "2026-12-01 lambda_compute": 1_834,
		"2026-12-02 lambda_requests": 200, "2026-12-02 lambda_compute": 500,
	}
	if !reflect.DeepEqual(lines, wantLines) {
		t.Errorf("lines = %v; want %v", lines, wantLines)
	}
	fixed := map[string]pricing.Nanos{}
	for _, x := range f.Fixed {
		fixed[x.Day+" "+x.Service] = x.Amount
	}
	wantFixed := map[string]pricing.Nanos{"2026-12-01 AmazonRDS": 410_959_004, "2026-12-02 AmazonElastiCache": 300_000_000}
	if !reflect.DeepEqual(fixed, wantFixed) {
		t.Errorf("fixed = %v; want %v", fixed, wantFixed)
	}
}
