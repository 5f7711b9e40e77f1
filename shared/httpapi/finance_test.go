package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"innkeeper/local/testenv"
	"innkeeper/shared/finance"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
	"innkeeper/shared/topology"
)

// apiKey has the admin create a key of role and returns its secret.
func (c *client) apiKey(role string) string {
	c.t.Helper()
	r := c.do("POST", "/v1/admin/api-keys", map[string]any{"name": role + " key", "role": role}, admin()...)
	if r.Status != 201 {
		c.t.Fatalf("create %s key: %d %s", role, r.Status, r.Body)
	}
	return r.JSON(c.t)["secret"].(string)
}

// record puts invocations in the API's ledger.
func (c *client) record(records ...pricing.Record) {
	c.t.Helper()
	n, err := c.api.Store.RecordCosts(context.Background(), records)
	if err != nil || n != len(records) {
		c.t.Fatalf("recorded %d of %d: %v", n, len(records), err)
	}
}

// priced is an invocation of fn that started at start and cost total
// nanos: 200 of requests and the rest of compute.
func priced(id, fn string, start time.Time, total pricing.Nanos, edits ...func(*pricing.Record)) pricing.Record {
	r := pricing.Record{
		RequestID: id, Function: fn, Arch: pricing.ARM64, TriggerKind: meter.TriggerDirect, Attributed: true,
		Started: start, Ended: start.Add(25 * time.Millisecond),
		Report: lambdalog.Report{RequestID: id, Function: fn, Duration: 25 * time.Millisecond, BilledDuration: 25 * time.Millisecond, MemorySizeMB: 512},
		Breakdown: pricing.Breakdown{Items: []pricing.LineItem{
			{Line: pricing.LineLambdaRequests, Quantity: 1, Unit: pricing.UnitRequests, Amount: 200},
			{Line: pricing.LineLambdaCompute, Quantity: int64(total - 200), Unit: pricing.UnitMBms, Amount: total - 200},
		}, Total: total},
	}
	for _, e := range edits {
		e(&r)
	}
	return r
}

func route(key, hotel, client string, refs ...string) func(*pricing.Record) {
	return func(r *pricing.Record) {
		r.TriggerKind, r.Trigger, r.Hotel, r.Client, r.Reservations = meter.TriggerHTTP, key, hotel, client, refs
	}
}

func job(kind meter.TriggerKind, trigger string, refs ...string) func(*pricing.Record) {
	return func(r *pricing.Record) { r.TriggerKind, r.Trigger, r.Reservations = kind, trigger, refs }
}

var financeRoutes = []string{
	"/v1/finance/costs",
	"/v1/finance/unit-economics",
	"/v1/finance/reservations/INK-DEM0X1/cost",
	"/v1/finance/forecast?bookings_per_day=100",
}

// Finance reports need a finance (or admin) key: none or an unknown one
// is 401, a staff key 403.
func TestFinanceAuth(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	staff, fin := c.apiKey("staff"), c.apiKey("finance")
	tests := []struct {
		name    string
		headers []string
		status  int
	}{
		{"no key", nil, 401},
		{"unknown key", bearer("ink_finance_unknown"), 401},
		{"not a bearer", []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401},
		{"staff key", bearer(staff), 403},
		{"finance key", bearer(fin), 200},
		{"admin key", admin(), 200},
	}
	for _, path := range financeRoutes {
		for _, tt := range tests {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				r := c.do("GET", path, nil, tt.headers...)
				switch tt.status {
				case 401:
					r.Problem(t, 401, "unauthorized")
					if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Fatal("401 without WWW-Authenticate")
					}
				case 403:
					r.Problem(t, 403, "forbidden")
				default:
					if r.Status != tt.status || r.Header.Get("Content-Type") != "application/json" {
						t.Fatalf("%d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
					}
				}
			})
		}
	}
	// A finance key stays out of staff routes.
	c.do("GET", "/v1/admin/hotels/lisbon-riverside/reservations", nil, bearer(fin)...).Problem(t, 403, "forbidden")
}

// at is hour o'clock on day d of month 2026, UTC.
func at(month time.Month, d, hour int) time.Time {
	return time.Date(2026, month, d, hour, 0, 0, 0, time.UTC)
}

func TestFinanceCosts(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	c.record(
		priced("a1", "api", at(11, 29, 9), 1000, route(finance.SearchRoute, "lisbon-riverside", "c1")),
		priced("a2", "api", at(11, 30, 23), 3_000_000_000, route(finance.BookRoute, "lisbon-riverside", "c1", "INK-AAAAAA")),
		priced("w1", "worker", at(12, 1, 0), 2500, job(meter.TriggerSQS, "events", "INK-AAAAAA")),
		priced("h1", "api", at(12, 1, 8), 1500, route(finance.SearchRoute, "=HYPERLINK(\"x\")", "c2")),
		priced("s1", "scheduler", at(12, 1, 9), 400, job(meter.TriggerSchedule, "expire-holds")),
		priced("old", "api", at(10, 1, 0), 77777),
	)

	r := c.do("GET", "/v1/finance/costs?from=2026-11-29&to=2026-12-01&group_by=function", nil, fin...)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	if m["from"] != "2026-11-29T00:00:00Z" || m["to"] != "2026-12-02T00:00:00Z" || m["group_by"] != "function" {
		t.Fatalf("period %v to %v by %v", m["from"], m["to"], m["group_by"])
	}
	type row struct {
		Key   any
		N     float64
		Cost  string
		Nanos float64
	}
	rowsOf := func(m map[string]any) []row {
		var out []row
		for _, x := range m["rows"].([]any) {
			x := x.(map[string]any)
			out = append(out, row{x["key"], x["invocations"].(float64), x["cost"].(string), x["cost_nanos"].(float64)})
		}
		return out
	}
	want := []row{{"api", 3, "3.000002500", 3000002500}, {"worker", 1, "0.000002500", 2500}, {"scheduler", 1, "0.000000400", 400}}
	if got := rowsOf(m); !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	totals := m["totals"].(map[string]any)
	if totals["invocations"] != float64(5) || totals["cost"] != "3.000005400" || totals["cost_nanos"] != float64(3000005400) {
		t.Fatalf("totals %v", totals)
	}

	// Days: every day of the default 30 days ending today (Dec 1), empty
	// ones included; the one in October left out.
	days := rowsOf(c.do("GET", "/v1/finance/costs", nil, fin...).JSON(t))
	if len(days) != 30 || days[0].Key != "2026-11-02" || days[29] != (row{"2026-12-01", 3, "0.000004400", 4400}) ||
		days[27] != (row{"2026-11-29", 1, "0.000001000", 1000}) || days[1] != (row{"2026-11-03", 0, "0.000000000", 0}) {
		t.Fatalf("days %v", days)
	}
	hotels := rowsOf(c.do("GET", "/v1/finance/costs?from=2026-11-01&group_by=hotel", nil, fin...).JSON(t))
	if want := []row{{"lisbon-riverside", 2, "3.000001000", 3000001000}, {nil, 2, "0.000002900", 2900}, {"=HYPERLINK(\"x\")", 1, "0.000001500", 1500}}; !slices.Equal(hotels, want) {
		t.Fatalf("hotels %v, want %v", hotels, want)
	}

	// The same report as CSV, formulas defused.
	r = c.do("GET", "/v1/finance/costs?from=2026-11-01&group_by=hotel", nil, append(fin, "Accept", "text/csv")...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), `filename="innkeeper-costs-by-hotel-20261101T000000Z-20261202T000000Z.csv"`) {
		t.Fatalf("CSV: %d %v", r.Status, r.Header)
	}
	records, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := [][]string{
		{"hotel", "invocations", "cost_usd", "cost_nanos"},
		{"lisbon-riverside", "2", "3.000001000", "3000001000"},
		{"", "2", "0.000002900", "2900"},
		{`'=HYPERLINK("x")`, "1", "0.000001500", "1500"},
		{"TOTAL", "5", "3.000005400", "3000005400"},
	}
	if !slices.EqualFunc(records, wantCSV, slices.Equal) {
		t.Fatalf("CSV\n%s", r.Body)
	}
	if r.Header.Get("Vary") == "" || !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Accept") {
		t.Errorf("Vary %v lacks Accept", r.Header.Values("Vary"))
	}

	negotiation := []struct {
		name, accept, want string
	}{
		{"json preferred", "text/csv;q=0.5, application/json", "application/json"},
		{"csv preferred", "application/json;q=0.5, text/csv", "text/csv; charset=utf-8"},
		{"anything", "*/*", "application/json"},
		{"a browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"},
		{"any text", "text/*", "text/csv; charset=utf-8"},
	}
	for _, tt := range negotiation {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("GET", "/v1/finance/costs?group_by=route", nil, append(fin, "Accept", tt.accept)...)
			if r.Status != 200 || r.Header.Get("Content-Type") != tt.want {
				t.Fatalf("Accept %q: %d %q", tt.accept, r.Status, r.Header.Get("Content-Type"))
			}
		})
	}
	c.do("GET", "/v1/finance/costs", nil, append(fin, "Accept", "image/png")...).Problem(t, 406, "not-acceptable")
}

// Bad parameters are a 400 naming each, and change nothing.
func TestFinanceRejectsBadParameters(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	c.record(priced("a1", "api", at(11, 29, 9), 1000))
	count := func() int {
		return c.api.Int(t, `SELECT (SELECT count(*) FROM invocation_costs) + (SELECT count(*) FROM reservations) + (SELECT count(*) FROM api_keys)`)
	}
	before := count()
	tests := []struct {
		name, path string
		fields     []string
	}{
		{"from not a date", "/v1/finance/costs?from=yesterday", []string{"from"}},
		{"to not a date", "/v1/finance/costs?to=2026-02-30", []string{"to"}},
		{"both bad", "/v1/finance/costs?from=1%2F1%2F2026&to=x", []string{"from", "to"}},
		{"from after to", "/v1/finance/costs?from=2026-12-01&to=2026-11-01", []string{"from"}},
		{"more than 366 days", "/v1/finance/costs?from=2025-01-01&to=2026-01-02", []string{"to"}},
		{"more than 366 days in instants", "/v1/finance/unit-economics?from=2025-01-01T00:00:00Z&to=2026-01-02T00:00:01Z", []string{"to"}},
		{"unknown grouping", "/v1/finance/costs?group_by=week", []string{"group_by"}},
		{"unknown parameter", "/v1/finance/costs?currency=EUR", []string{"currency"}},
		{"a parameter twice", "/v1/finance/costs?from=2026-11-01&from=2026-11-02", []string{"from"}},
		{"unit economics bad from", "/v1/finance/unit-economics?from=2026-13-01", []string{"from"}},
		{"forecast without volume", "/v1/finance/forecast", []string{"bookings_per_day"}},
		{"forecast zero", "/v1/finance/forecast?bookings_per_day=0", []string{"bookings_per_day"}},
		{"forecast too many", "/v1/finance/forecast?bookings_per_day=10000001", []string{"bookings_per_day"}},
		{"forecast negative", "/v1/finance/forecast?bookings_per_day=-5", []string{"bookings_per_day"}},
		{"forecast fraction", "/v1/finance/forecast?bookings_per_day=1.5", []string{"bookings_per_day"}},
		{"forecast unknown stage", "/v1/finance/forecast?bookings_per_day=10&stage=dev", []string{"stage"}},
		{"receipt with a query", "/v1/finance/reservations/INK-DEM0X1/cost?x=1", []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("GET", tt.path, nil, fin...)
			for _, f := range tt.fields {
				r.FieldError(t, 400, f)
			}
		})
	}
	c.do("GET", "/v1/finance/reservations/INK-ZZZZZZ/cost", nil, fin...).Problem(t, 404, "not-found")
	c.do("GET", "/v1/finance/reservations/not-a-reference/cost", nil, fin...).Problem(t, 404, "not-found")
	c.do("POST", "/v1/finance/costs", map[string]any{}, fin...).Problem(t, 405, "method-not-allowed")
	if after := count(); after != before {
		t.Fatalf("rows went from %d to %d", before, after)
	}
}

func TestUnitEconomics(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	// The demo's confirmed booking (made at testenv.Clock) and one more;
	// a hold does not count.
	ref, _ := c.book(bookingBody())
	c.book(bookingBody(set("hold", true)))
	c.record(
		priced("s1", "api", at(12, 1, 9), 1000, route(finance.SearchRoute, "lisbon-riverside", "c1")),
		priced("s2", "api", at(12, 1, 9).Add(time.Minute), 2001, route(finance.SearchRoute, "lisbon-riverside", "c1")),
		priced("s3", "api", at(12, 1, 9).Add(2*time.Minute), 1200, route(finance.SearchRoute, "nyc-midtown", "c2")),
		priced("b1", "api", at(12, 1, 10), 5000, route(finance.BookRoute, "lisbon-riverside", "c1", ref)),
		priced("w1", "worker", at(12, 1, 10).Add(time.Second), 3000, job(meter.TriggerSQS, "events", ref)),
		priced("j1", "scheduler", at(11, 30, 0), 799, job(meter.TriggerSchedule, "expire-holds")),
	)
	r := c.do("GET", "/v1/finance/unit-economics?from=2026-11-30&to=2026-12-01", nil, fin...)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	// 13,000 nanos over 2 bookings: 6,500. Searches 4,201 over 3:
	// 1,400.33 → 1,400. Shares: api 9,201 / 13,000 = 70.777 → 70.8;
	// worker 23.076 → 23.1; scheduler 6.146 → 6.1.
	if m["invocations"] != float64(6) || m["cost"] != "0.000013000" || m["cost_nanos"] != float64(13000) || m["bookings"] != float64(2) {
		t.Fatalf("totals: %s", r.Body)
	}
	if cpb := m["cost_per_booking"].(map[string]any); cpb["cost"] != "0.000006500" || cpb["cost_nanos"] != float64(6500) {
		t.Fatalf("cost per booking %v", cpb)
	}
	s := m["availability_searches"].(map[string]any)
	if s["route"] != finance.SearchRoute || s["invocations"] != float64(3) || s["cost"] != "0.000004201" ||
		s["cost_per_search"].(map[string]any)["cost"] != "0.000001400" {
		t.Fatalf("searches %v", s)
	}
	var split []string
	for _, f := range m["functions"].([]any) {
		f := f.(map[string]any)
		split = append(split, f["function"].(string)+" "+f["cost"].(string)+" "+f["share_percent"].(string))
	}
	if want := []string{"api 0.000009201 70.8", "worker 0.000003000 23.1", "scheduler 0.000000799 6.1"}; !slices.Equal(split, want) {
		t.Fatalf("functions %v, want %v", split, want)
	}

	// A range with neither bookings nor costs: nulls, not zeros.
	m = c.do("GET", "/v1/finance/unit-economics?from=2026-10-01&to=2026-10-31", nil, fin...).JSON(t)
	if m["bookings"] != float64(0) || m["cost_per_booking"].(map[string]any)["cost"] != nil ||
		m["availability_searches"].(map[string]any)["cost_per_search"].(map[string]any)["cost_nanos"] != nil || len(m["functions"].([]any)) != 0 {
		t.Fatalf("empty range: %v", m)
	}
}

func TestReservationCostReceipt(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	ref, _ := c.book(bookingBody()) // created at testenv.Clock
	clock := testenv.Clock
	hotel := "lisbon-riverside"
	c.record(
		priced("search-20m", "api", clock.Add(-20*time.Minute), 1001, route(finance.SearchRoute, hotel, "guest")),
		priced("search-40m", "api", clock.Add(-40*time.Minute), 9000, route(finance.SearchRoute, hotel, "guest")),
		priced("search-other", "api", clock.Add(-5*time.Minute), 9000, route(finance.SearchRoute, hotel, "someone")),
		priced("book", "api", clock.Add(-20*time.Millisecond), 4000, route(finance.BookRoute, hotel, "guest", ref)),
		priced("emails", "worker", clock.Add(2*time.Second), 1000, job(meter.TriggerSQS, "events", "INK-000001", ref, "INK-000002")),
		priced("expiry", "scheduler", clock.Add(time.Hour), 205, job(meter.TriggerSchedule, "expire-holds", ref, "INK-000003")),
	)
	r := c.do("GET", "/v1/finance/reservations/"+ref+"/cost", nil, fin...)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	if m["reference"] != ref || m["hotel"] != hotel || m["status"] != "confirmed" || m["created_at"] != "2026-12-01T10:00:00Z" {
		t.Fatalf("header %s", r.Body)
	}
	type line struct {
		ID        string
		Cost      string
		SharedBy  float64
		Share     string
		Preceding bool
	}
	var got []line
	var shares int64
	for _, x := range m["lines"].([]any) {
		l := x.(map[string]any)
		got = append(got, line{l["request_id"].(string), l["cost"].(string), l["shared_by"].(float64), l["share"].(string), l["preceding_search"].(bool)})
		shares += int64(l["share_nanos"].(float64))
		// The items add up to the line's full cost.
		var items pricing.Nanos
		for _, it := range l["items"].([]any) {
			n, err := pricing.ParseNanos(it.(map[string]any)["amount"].(string))
			if err != nil {
				t.Fatal(err)
			}
			items += n
		}
		if int64(items) != int64(l["cost_nanos"].(float64)) {
			t.Errorf("%s: items add up to %d, cost %v", l["request_id"], items, l["cost_nanos"])
		}
		for _, k := range []string{"function", "trigger", "trigger_kind", "started", "billed_ms", "memory_mb"} {
			if l[k] == nil {
				t.Errorf("%s lacks %s", l["request_id"], k)
			}
		}
	}
	// 1,000 / 3 = 333.3 → 333; 205 / 2 = 102.5 → 103. Total 1,001 +
	// 4,000 + 333 + 103 = 5,437.
	want := []line{
		{"search-20m", "0.000001001", 1, "0.000001001", true},
		{"book", "0.000004000", 1, "0.000004000", false},
		{"emails", "0.000001000", 3, "0.000000333", false},
		{"expiry", "0.000000205", 2, "0.000000103", false},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("lines\n got %v\nwant %v", got, want)
	}
	if m["total"] != "0.000005437" || m["total_nanos"] != float64(5437) || shares != 5437 {
		t.Fatalf("total %v (%v), shares add up to %d", m["total"], m["total_nanos"], shares)
	}
}

// The fixed cost is spread over the bookings: the cost per booking falls
// with volume towards the variable cost per booking.
func TestForecast(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	// Two bookings in the last 30 days (the demo's and this one) and
	// $0.008 of invocations: $0.004 a booking.
	c.book(bookingBody())
	c.record(
		priced("a", "api", at(11, 20, 12), 5_000_000),
		priced("b", "worker", at(12, 1, 8), 3_000_000),
	)
	tests := []struct {
		name, query string
		// Prod's fixed month is $365.928, staging's $179.048 (added up
		// by hand in pricing.TestFixedCosts).
		fixed, variable, total, perBooking, fixedPerBooking string
	}{
		// 3,000 bookings: $12 variable; $377.928 / 3,000 = 0.125976
		{"100 a day", "bookings_per_day=100", "365.928000000", "12.000000000", "377.928000000", "0.125976000", "0.121976000"},
		// 3,000,000 bookings: $12,000; $12,365.928 / 3e6 = 0.004121976
		{"100,000 a day", "bookings_per_day=100000", "365.928000000", "12000.000000000", "12365.928000000", "0.004121976", "0.000121976"},
		// $191.048 / 3,000 = 0.0636826̅ → 0.063682667; $179.048 / 3,000 = 0.0596826̅ → 0.059682667
		{"staging", "bookings_per_day=100&stage=staging", "179.048000000", "12.000000000", "191.048000000", "0.063682667", "0.059682667"},
	}
	var perBooking []pricing.Nanos
	for _, tt := range tests {
		r := c.do("GET", "/v1/finance/forecast?"+tt.query, nil, fin...)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", tt.name, r.Status, r.Body)
		}
		m := r.JSON(t)
		fixed, variable := m["fixed"].(map[string]any), m["variable"].(map[string]any)
		if fixed["total"] != tt.fixed || variable["total"] != tt.variable || m["total"] != tt.total ||
			m["cost_per_booking"] != tt.perBooking || fixed["per_booking"] != tt.fixedPerBooking || variable["per_booking"] != "0.004000000" {
			t.Errorf("%s: fixed %v variable %v total %v per booking %v (fixed %v, variable %v)", tt.name,
				fixed["total"], variable["total"], m["total"], m["cost_per_booking"], fixed["per_booking"], variable["per_booking"])
		}
		measured := m["measured"].(map[string]any)
		if measured["bookings"] != float64(2) || measured["cost"] != "0.008000000" || measured["from"] != "2026-11-02T00:00:00Z" {
			t.Errorf("%s: measured %v", tt.name, measured)
		}
		// The items add up to the fixed total.
		var sum pricing.Nanos
		for _, it := range fixed["items"].([]any) {
			it := it.(map[string]any)
			n, err := pricing.ParseNanos(it["amount"].(string))
			if err != nil || it["unit_price"] == "" || it["source"] == "" || it["quantity"].(float64) <= 0 {
				t.Errorf("%s: item %v (%v)", tt.name, it, err)
			}
			sum += n
		}
		if sum.Decimal() != tt.fixed {
			t.Errorf("%s: items add up to %s, fixed total %s", tt.name, sum.Decimal(), tt.fixed)
		}
		n, err := pricing.ParseNanos(m["cost_per_booking"].(string))
		if err != nil {
			t.Fatal(err)
		}
		perBooking = append(perBooking, n)
	}
	if perBooking[0] <= perBooking[1] {
		t.Fatalf("per booking at 100/day %s, at 100,000/day %s: the fixed cost is not spread", perBooking[0], perBooking[1])
	}
}

// Without bookings to measure there is no variable cost per booking:
// the forecast says so and gives the fixed part.
func TestForecastWithoutBookings(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	c.record(priced("a", "api", at(11, 20, 12), 5_000_000))
	r := c.do("GET", "/v1/finance/forecast?bookings_per_day=1000&stage=prod", nil, admin()...)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	// $365.928 over 30,000 bookings: 0.0121976.
	if m["variable"] != nil || !strings.Contains(m["note"].(string), "no measured cost per booking") ||
		m["total"] != "365.928000000" || m["cost_per_booking"] != "0.012197600" {
		t.Fatalf("forecast without bookings: %s", r.Body)
	}
	if mc := m["measured"].(map[string]any)["cost_per_booking"].(map[string]any); mc["cost"] != nil {
		t.Fatalf("measured cost per booking %v, want null", mc)
	}
}

// The finance sample events answer 200 through the Lambda adapter, with
// the sample admin key, against a fresh demo stack. (functions/api's
// TestSampleEvents runs every sample event too; this keeps the finance
// ones honest on their own.)
func TestFinanceSampleEvents(t *testing.T) {
	t.Parallel()
	finance := 0
	for _, r := range topology.Innkeeper.RoutesOf("api") {
		if r.Auth == topology.Finance {
			finance++
		}
	}
	files, err := filepath.Glob("../../events/api/finance-*.json")
	if err != nil || len(files) != finance {
		t.Fatalf("want one finance sample event per route, found %v (%v)", files, err)
	}
	api := testenv.NewAPI(t, testenv.APIOptions{})
	proxy := httpadapter.NewV2(api)
	routes := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		routes[ev.RouteKey] = true
		resp, err := proxy.ProxyWithContext(context.Background(), ev)
		if err != nil || resp.StatusCode != 200 || resp.Headers["Content-Type"] != "application/json" {
			t.Errorf("%s: %d %v %s", filepath.Base(f), resp.StatusCode, err, resp.Body)
		}
	}
	for _, r := range topology.Innkeeper.RoutesOf("api") {
		if r.Auth == topology.Finance && !routes[r.Key()] {
			t.Errorf("finance route %s has no sample event", r.Key())
		}
	}
}

// Cost no attribution line was found for is its own bucket, with its
// share: in the totals, never under a route.
func TestUnitEconomicsShowsUnattributed(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	c.record(
		priced("a1", "api", at(10, 5, 9), 3000, route(finance.SearchRoute, "lisbon-riverside", "c1")),
		priced("u1", "api", at(10, 5, 10), 1000, func(r *pricing.Record) { r.Attributed = false }),
	)
	m := c.do("GET", "/v1/finance/unit-economics?from=2026-10-05&to=2026-10-06", nil, fin...).JSON(t)
	u := m["unattributed"].(map[string]any)
	if m["cost_nanos"] != float64(4000) || u["invocations"] != float64(1) || u["cost"] != "0.000001000" || u["share_percent"] != "25.0" {
		t.Fatalf("unattributed %v in %v", u, m)
	}
	r := c.do("GET", "/v1/finance/costs?from=2026-10-05&to=2026-10-06&group_by=route", nil, fin...).JSON(t)
	var keys []string
	for _, row := range r["rows"].([]any) {
		keys = append(keys, fmt.Sprint(row.(map[string]any)["key"]))
	}
	if want := []string{finance.SearchRoute, finance.Unattributed}; !slices.Equal(keys, want) {
		t.Fatalf("routes %v, want %v", keys, want)
	}
}
