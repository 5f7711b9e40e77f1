package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"reflect"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
)

// reconciliationFacts puts a ledger, fixed days and a bill for 1 and 2
// December 2026 in the API's store. By hand, per day and service:
//
//	2026-12-01 (unmapped)        ledger 7 (a line with no service)
//	2026-12-01 AWSLambda         ledger 12 000 + 4 000 = 16 000, billed 20 000: variance 4 000, 20.0 %
//	2026-12-01 AmazonRDS         ledger fixed 30 000 000, billed 34 200 000, credits −10 000 000,
//	                             tax 6 800 000: variance 4 200 000, 12.3 % (12.28…)
//	2026-12-02 AWSLambda         ledger 1 000, nothing billed: variance −1 000, no share
//	2026-12-02 AmazonS3          billed 5 000 only: variance 5 000, 100.0 %
//
// and an invocation on the 3rd, outside the range asked.
func reconciliationFacts(t *testing.T, c *client) {
	t.Helper()
	d1 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	pigeon := func(r *pricing.Record) {
		r.Breakdown.Items = append(r.Breakdown.Items, pricing.LineItem{Line: "carrier_pigeon", Quantity: 1, Unit: "birds", Amount: 7})
		r.Breakdown.Total += 7
	}
	c.record(
		priced("rec-1", "api", d1, 12_000, pigeon),
		priced("rec-2", "worker", d1.Add(13*time.Hour+59*time.Minute), 4_000),
		priced("rec-3", "api", d1.Add(24*time.Hour), 1_000),
		priced("rec-4", "api", d1.Add(48*time.Hour), 9_999),
	)
	c.api.Exec(t, `INSERT INTO fixed_cost_days (day, item, service, stage, region, amount_nanos)
		VALUES ('2026-12-01', 'rds-instance', 'AmazonRDS', 'test', 'eu-west-1', 30000000)`)
	_, err := c.api.Store.ReplaceBillDays(context.Background(), []string{"2026-12"}, []finance.BillDay{
		{Day: "2026-12-01", Service: "AWSLambda", BillingPeriod: "2026-12", Usage: 20_000},
		{Day: "2026-12-01", Service: "AmazonRDS", BillingPeriod: "2026-12", Usage: 34_200_000, Credits: -10_000_000, Tax: 6_800_000},
		{Day: "2026-12-02", Service: "AmazonS3", BillingPeriod: "2026-12", Usage: 5_000},
		{Day: "2026-12-03", Service: "AmazonS3", BillingPeriod: "2026-12", Usage: 5_000},
	}, d1)
	if err != nil {
		t.Fatal(err)
	}
}

func TestFinanceReconciliation(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	reconciliationFacts(t, c)
	// 10:00 on the 1st to noon on the 2nd: widened to both whole days.
	r := c.do("GET", "/v1/finance/reconciliation?from=2026-12-01T10:00:00Z&to=2026-12-02T12:00:00Z", nil, bearer(c.apiKey("finance"))...)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	if m["from"] != "2026-12-01T00:00:00Z" || m["to"] != "2026-12-03T00:00:00Z" {
		t.Errorf("period %v – %v; want the whole days of 1 and 2 December", m["from"], m["to"])
	}
	nanos := func(v any, field string) any {
		if a, ok := v.(map[string]any)[field].(map[string]any); ok {
			return a["cost_nanos"]
		}
		return "missing"
	}
	type row struct {
		day, service             string
		ledger, billed, variance float64
		share                    any
	}
	var got []row
	for _, x := range m["rows"].([]any) {
		v := x.(map[string]any)
		got = append(got, row{v["day"].(string), v["service"].(string), nanos(v, "ledger").(float64),
			nanos(v, "billed").(float64), nanos(v, "variance").(float64), v["variance_share_percent"]})
	}
	want := []row{
		{"2026-12-01", "(unmapped)", 7, 0, -7, nil},
		{"2026-12-01", "AWSLambda", 16_000, 20_000, 4_000, "20.0"},
		{"2026-12-01", "AmazonRDS", 30_000_000, 34_200_000, 4_200_000, "12.3"},
		{"2026-12-02", "AWSLambda", 1_000, 0, -1_000, nil},
		{"2026-12-02", "AmazonS3", 0, 5_000, 5_000, "100.0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %v\nwant %v", got, want)
	}
	tot := m["totals"].(map[string]any)
	// Ledger 7 + 16 000 + 30 000 000 + 1 000 = 30 017 007; billed
	// 34 225 000; variance 4 207 993 = 12.295…% → 12.3; net 31 025 000.
	if nanos(tot, "ledger") != 30_017_007.0 || nanos(tot, "billed") != 34_225_000.0 || nanos(tot, "variance") != 4_207_993.0 ||
		tot["variance_share_percent"] != "12.3" || nanos(tot, "billed_net") != 31_025_000.0 || nanos(tot, "credits") != -10_000_000.0 {
		t.Errorf("totals %v", tot)
	}
	if rds := m["rows"].([]any)[2].(map[string]any); rds["ledger_fixed"].(map[string]any)["cost"] != "0.030000000" || rds["tax"].(map[string]any)["cost"] != "0.006800000" {
		t.Errorf("RDS row %v", rds)
	}
}

func TestFinanceReconciliationCSV(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	reconciliationFacts(t, c)
	r := c.do("GET", "/v1/finance/reconciliation?from=2026-12-01&to=2026-12-02", nil,
		with(bearer(c.apiKey("finance")), "Accept", "text/csv")...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("%d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="innkeeper-reconciliation-20261201-20261203.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 {
		t.Fatalf("%d records; want a header, 5 rows and TOTAL:\n%s", len(recs), r.Body)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	cell := func(rec []string, name string) string { return rec[col[name]] }
	rds := recs[3]
	if cell(rds, "day") != "2026-12-01" || cell(rds, "service") != "AmazonRDS" || cell(rds, "ledger_fixed_usd") != "0.030000000" ||
		cell(rds, "billed_nanos") != "34200000" || cell(rds, "variance_usd") != "0.004200000" || cell(rds, "variance_share_percent") != "12.3" ||
		cell(rds, "credits_usd") != "-0.010000000" || cell(rds, "billed_net_nanos") != "31000000" {
		t.Errorf("RDS row %v", rds)
	}
	if lambda2 := recs[4]; cell(lambda2, "variance_nanos") != "-1000" || cell(lambda2, "variance_share_percent") != "" {
		t.Errorf("a day not billed: %v", lambda2)
	}
	total := recs[6]
	if cell(total, "day") != "TOTAL" || cell(total, "ledger_nanos") != "30017007" || cell(total, "billed_nanos") != "34225000" || cell(total, "variance_share_percent") != "12.3" {
		t.Errorf("TOTAL %v", total)
	}
}

// Bad queries are a 400 naming the parameter and change nothing; the
// report is finance's.
func TestFinanceReconciliationRejects(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	count := func() int {
		return c.api.Int(t, `SELECT (SELECT count(*) FROM bill_days) + (SELECT count(*) FROM invocation_costs)`)
	}
	before := count()
	for _, tt := range []struct{ name, query, field string }{
		{"from not a date", "from=yesterday&to=2026-12-02", "from"},
		{"to not a date", "from=2026-12-01&to=2026-13-01", "to"},
		{"from after to", "from=2026-12-05&to=2026-12-01", "from"},
		{"too long", "from=2025-01-01&to=2026-12-01", "to"},
		{"unknown parameter", "from=2026-12-01&to=2026-12-02&service=AWSLambda", "service"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.do("GET", "/v1/finance/reconciliation?"+tt.query, nil, fin...).FieldError(t, 400, tt.field)
		})
	}
	c.do("GET", "/v1/finance/reconciliation", nil, with(fin, "Accept", "image/png")...).Problem(t, 406, "not-acceptable")
	c.do("GET", "/v1/finance/reconciliation", nil).Problem(t, 401, "unauthorized")
	c.do("GET", "/v1/finance/reconciliation", nil, bearer(c.apiKey("staff"))...).Problem(t, 403, "forbidden")
	if r := c.do("GET", "/v1/finance/reconciliation", nil, fin...); r.Status != 200 {
		t.Errorf("the default period: %d %s", r.Status, r.Body)
	}
	if after := count(); after != before {
		t.Errorf("rows went from %d to %d", before, after)
	}
}
