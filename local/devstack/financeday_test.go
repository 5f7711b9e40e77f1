package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"innkeeper/local/clock"
	"innkeeper/shared/demo"
	"innkeeper/shared/pricing"
)

// TestFinanceDayEndToEnd is a day of a hotel as finance reads it, through
// the devstack: guests search and book (one cancels), every function's
// cost reaches the ledger from its log lines, the scheduler accrues the
// day's fixed cost when the next day begins and reads the AWS bill (a
// CUR 2.0 export in a folder, with another stage's and untagged lines
// that are not ours). Then:
//
//   - unit economics: marginal plus the day's fixed cost is the fully
//     loaded cost, the fixed cost allocated to hotels and kept apart
//     adds up to it, and the cost per booking follows;
//   - the reconciliation shows the bill beside the ledger, with exactly
//     the variance the bill was written with;
//   - the revenue report counts the nights sold and the cancellation;
//
// each in JSON and in CSV, the CSV's TOTAL row saying the same.
func TestFinanceDayEndToEnd(t *testing.T) {
	// A day must not end during the test: the ledger's day is the wall
	// clock's.
	if left := time.Until(time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)); left < 3*time.Minute {
		time.Sleep(left + time.Second)
	}
	dir := t.TempDir()
	clk := &clock.Clock{}
	s, log := startStack(t, func(o *Options) {
		getenv := o.Getenv
		o.Getenv = func(k string) string {
			if k == "CUR_DIR" {
				return dir
			}
			return getenv(k)
		}
		o.Clock, o.NoSchedules = clk, true
	})
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	// A report's to date is included: from = to is the one day.
	from, to := day.Format(time.DateOnly), day.Format(time.DateOnly)
	get := func(path string) map[string]any {
		t.Helper()
		r := call(t, "GET", s.URL+path, nil, admin...)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %v", path, r.status, r.body)
		}
		return r.body
	}

	// The nights the guests book, and what the revenue report said of
	// them before.
	nights := "/v1/finance/revenue?hotel=lisbon-riverside&group_by=hotel&from=" +
		day.AddDate(0, 0, 80).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 83).Format(time.DateOnly)
	revenueBefore := onlyRow(t, get(nights))
	// The demo data may have confirmed bookings today already.
	economics := "/v1/finance/unit-economics?from=" + from + "&to=" + to
	bookedBefore := int64(get(economics)["bookings"].(float64))

	// The day: searches, three bookings, one of them cancelled.
	for i := range 3 {
		freeFAM(t, s, 80+i)
	}
	var kept []string
	var keptCents float64
	for i := range 3 {
		ref, token := book(t, s, false, 80+i, fmt.Sprintf("day-%d", i))
		if i == 2 {
			if r := call(t, "POST", s.URL+"/v1/reservations/"+ref+"/cancel", nil, "Authorization", "Bearer "+token,
				"Idempotency-Key", "day-cancel"); r.status != 200 {
				t.Fatalf("cancel: %d %v", r.status, r.body)
			}
			continue
		}
		r := call(t, "GET", s.URL+"/v1/reservations/"+ref, nil, "Authorization", "Bearer "+token)
		kept = append(kept, ref)
		keptCents += netRoomCents(r.body["reservation"].(map[string]any))
	}

	// The ledger of the day, once the worker's mail is in it: SES and SQS
	// are what only the bookings cause (reading a report adds API and
	// Lambda cost, never these).
	reconciliation := "/v1/finance/reconciliation?from=" + from + "&to=" + to
	var ses, sqs int64
	for deadline, stable := time.Now().Add(40*time.Second), 0; stable < 3; {
		if err := s.FlushLogs(t.Context()); err != nil {
			t.Logf("flush: %v", err)
		}
		rows := byService(t, get(reconciliation), from)
		nowSES, nowSQS := nanos(rows["AmazonSES"], "ledger_variable"), nanos(rows["AWSQueueService"], "ledger_variable")
		if nowSES > 0 && nowSQS > 0 && nowSES == ses && nowSQS == sqs {
			stable++
		} else {
			stable = 0
		}
		ses, sqs = nowSES, nowSQS
		if time.Now().After(deadline) {
			t.Fatalf("the ledger's SES and SQS cost of the day did not settle: %d, %d\n%s", ses, sqs, log.String())
		}
		time.Sleep(time.Second)
	}

	// Midnight: the scheduler accrues the day that ended, priced as a
	// local stack is (staging's inventory, labelled local).
	clk.Advance(24 * time.Hour)
	fire(t, s, "accrue-fixed-costs", log)
	fixed, err := pricing.FixedIn(pricing.StageStaging, pricing.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	var fixedDay, rdsDay int64
	for _, it := range fixed.Items {
		n, err := it.Daily()
		if err != nil {
			t.Fatal(err)
		}
		fixedDay += int64(n)
		if it.Service == "AmazonRDS" {
			rdsDay += int64(n)
		}
	}
	if fixedDay <= 0 || rdsDay <= 0 {
		t.Fatalf("staging's fixed day is %d, its database's %d", fixedDay, rdsDay)
	}

	// The bill, as the CUR 2.0 export has it: the database $0.01 above
	// the ledger, with a $0.005 credit; SES and SQS as the ledger says;
	// no Lambda line for this stage (another stage's and an untagged
	// line must not count).
	const rdsOver, rdsCredit = 10_000_000, -5_000_000
	lines := []curLine{
		{"Usage", "AmazonRDS", rdsDay + rdsOver, "local"},
		{"Credit", "AmazonRDS", rdsCredit, "local"},
		{"Usage", "AmazonSES", ses, "local"},
		{"Usage", "AWSQueueService", sqs, "local"},
		{"Usage", "AWSLambda", 1_000_000_000, "prod"},
		{"Usage", "AWSLambda", 2_000_000_000, ""},
	}
	writeCUR(t, dir, day, lines)
	fire(t, s, "reconcile-bill", log)

	// The reconciliation: the bill beside the ledger, the variance what
	// the bill was written with.
	rep := get(reconciliation)
	rows := byService(t, rep, from)
	check := func(service, field string, want int64) {
		t.Helper()
		if got := nanos(rows[service], field); got != want {
			t.Errorf("reconciliation %s %s = %d nanos; want %d (row %v)", service, field, got, want, rows[service])
		}
	}
	check("AmazonRDS", "ledger_fixed", rdsDay)
	check("AmazonRDS", "billed", rdsDay+rdsOver)
	check("AmazonRDS", "variance", rdsOver)
	check("AmazonRDS", "credits", rdsCredit)
	check("AmazonSES", "billed", ses)
	check("AmazonSES", "variance", 0)
	check("AWSQueueService", "variance", 0)
	check("AWSLambda", "billed", 0)
	lambda := nanos(rows["AWSLambda"], "ledger")
	check("AWSLambda", "variance", -lambda)
	if lambda <= 0 {
		t.Errorf("the day's Lambda cost in the ledger is %d", lambda)
	}
	totals := rep["totals"].(map[string]any)
	if got, want := nanos(totals, "billed"), rdsDay+rdsOver+ses+sqs; got != want {
		t.Errorf("billed in all %d nanos; want %d (only this stage's tagged usage)", got, want)
	}
	if got := nanos(totals, "variance"); got != nanos(totals, "billed")-nanos(totals, "ledger") {
		t.Errorf("total variance %d ≠ billed − ledger (%v)", got, totals)
	}
	recCSV := getCSV(t, s, reconciliation)
	if total := recCSV.row("TOTAL"); total["billed_nanos"] != strconv.FormatInt(nanos(totals, "billed"), 10) {
		t.Errorf("the CSV's TOTAL billed is %q; the JSON's %d", total["billed_nanos"], nanos(totals, "billed"))
	}
	if rds := recCSV.match(func(r map[string]string) bool { return r["day"] == from && r["service"] == "AmazonRDS" }); rds["variance_nanos"] != strconv.Itoa(rdsOver) {
		t.Errorf("the CSV's database variance is %q; want %d", rds["variance_nanos"], rdsOver)
	}

	// Unit economics of the day: marginal + fixed = fully loaded.
	ue := get(economics)
	fl := ue["fully_loaded"].(map[string]any)
	marginal := nanos(ue["marginal"].(map[string]any), "")
	fixedSeen := nanos(ue["fixed"].(map[string]any), "")
	if ue["fixed"].(map[string]any)["complete"] != true || fixedSeen != fixedDay || fl["complete"] != true {
		t.Errorf("fixed %v (want %d nanos, complete); fully loaded %v", ue["fixed"], fixedDay, fl)
	}
	loaded := nanos(fl, "")
	if marginal <= 0 || loaded != marginal+fixedDay {
		t.Errorf("fully loaded %d ≠ marginal %d + fixed %d", loaded, marginal, fixedDay)
	}
	bookings := int64(ue["bookings"].(float64))
	if bookings != bookedBefore+int64(len(kept)) {
		t.Errorf("bookings %d; want %d + %d (the cancelled one is not)", bookings, bookedBefore, len(kept))
	}
	if got, want := nanos(fl["per_booking"].(map[string]any), ""), (2*loaded+bookings)/(2*bookings); got != want {
		t.Errorf("fully loaded per booking %d; want %d (rounded half up)", got, want)
	}
	alloc := ue["allocation"].(map[string]any)
	if alloc["method"] != "invocation_share" || nanos(alloc["allocated_to_hotels"].(map[string]any), "")+
		nanos(alloc["unallocated"].(map[string]any), "") != fixedDay {
		t.Errorf("allocation %v does not add up to %d", alloc, fixedDay)
	}
	var lisbon map[string]any
	for _, h := range ue["hotels"].([]any) {
		if h := h.(map[string]any); h["hotel"] == "lisbon-riverside" {
			lisbon = h
		}
	}
	if lisbon == nil || int64(lisbon["bookings"].(float64)) < int64(len(kept)) ||
		nanos(lisbon["fully_loaded_cost"].(map[string]any), "") != nanos(lisbon["marginal_cost"].(map[string]any), "")+nanos(lisbon["allocated_fixed_cost"].(map[string]any), "") {
		t.Errorf("lisbon-riverside's row %v", lisbon)
	}
	ueCSV := getCSV(t, s, economics)
	if total := ueCSV.row("TOTAL"); total["fixed_cost_nanos"] != strconv.FormatInt(fixedDay, 10) || total["bookings"] != strconv.FormatInt(bookings, 10) {
		t.Errorf("the unit economics CSV's TOTAL %v; want fixed %d, bookings %d", total, fixedDay, bookings)
	}

	// Revenue: the two nights kept, and the cancellation.
	after := onlyRow(t, get(nights))
	diff := func(k string) float64 { return after[k].(float64) - revenueBefore[k].(float64) }
	if diff("room_nights_sold") != float64(len(kept)) || diff("room_revenue_cents") != keptCents || diff("cancellations") != 1 {
		t.Errorf("revenue before %v\nafter %v; want +%d nights, +%v cents, +1 cancellation", revenueBefore, after, len(kept), keptCents)
	}
	revCSV := getCSV(t, s, nights)
	if total := revCSV.row("TOTAL"); total["room_revenue_cents"] != strconv.FormatFloat(after["room_revenue_cents"].(float64), 'f', -1, 64) {
		t.Errorf("the revenue CSV's TOTAL %v; the JSON's %v", total, after)
	}
}

// onlyRow is the one row of a revenue report of one hotel by hotel.
func onlyRow(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	rows := body["rows"].([]any)
	if len(rows) != 1 {
		t.Fatalf("revenue rows: %v", rows)
	}
	return rows[0].(map[string]any)
}

// byService is the reconciliation's rows of day by service.
func byService(t *testing.T, rep map[string]any, day string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range rep["rows"].([]any) {
		if r := r.(map[string]any); r["day"] == day {
			out[r["service"].(string)] = r
		}
	}
	return out
}

// nanos is an amount's cost_nanos: of field of v, or of v itself when
// field is empty; 0 when there is none.
func nanos(v map[string]any, field string) int64 {
	if v == nil {
		return 0
	}
	if field != "" {
		v, _ = v[field].(map[string]any)
	}
	n, _ := v["cost_nanos"].(float64)
	return int64(n)
}

func fire(t *testing.T, s *Stack, schedule string, log *lockedBuffer) {
	t.Helper()
	r := call(t, "POST", s.ControlURL+"/_devstack/schedules/"+schedule+"/fire", nil)
	if r.status != http.StatusOK || r.body["function_error"] != "" {
		t.Fatalf("fire %s: %d %v\n%s", schedule, r.status, r.body, log.String())
	}
}

// curLine is a line item of the bill: its type, service, unblended cost
// and the stage tag ("" untagged).
type curLine struct {
	kind, service string
	cost          int64
	stage         string
}

// writeCUR writes lines as a CUR 2.0 data export of day's billing period
// into dir: the published columns (the header of shared/cur's fixture),
// one usage hour each on day.
func writeCUR(t *testing.T, dir string, day time.Time, lines []curLine) {
	t.Helper()
	fixture, err := os.ReadFile(filepath.Join(root, "shared/cur/testdata/export/data/BILLING_PERIOD=2026-12/innkeeper-cur-00001.csv"))
	if err != nil {
		t.Fatal(err)
	}
	header, err := csv.NewReader(strings.NewReader(string(fixture))).Read()
	if err != nil {
		t.Fatal(err)
	}
	period := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(header)
	for i, l := range lines {
		tags := "{}"
		if l.stage != "" {
			tags = `{"user_app": "innkeeper", "user_stage": "` + l.stage + `"}`
		}
		start := day.Add(time.Duration(i) * time.Hour)
		v := map[string]string{
			"identity_line_item_id":          fmt.Sprintf("day-%d", i),
			"identity_time_interval":         start.Format(time.RFC3339) + "/" + start.Add(time.Hour).Format(time.RFC3339),
			"bill_bill_type":                 "Anniversary",
			"bill_payer_account_id":          "111122223333",
			"bill_billing_period_start_date": period.Format(time.RFC3339),
			"bill_billing_period_end_date":   period.AddDate(0, 1, 0).Format(time.RFC3339),
			"line_item_usage_account_id":     "111122223333",
			"line_item_line_item_type":       l.kind,
			"line_item_usage_start_date":     start.Format(time.RFC3339),
			"line_item_usage_end_date":       start.Add(time.Hour).Format(time.RFC3339),
			"line_item_product_code":         l.service,
			"line_item_usage_type":           "EUW1-Usage",
			"line_item_operation":            "Usage",
			"line_item_usage_amount":         "1",
			"line_item_currency_code":        "USD",
			"line_item_unblended_rate":       pricing.Nanos(l.cost).Decimal(),
			"line_item_unblended_cost":       pricing.Nanos(l.cost).Decimal(),
			"product_region_code":            "eu-west-1",
			"resource_tags":                  tags,
		}
		rec := make([]string, len(header))
		for j, col := range header {
			rec[j] = v[col]
		}
		_ = w.Write(rec)
	}
	w.Flush()
	part := filepath.Join(dir, "data", "BILLING_PERIOD="+period.Format("2006-01"))
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(part, "innkeeper-cur-00001.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// csvReport is a CSV report's rows by column name.
type csvReport []map[string]string

func getCSV(t *testing.T, s *Stack, path string) csvReport {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+demo.SampleAdminKey)
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s as CSV: %d %s\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("GET %s as CSV: %v\n%s", path, err, raw)
	}
	var out csvReport
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, col := range recs[0] {
			row[col] = rec[i]
		}
		out = append(out, row)
	}
	return out
}

// row is the row whose first column is key.
func (r csvReport) row(key string) map[string]string {
	return r.match(func(row map[string]string) bool {
		for _, v := range row {
			if v == key {
				return true
			}
		}
		return false
	})
}

func (r csvReport) match(f func(map[string]string) bool) map[string]string {
	for _, row := range r {
		if f(row) {
			return row
		}
	}
	return nil
}
