package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"innkeeper/local/testenv"
)

// revenueStays builds two hotels and books a known set of stays in
// March 2027, one of them cancelled with a fee, and prices invocations
// for them. The figures the tests expect are worked out by hand beside
// each stay; the report's range is the nights 2 to 4 March.
//
// Porto (EUR): TWIN, 4 units a night, TWIN-FLEX at 80.00 (90.01 on the
// 3rd) and TWIN-NR (non-refundable) at 70.00; SUITE, 1 unit, 200.00.
// New York (USD): KING, 2 units, 150.00.
func revenueStays(t *testing.T, c *client) {
	t.Helper()
	h := admin()
	must := func(r result, want int) {
		t.Helper()
		if r.Status != want {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}
	hotel := func(slug, tz, currency string) {
		must(c.do("POST", "/v1/admin/hotels", map[string]any{"slug": slug, "name": slug, "city": "City",
			"country": "PT", "timezone": tz, "currency": currency}, h...), 201)
	}
	roomType := func(slug, code string) {
		must(c.do("POST", "/v1/admin/hotels/"+slug+"/room-types", map[string]any{"code": code, "name": code, "max_adults": 2, "max_children": 0}, h...), 201)
	}
	plan := func(slug, roomType, code string, refundable bool) {
		body := map[string]any{"room_type": roomType, "code": code, "name": code, "refundable": true, "free_cancellation_hours": 24, "penalty_percent": 50}
		if !refundable {
			body["refundable"], body["free_cancellation_hours"], body["penalty_percent"] = false, 0, 0
		}
		must(c.do("POST", "/v1/admin/hotels/"+slug+"/rate-plans", body, h...), 201)
	}
	inventory := func(slug, roomType, from, to string, units int) {
		must(c.do("PUT", "/v1/admin/hotels/"+slug+"/inventory", map[string]any{"room_type": roomType, "from": from, "to": to, "units": units}, h...), 200)
	}
	rate := func(slug, plan, from, to string, cents int) {
		must(c.do("PUT", "/v1/admin/hotels/"+slug+"/rates", map[string]any{"rate_plan": plan, "from": from, "to": to, "amount_cents": cents}, h...), 200)
	}
	hotel("porto-ribeira", "Europe/Lisbon", "EUR")
	roomType("porto-ribeira", "TWIN")
	roomType("porto-ribeira", "SUITE")
	plan("porto-ribeira", "TWIN", "TWIN-FLEX", true)
	plan("porto-ribeira", "TWIN", "TWIN-NR", false)
	plan("porto-ribeira", "SUITE", "SUITE-FLEX", true)
	inventory("porto-ribeira", "TWIN", "2027-03-01", "2027-03-08", 4)
	inventory("porto-ribeira", "SUITE", "2027-03-01", "2027-03-08", 1)
	rate("porto-ribeira", "TWIN-FLEX", "2027-03-01", "2027-03-08", 8000)
	rate("porto-ribeira", "TWIN-FLEX", "2027-03-03", "2027-03-04", 9001)
	rate("porto-ribeira", "TWIN-NR", "2027-03-01", "2027-03-08", 7000)
	rate("porto-ribeira", "SUITE-FLEX", "2027-03-01", "2027-03-08", 20000)
	hotel("nyc-test", "America/New_York", "USD")
	roomType("nyc-test", "KING")
	plan("nyc-test", "KING", "KING-FLEX", true)
	inventory("nyc-test", "KING", "2027-03-02", "2027-03-05", 2)
	rate("nyc-test", "KING-FLEX", "2027-03-01", "2027-03-08", 15000)

	stay := func(slug, roomType, plan, in, out string, rooms int, hold bool) (string, string) {
		return c.book(map[string]any{"hotel": slug, "room_type": roomType, "rate_plan": plan, "check_in": in, "check_out": out,
			"adults": rooms, "rooms": rooms, "hold": hold, "guest": map[string]any{"name": "G", "email": "g@example.com"}})
	}
	// 2 rooms × (80 + 80) = 320.00: 160.00 on the 1st (outside) and the 2nd.
	stay("porto-ribeira", "TWIN", "TWIN-FLEX", "2027-03-01", "2027-03-03", 2, false)
	// 90.01 + 80 + 80 = 250.01 spread over 3 nights: 83.33, 83.34, 83.34;
	// the 3rd and 4th are inside.
	stay("porto-ribeira", "TWIN", "TWIN-FLEX", "2027-03-03", "2027-03-06", 1, false)
	// 400.00 on the 2nd and 3rd.
	stay("porto-ribeira", "SUITE", "SUITE-FLEX", "2027-03-02", "2027-03-04", 1, false)
	// Non-refundable, 140.00, cancelled: a cancellation on the 4th with a
	// fee of 140.00, and no room sold.
	ref, token := stay("porto-ribeira", "TWIN", "TWIN-NR", "2027-03-04", "2027-03-06", 1, false)
	if r := c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	// A hold sells nothing.
	stay("porto-ribeira", "TWIN", "TWIN-FLEX", "2027-03-02", "2027-03-03", 1, true)
	// 150.00 on the 3rd, in dollars.
	stay("nyc-test", "KING", "KING-FLEX", "2027-03-03", "2027-03-04", 1, false)

	on := func(d, hour int) time.Time { return time.Date(2027, 3, d, hour, 0, 0, 0, time.UTC) }
	c.record(
		priced("x1", "api", on(2, 10), 1_000_000, route("GET /v1/hotels/{slug}", "porto-ribeira", "c1")),
		priced("x2", "api", on(4, 23), 2_000_001, route("POST /v1/reservations", "porto-ribeira", "c1")),
		// After the range, unattributed, and another hotel's.
		priced("x3", "api", on(5, 1), 5_000_000, route("GET /v1/hotels/{slug}", "porto-ribeira", "c1")),
		priced("x4", "scheduler", on(3, 0), 7_000_000),
		priced("x5", "api", on(3, 12), 3_000_000, route("POST /v1/reservations", "nyc-test", "c2")),
	)
}

// figures is a row or total of the JSON report as one comparable line:
// keys, currency, sold/available, occupancy, revenue, ADR, RevPAR,
// cancellations, fees, cost nanos, cost per 1,000 nanos.
func figures(m map[string]any) string {
	s := func(k string) string {
		switch v := m[k].(type) {
		case nil:
			return "-"
		case float64:
			return fmt.Sprint(int64(v))
		case string:
			return v
		case map[string]any:
			if v["cost_nanos"] == nil {
				return "-"
			}
			return fmt.Sprint(int64(v["cost_nanos"].(float64)))
		}
		return "?"
	}
	var keys []string
	for _, k := range []string{"day", "hotel", "room_type"} {
		if m[k] != nil {
			keys = append(keys, s(k))
		}
	}
	return strings.TrimSpace(strings.Join(keys, " ") + " " + strings.Join([]string{
		s("currency"), s("room_nights_sold") + "/" + s("room_nights_available"), s("occupancy_percent"),
		s("room_revenue_cents"), s("adr_cents"), s("revpar_cents"), s("cancellations"), s("cancellation_fees_cents"),
		s("infra_cost"), s("infra_cost_per_1000_revenue"),
	}, " "))
}

func revenueReport(t *testing.T, c *client, query string) ([]string, []string) {
	t.Helper()
	r := c.do("GET", "/v1/finance/revenue?"+query, nil, bearer(c.apiKey("finance"))...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	m := r.JSON(t)
	var rows, totals []string
	for _, x := range m["rows"].([]any) {
		rows = append(rows, figures(x.(map[string]any)))
	}
	for _, x := range m["totals"].([]any) {
		totals = append(totals, figures(x.(map[string]any)))
	}
	return rows, totals
}

// The figures of a known set of stays, worked out by hand. EUR over the
// three nights: 15 room-nights available (TWIN 4 × 3, SUITE 1 × 3), 6
// sold; revenue 160.00 + 83.33 + 83.34 + 200.00 + 200.00 = 726.67;
// occupancy 6/15 = 40.00 %; ADR 72667/6 = 12111.17 → 12111; RevPAR
// 72667/15 = 4844.47 → 4844; cost 1,000,000 + 2,000,001 nanos, per 1,000
// EUR 3,000,001 × 100,000 / 72,667 = 4,128,422.8 → 4,128,423. USD: 1 of
// 6 sold = 16.67 %; 150.00 a night; RevPAR 2,500; per 1,000 USD
// 3,000,000 × 100,000 / 15,000 = 20,000,000.
func TestFinanceRevenue(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	revenueStays(t, c)
	totals := []string{
		"EUR 6/15 40.00 72667 12111 4844 1 14000 3000001 4128423",
		"USD 1/6 16.67 15000 15000 2500 0 0 3000000 20000000",
	}
	tests := []struct {
		name, query string
		rows        []string
		totals      []string
	}{
		{"by day", "from=2027-03-02&to=2027-03-05", []string{
			// EUR on the 2nd: TWIN 2 + SUITE 1 of 5; 160.00 + 200.00.
			"2027-03-02 EUR 3/5 60.00 36000 12000 7200 0 0 1000000 2777778",
			"2027-03-02 USD 0/2 0.00 0 - 0 0 0 0 -",
			"2027-03-03 EUR 2/5 40.00 28333 14167 5667 0 0 0 0",
			"2027-03-03 USD 1/2 50.00 15000 15000 7500 0 0 3000000 20000000",
			"2027-03-04 EUR 1/5 20.00 8334 8334 1667 1 14000 2000001 23998092",
			"2027-03-04 USD 0/2 0.00 0 - 0 0 0 0 -",
		}, totals},
		{"by hotel", "from=2027-03-02&to=2027-03-05&group_by=hotel", []string{
			"nyc-test USD 1/6 16.67 15000 15000 2500 0 0 3000000 20000000",
			"porto-ribeira EUR 6/15 40.00 72667 12111 4844 1 14000 3000001 4128423",
		}, totals},
		// The ledger knows hotels, not room types: no cost by room type.
		// TWIN: 16000 + 8333 + 8334 = 32667 over 4 sold (8166.75 → 8167)
		// and 12 available (2722.25 → 2722).
		{"by room type", "from=2027-03-02&to=2027-03-05&group_by=room_type", []string{
			"nyc-test KING USD 1/6 16.67 15000 15000 2500 0 0 - -",
			"porto-ribeira SUITE EUR 2/3 66.67 40000 20000 13333 0 0 - -",
			"porto-ribeira TWIN EUR 4/12 33.33 32667 8167 2722 1 14000 - -",
		}, totals},
		{"one hotel", "hotel=nyc-test&from=2027-03-02&to=2027-03-05&group_by=hotel", []string{
			"nyc-test USD 1/6 16.67 15000 15000 2500 0 0 3000000 20000000",
		}, totals[1:]},
		// One night: the cancellation arrives on the 4th, outside.
		{"one night", "hotel=porto-ribeira&from=2027-03-03&to=2027-03-04&group_by=hotel", []string{
			"porto-ribeira EUR 2/5 40.00 28333 14167 5667 0 0 0 0",
		}, []string{"EUR 2/5 40.00 28333 14167 5667 0 0 0 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, totals := revenueReport(t, c, tt.query)
			if !slices.Equal(rows, tt.rows) {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(tt.rows, "\n"))
			}
			if !slices.Equal(totals, tt.totals) {
				t.Errorf("totals\n%s\nwant\n%s", strings.Join(totals, "\n"), strings.Join(tt.totals, "\n"))
			}
		})
	}
}

func TestFinanceRevenueCSV(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	revenueStays(t, c)
	r := c.do("GET", "/v1/finance/revenue?from=2027-03-02&to=2027-03-05&group_by=room_type", nil,
		with(bearer(c.apiKey("finance")), "Accept", "text/csv")...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		r.Header.Get("Content-Disposition") != `attachment; filename="innkeeper-revenue-by-room_type-20270302-20270305.csv"` {
		t.Fatalf("%d %v %s", r.Status, r.Header, r.Body)
	}
	got, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"hotel", "room_type", "currency", "room_nights_sold", "room_nights_available", "occupancy_percent", "room_revenue_cents",
			"adr_cents", "revpar_cents", "cancellations", "cancellation_fees_cents",
			"infra_cost_usd", "infra_cost_nanos", "infra_cost_per_1000_revenue_usd", "infra_cost_per_1000_revenue_nanos"},
		{"nyc-test", "KING", "USD", "1", "6", "16.67", "15000", "15000", "2500", "0", "0", "", "", "", ""},
		{"porto-ribeira", "SUITE", "EUR", "2", "3", "66.67", "40000", "20000", "13333", "0", "0", "", "", "", ""},
		{"porto-ribeira", "TWIN", "EUR", "4", "12", "33.33", "32667", "8167", "2722", "1", "14000", "", "", "", ""},
		{"TOTAL", "", "EUR", "6", "15", "40.00", "72667", "12111", "4844", "1", "14000", "0.003000001", "3000001", "0.004128423", "4128423"},
		{"TOTAL", "", "USD", "1", "6", "16.67", "15000", "15000", "2500", "0", "0", "0.003000000", "3000000", "0.020000000", "20000000"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	// By day, a night without a sale has an empty ADR.
	r = c.do("GET", "/v1/finance/revenue?hotel=nyc-test&from=2027-03-04&to=2027-03-05", nil,
		with(bearer(c.apiKey("finance")), "Accept", "text/csv")...)
	got, err = csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(got) != 3 || !slices.Equal(got[1][:9], []string{"2027-03-04", "USD", "0", "2", "0.00", "0", "", "0", "0"}) || got[2][0] != "TOTAL" {
		t.Fatalf("%v %q", err, got)
	}
}

// The report is finance's and the admin's: no key is 401, a staff key 403.
func TestFinanceRevenueRoles(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	const path = "/v1/finance/revenue?from=2027-01-10&to=2027-01-12"
	c.do("GET", path, nil).Problem(t, 401, "unauthorized")
	c.do("GET", path, nil, bearer(c.apiKey("staff"))...).Problem(t, 403, "forbidden")
	for _, h := range [][]string{bearer(c.apiKey("finance")), admin()} {
		if r := c.do("GET", path, nil, h...); r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}

// Bad parameters are a 422 naming each, and change nothing.
func TestFinanceRevenueRejectsBadParameters(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	count := func() int {
		return c.api.Int(t, `SELECT (SELECT count(*) FROM invocation_costs) + (SELECT count(*) FROM reservations) + (SELECT count(*) FROM api_keys)`)
	}
	before := count()
	tests := []struct {
		name, query string
		fields      []string
	}{
		{"no range", "", []string{"from", "to"}},
		{"no to", "from=2027-01-01", []string{"to"}},
		{"from not a date", "from=yesterday&to=2027-01-02", []string{"from"}},
		{"to not a real date", "from=2027-02-01&to=2027-02-30", []string{"to"}},
		{"an instant", "from=2027-01-01T00:00:00Z&to=2027-01-02", []string{"from"}},
		{"from equal to to", "from=2027-01-01&to=2027-01-01", []string{"from"}},
		{"from after to", "from=2027-01-05&to=2027-01-01", []string{"from"}},
		{"367 nights", "from=2027-01-01&to=2028-01-03", []string{"to"}},
		{"unknown grouping", "from=2027-01-01&to=2027-01-02&group_by=week", []string{"group_by"}},
		{"cost grouping", "from=2027-01-01&to=2027-01-02&group_by=function", []string{"group_by"}},
		{"not a slug", "hotel=Lisbon%20Riverside&from=2027-01-01&to=2027-01-02", []string{"hotel"}},
		{"unknown hotel", "hotel=atlantis&from=2027-01-01&to=2027-01-02", []string{"hotel"}},
		{"unknown parameter", "from=2027-01-01&to=2027-01-02&currency=EUR", []string{"currency"}},
		{"a parameter twice", "from=2027-01-01&from=2027-01-02&to=2027-01-03", []string{"from"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("GET", "/v1/finance/revenue?"+tt.query, nil, fin...)
			for _, f := range tt.fields {
				r.FieldError(t, 422, f)
			}
		})
	}
	// 366 nights, a leap year's, are allowed.
	if r := c.do("GET", "/v1/finance/revenue?from=2028-01-01&to=2029-01-01&group_by=hotel", nil, fin...); r.Status != 200 {
		t.Fatalf("366 nights: %d %s", r.Status, r.Body)
	}
	c.do("GET", "/v1/finance/revenue?from=2027-01-01&to=2027-01-02", nil, with(fin, "Accept", "image/png")...).Problem(t, 406, "not-acceptable")
	if after := count(); after != before {
		t.Fatalf("rows went from %d to %d", before, after)
	}
}
