package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/finance"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
)

// unitEconomicsFixture is three days (Nov 29 – Dec 1) with two bookings
// at lisbon-riverside on Dec 1 (the demo's and one made here), five
// invocations and fixed cost rows for Nov 30 and Dec 1 only.
func unitEconomicsFixture(t *testing.T) (*client, []string) {
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	ref, _ := c.book(bookingBody())
	c.record(
		priced("s1", "api", at(11, 30, 9), 1000, route(finance.SearchRoute, "lisbon-riverside", "c1")),
		priced("s2", "api", at(12, 1, 9), 2000, route(finance.SearchRoute, "nyc-midtown", "c2")),
		priced("b1", "api", at(12, 1, 10), 5000, route(finance.BookRoute, "lisbon-riverside", "c1", ref)),
		priced("w1", "worker", at(12, 1, 10).Add(time.Second), 3000, job(meter.TriggerSQS, "events", ref)),
		priced("u1", "api", at(12, 1, 11), 1000, func(r *pricing.Record) { r.Attributed = false }),
	)
	fixed := func(day, item string, nanos int64) {
		c.api.Exec(t, `INSERT INTO fixed_cost_days (day, item, service, stage, region, amount_nanos)
			VALUES ($1, $2, 'AmazonRDS', 'prod', 'eu-west-1', $3)`, day, item, nanos)
	}
	fixed("2026-11-30", "rds", 1_000_000_000)
	fixed("2026-12-01", "rds", 700_000_001)
	fixed("2026-12-01", "elasticache", 300_000_000)
	return c, fin
}

func TestUnitEconomicsFullyLoaded(t *testing.T) {
	t.Parallel()
	c, fin := unitEconomicsFixture(t)
	r := c.do("GET", "/v1/finance/unit-economics?from=2026-11-29&to=2026-12-01", nil, fin...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var got struct {
		Invocations    int64 `json:"invocations"`
		CostNanos      int64 `json:"cost_nanos"`
		Bookings       int64 `json:"bookings"`
		CostPerBooking struct {
			Nanos *int64 `json:"cost_nanos"`
		} `json:"cost_per_booking"`
		Marginal    perUnit `json:"marginal"`
		FullyLoaded perUnit `json:"fully_loaded"`
		Fixed       struct {
			Nanos        int64 `json:"cost_nanos"`
			DaysWithRows int   `json:"days_with_rows"`
			Complete     bool  `json:"complete"`
		} `json:"fixed"`
		FixedDaysMissing []string `json:"fixed_days_missing"`
		Allocation       struct {
			Method      string `json:"method"`
			Description string `json:"description"`
			FixedCost   struct {
				Nanos int64 `json:"cost_nanos"`
			} `json:"fixed_cost"`
			AllocatedToHotels struct {
				Nanos int64 `json:"cost_nanos"`
			} `json:"allocated_to_hotels"`
			Unallocated struct {
				Label   string `json:"label"`
				Nanos   int64  `json:"cost_nanos"`
				Buckets []row  `json:"buckets"`
			} `json:"unallocated"`
		} `json:"allocation"`
		Hotels []row `json:"hotels"`
		Daily  []day `json:"daily"`
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	// Marginal: 12,000 over 2 bookings = 6,000; searches 3,000 over 2.
	// Fixed: 1,000,000,000 + 1,000,000,001; Nov 29 has no rows.
	if got.Invocations != 5 || got.CostNanos != 12_000 || got.Bookings != 2 || *got.CostPerBooking.Nanos != 6000 ||
		got.Marginal.Nanos != 12_000 || *got.Marginal.PerBooking.Nanos != 6000 || *got.Marginal.PerSearch.Nanos != 1500 {
		t.Fatalf("marginal: %s", r.Body)
	}
	if got.Fixed.Nanos != 2_000_000_001 || got.Fixed.DaysWithRows != 2 || got.Fixed.Complete ||
		!slices.Equal(got.FixedDaysMissing, []string{"2026-11-29"}) {
		t.Fatalf("fixed %+v, missing %v", got.Fixed, got.FixedDaysMissing)
	}
	// Fully loaded: 2,000,012,001 over 2 = 1,000,006,000.5 → 1,000,006,001.
	// Searches are 2 of 5 invocations: 800,000,000.4 → 800,000,000 of
	// the fixed cost; (3,000 + 800,000,000) / 2 = 400,001,500.
	if fl := got.FullyLoaded; fl.Nanos != 2_000_012_001 || *fl.PerBooking.Nanos != 1_000_006_001 ||
		*fl.PerSearch.Nanos != 400_001_500 || *fl.PerSearch.Cost != "0.400001500" || fl.Complete == nil || *fl.Complete {
		t.Fatalf("fully loaded %+v", fl)
	}
	// 2,000,000,001 by invocations 2 : 1 : 1 : 1 (lisbon, then "(no
	// hotel)", "(unattributed)", nyc-midtown by name): 800,000,000.4 and
	// 400,000,000.2 × 3; the nano left to lisbon's remainder.
	a := got.Allocation
	if a.Method != "invocation_share" || !strings.Contains(a.Description, "invocations") || a.FixedCost.Nanos != 2_000_000_001 ||
		a.AllocatedToHotels.Nanos != 1_200_000_001 || a.Unallocated.Label != "(unallocated)" || a.Unallocated.Nanos != 800_000_000 {
		t.Fatalf("allocation %+v", a)
	}
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	wantHotels := []row{
		{Hotel: "lisbon-riverside", Invocations: 2, Share: s("40.0"), Marginal: 6000, Fixed: 800_000_001, Loaded: 800_006_001,
			Bookings: 2, MarginalPerBooking: n(3000), LoadedPerBooking: n(400_003_001)}, // 800,006,001 / 2, half up
		{Hotel: "nyc-midtown", Invocations: 1, Share: s("20.0"), Marginal: 2000, Fixed: 400_000_000, Loaded: 400_002_000},
	}
	wantBuckets := []row{
		{Bucket: finance.NoHotel, Invocations: 1, Share: s("20.0"), Marginal: 3000, Fixed: 400_000_000, Loaded: 400_003_000},
		{Bucket: finance.Unattributed, Invocations: 1, Share: s("20.0"), Marginal: 1000, Fixed: 400_000_000, Loaded: 400_001_000},
	}
	if !slices.EqualFunc(got.Hotels, wantHotels, row.equal) || !slices.EqualFunc(a.Unallocated.Buckets, wantBuckets, row.equal) {
		t.Fatalf("hotels %+v\nbuckets %+v", got.Hotels, a.Unallocated.Buckets)
	}
	var parts int64
	for _, h := range append(got.Hotels, a.Unallocated.Buckets...) {
		parts += h.Fixed
	}
	if parts != got.Fixed.Nanos {
		t.Fatalf("the allocated parts add up to %d, the fixed cost is %d", parts, got.Fixed.Nanos)
	}
	wantDays := []day{
		{Day: "2026-11-29", FixedMissing: true},
		// 1,000,000,000 all to the one search: (1,000 + 1e9) / 1.
		{Day: "2026-11-30", Invocations: 1, Searches: 1, Marginal: 1000, Fixed: n(1_000_000_000), Loaded: n(1_000_001_000),
			MarginalPerSearch: n(1000), LoadedPerSearch: n(1_000_001_000)},
		// (11,000 + 1,000,000,001) / 2 = 500,005,500.5 → 500,005,501; the
		// search 1 of 4 invocations: 250,000,000.25 → 250,000,000.
		{Day: "2026-12-01", Invocations: 4, Bookings: 2, Searches: 1, Marginal: 11_000, Fixed: n(1_000_000_001), Loaded: n(1_000_011_001),
			MarginalPerBooking: n(5500), LoadedPerBooking: n(500_005_501), MarginalPerSearch: n(2000), LoadedPerSearch: n(250_002_000)},
	}
	if !slices.EqualFunc(got.Daily, wantDays, day.equal) {
		t.Fatalf("daily\n got %+v\nwant %+v", got.Daily, wantDays)
	}

	// From Nov 30, 18:00 to Dec 1, 12:00: a quarter of Nov 30's fixed
	// cost and half of Dec 1's (500,000,000.5 → 500,000,001).
	m := c.do("GET", "/v1/finance/unit-economics?from=2026-11-30T18:00:00Z&to=2026-12-01T12:00:00Z", nil, fin...).JSON(t)
	daily := m["daily"].([]any)
	if m["fixed"].(map[string]any)["cost_nanos"] != float64(750_000_001) || len(daily) != 2 ||
		daily[0].(map[string]any)["covered_seconds"] != float64(6*3600) || daily[1].(map[string]any)["covered_seconds"] != float64(12*3600) {
		t.Fatalf("part days: fixed %v, daily %v", m["fixed"], daily)
	}
}

func TestUnitEconomicsCSV(t *testing.T) {
	t.Parallel()
	c, fin := unitEconomicsFixture(t)
	want := [][]string{
		{"day", "invocations", "bookings", "searches", "marginal_cost_usd", "marginal_cost_nanos", "search_cost_usd", "search_cost_nanos",
			"fixed_cost_usd", "fixed_cost_nanos", "fixed_days_missing", "fully_loaded_cost_usd", "fully_loaded_cost_nanos",
			"marginal_per_booking_usd", "marginal_per_booking_nanos", "fully_loaded_per_booking_usd", "fully_loaded_per_booking_nanos",
			"marginal_per_search_usd", "marginal_per_search_nanos", "fully_loaded_per_search_usd", "fully_loaded_per_search_nanos"},
		{"2026-11-29", "0", "0", "0", "0.000000000", "0", "0.000000000", "0", "", "", "1", "", "", "", "", "", "", "", "", "", ""},
		{"2026-11-30", "1", "0", "1", "0.000001000", "1000", "0.000001000", "1000", "1.000000000", "1000000000", "0", "1.000001000", "1000001000",
			"", "", "", "", "0.000001000", "1000", "1.000001000", "1000001000"},
		{"2026-12-01", "4", "2", "1", "0.000011000", "11000", "0.000002000", "2000", "1.000000001", "1000000001", "0", "1.000011001", "1000011001",
			"0.000005500", "5500", "0.500005501", "500005501", "0.000002000", "2000", "0.250002000", "250002000"},
		{"TOTAL", "5", "2", "2", "0.000012000", "12000", "0.000003000", "3000", "2.000000001", "2000000001", "1", "2.000012001", "2000012001",
			"0.000006000", "6000", "1.000006001", "1000006001", "0.000001500", "1500", "0.400001500", "400001500"},
	}
	tests := []struct {
		name, query string
		headers     []string
		csv         bool
	}{
		{"Accept text/csv", "", []string{"Accept", "text/csv"}, true},
		{"format=csv", "&format=csv", nil, true},
		{"format=csv over Accept", "&format=csv", []string{"Accept", "application/json"}, true},
		{"format=json over Accept", "&format=json", []string{"Accept", "text/csv"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("GET", "/v1/finance/unit-economics?from=2026-11-29&to=2026-12-01"+tt.query, nil, with(fin, tt.headers...)...)
			if !tt.csv {
				if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("%d %s", r.Status, r.Header.Get("Content-Type"))
				}
				return
			}
			if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
				!strings.Contains(r.Header.Get("Content-Disposition"), `filename="innkeeper-unit-economics-daily-20261129T000000Z-20261202T000000Z.csv"`) {
				t.Fatalf("%d %v\n%s", r.Status, r.Header, r.Body)
			}
			got, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("CSV\n%s", r.Body)
			}
		})
	}
	before := c.api.Int(t, `SELECT (SELECT count(*) FROM invocation_costs) + (SELECT count(*) FROM fixed_cost_days)`)
	c.do("GET", "/v1/finance/unit-economics?format=xlsx", nil, fin...).FieldError(t, 400, "format")
	c.do("GET", "/v1/finance/unit-economics?format=csv&from=x", nil, fin...).FieldError(t, 400, "from")
	c.do("GET", "/v1/finance/unit-economics", nil, with(fin, "Accept", "image/png")...).Problem(t, 406, "not-acceptable")
	if after := c.api.Int(t, `SELECT (SELECT count(*) FROM invocation_costs) + (SELECT count(*) FROM fixed_cost_days)`); after != before {
		t.Fatalf("rows went from %d to %d", before, after)
	}
}

// row is a hotel or a bucket of the allocation, as the report shows it.
type row struct {
	Hotel              string  `json:"hotel"`
	Bucket             string  `json:"bucket"`
	Invocations        int64   `json:"invocations"`
	Share              *string `json:"share_percent"`
	Marginal, Fixed    int64
	Loaded             int64
	Bookings           int64 `json:"bookings"`
	MarginalPerBooking *int64
	LoadedPerBooking   *int64
}

func (r *row) UnmarshalJSON(b []byte) error {
	type plain row
	var v struct {
		plain
		M struct {
			Nanos int64 `json:"cost_nanos"`
		} `json:"marginal_cost"`
		F struct {
			Nanos int64 `json:"cost_nanos"`
		} `json:"allocated_fixed_cost"`
		L struct {
			Nanos int64 `json:"cost_nanos"`
		} `json:"fully_loaded_cost"`
		MB struct {
			Nanos *int64 `json:"cost_nanos"`
		} `json:"marginal_per_booking"`
		LB struct {
			Nanos *int64 `json:"cost_nanos"`
		} `json:"fully_loaded_per_booking"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = row(v.plain)
	r.Marginal, r.Fixed, r.Loaded, r.MarginalPerBooking, r.LoadedPerBooking = v.M.Nanos, v.F.Nanos, v.L.Nanos, v.MB.Nanos, v.LB.Nanos
	return nil
}

func (r row) equal(o row) bool {
	return r.Hotel == o.Hotel && r.Bucket == o.Bucket && r.Invocations == o.Invocations && eqPtr(r.Share, o.Share) &&
		r.Marginal == o.Marginal && r.Fixed == o.Fixed && r.Loaded == o.Loaded && r.Bookings == o.Bookings &&
		eqPtr(r.MarginalPerBooking, o.MarginalPerBooking) && eqPtr(r.LoadedPerBooking, o.LoadedPerBooking)
}

// day is a day of the daily series, as the report shows it.
type day struct {
	Day                                  string `json:"day"`
	Invocations                          int64  `json:"invocations"`
	Bookings                             int64  `json:"bookings"`
	Searches                             int64  `json:"searches"`
	FixedMissing                         bool   `json:"fixed_missing"`
	Marginal                             int64
	Fixed, Loaded                        *int64
	MarginalPerBooking, LoadedPerBooking *int64
	MarginalPerSearch, LoadedPerSearch   *int64
}

func (d *day) UnmarshalJSON(b []byte) error {
	type plain day
	type maybe struct {
		Nanos *int64 `json:"cost_nanos"`
	}
	var v struct {
		plain
		M struct {
			Nanos int64 `json:"cost_nanos"`
		} `json:"marginal_cost"`
		F  maybe `json:"fixed_cost"`
		L  maybe `json:"fully_loaded_cost"`
		MB maybe `json:"marginal_per_booking"`
		LB maybe `json:"fully_loaded_per_booking"`
		MS maybe `json:"marginal_per_search"`
		LS maybe `json:"fully_loaded_per_search"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = day(v.plain)
	d.Marginal, d.Fixed, d.Loaded = v.M.Nanos, v.F.Nanos, v.L.Nanos
	d.MarginalPerBooking, d.LoadedPerBooking, d.MarginalPerSearch, d.LoadedPerSearch = v.MB.Nanos, v.LB.Nanos, v.MS.Nanos, v.LS.Nanos
	return nil
}

func (d day) equal(o day) bool {
	return d.Day == o.Day && d.Invocations == o.Invocations && d.Bookings == o.Bookings && d.Searches == o.Searches &&
		d.FixedMissing == o.FixedMissing && d.Marginal == o.Marginal && eqPtr(d.Fixed, o.Fixed) && eqPtr(d.Loaded, o.Loaded) &&
		eqPtr(d.MarginalPerBooking, o.MarginalPerBooking) && eqPtr(d.LoadedPerBooking, o.LoadedPerBooking) &&
		eqPtr(d.MarginalPerSearch, o.MarginalPerSearch) && eqPtr(d.LoadedPerSearch, o.LoadedPerSearch)
}

func eqPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// perUnit is the marginal or fully loaded part of the report.
type perUnit struct {
	Nanos      int64 `json:"cost_nanos"`
	PerBooking struct {
		Nanos *int64 `json:"cost_nanos"`
	} `json:"per_booking"`
	PerSearch struct {
		Cost  *string `json:"cost"`
		Nanos *int64  `json:"cost_nanos"`
	} `json:"per_search"`
	Complete *bool `json:"complete"`
}

// A search that led to two bookings is shared by their receipts: the
// shares add up to its cost, and the receipts to no more than the ledger.
func TestReceiptsShareASearch(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	fin := bearer(c.apiKey("finance"))
	first, _ := c.book(bookingBody())
	second, _ := c.book(bookingBody(set("check_in", "2027-02-10"), set("check_out", "2027-02-11")))
	clock := testenv.Clock // both made at it
	hotel := "lisbon-riverside"
	c.record(
		priced("search", "api", clock.Add(-5*time.Minute), 1001, route(finance.SearchRoute, hotel, "guest")),
		priced("book-1", "api", clock.Add(-20*time.Millisecond), 4000, route(finance.BookRoute, hotel, "guest", first)),
		priced("book-2", "api", clock.Add(-10*time.Millisecond), 4000, route(finance.BookRoute, hotel, "guest", second)),
		priced("cleanup", "scheduler", clock.Add(time.Hour), 300, job(meter.TriggerSchedule, "cleanup")),
	)
	var receipts, searchShares int64
	var indexes []float64
	for _, ref := range []string{first, second} {
		m := c.do("GET", "/v1/finance/reservations/"+ref+"/cost", nil, fin...).JSON(t)
		receipts += int64(m["total_nanos"].(float64))
		for _, x := range m["lines"].([]any) {
			l := x.(map[string]any)
			if l["request_id"] == "search" {
				if l["preceding_search"] != true || l["shared_by"] != float64(2) {
					t.Fatalf("%s: search line %v", ref, l)
				}
				searchShares += int64(l["share_nanos"].(float64))
				indexes = append(indexes, l["share_index"].(float64))
			}
		}
	}
	// 1,001 = 501 + 500; the ledger holds 1,001 + 4,000 + 4,000 + 300.
	slices.Sort(indexes)
	if searchShares != 1001 || !slices.Equal(indexes, []float64{0, 1}) {
		t.Fatalf("search shares add up to %d at places %v, want 1001 at 0 and 1", searchShares, indexes)
	}
	if ledger := int64(1001 + 4000 + 4000 + 300); receipts > ledger || receipts != ledger-300 {
		t.Fatalf("receipts add up to %d, ledger %d", receipts, ledger)
	}
}
