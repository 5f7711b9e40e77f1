package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
)

// cityHotels is the size of the benchmark's city: the target is
// a p95 under 50 ms through the handler for a city of 50 hotels.
const cityHotels = 50

// seedBenchCity adds a city of cityHotels hotels (Porto, half of them
// spelled PORTO), each with three room types of two rate plans, priced
// apart, with inventory and rates from December to March, and two taxes.
func seedBenchCity(b *testing.B, api *testenv.API) {
	b.Helper()
	api.Exec(b, `INSERT INTO hotels (slug, name, city, country, timezone, currency)
		SELECT 'porto-' || g, 'Porto Hotel ' || g, CASE WHEN g % 2 = 0 THEN 'Porto' ELSE 'PORTO' END, 'PT', 'Europe/Lisbon', 'EUR'
		FROM generate_series(1, $1::int) g`, cityHotels)
	api.Exec(b, `INSERT INTO room_types (hotel_id, code, name, max_adults, max_children)
		SELECT h.id, c.code, c.code, c.adults, 2 FROM hotels h, (VALUES ('STD', 2), ('DLX', 2), ('FAM', 4)) c(code, adults)
		WHERE h.slug LIKE 'porto-%'`)
	api.Exec(b, `INSERT INTO rate_plans (hotel_id, room_type_id, code, name, refundable, free_cancellation_hours, penalty_percent)
		SELECT rt.hotel_id, rt.id, rt.code || '-' || p.code, p.code, p.refundable, 48, 30
		FROM room_types rt JOIN hotels h ON h.id = rt.hotel_id, (VALUES ('FLEX', true), ('NR', false)) p(code, refundable)
		WHERE h.slug LIKE 'porto-%'`)
	api.Exec(b, `INSERT INTO inventory (room_type_id, night, units)
		SELECT rt.id, d, 10 FROM room_types rt JOIN hotels h ON h.id = rt.hotel_id,
			generate_series('2026-12-01'::date, '2027-03-31'::date, '1 day') d
		WHERE h.slug LIKE 'porto-%'`)
	api.Exec(b, `INSERT INTO rates (rate_plan_id, night, amount_cents)
		SELECT rp.id, d, 8000 + (rp.id * 7919) % 20000 FROM rate_plans rp JOIN hotels h ON h.id = rp.hotel_id,
			generate_series('2026-12-01'::date, '2027-03-31'::date, '1 day') d
		WHERE h.slug LIKE 'porto-%'`)
	// Each hotel prices its offers under Portugal's kinds of taxes: VAT
	// included, a tourist tax per guest per night paid at the hotel.
	api.Exec(b, `INSERT INTO hotel_taxes (hotel_id, position, code, name, kind, vat, percent, amount_cents,
			included, pay_at_hotel, exempt_under_age, max_nights)
		SELECT h.id, t.position, t.code, t.code, t.kind, t.vat, t.percent, t.amount, t.included, t.at_hotel, t.exempt, t.max
		FROM hotels h, (VALUES (0, 'vat', 'percent', true, 6::numeric, NULL::bigint, true, false, 0, 0),
			(1, 'city-tax', 'per_person_night', false, NULL, 200, false, true, 13, 7))
			t(position, code, kind, vat, percent, amount, included, at_hotel, exempt, max)
		WHERE h.slug LIKE 'porto-%'`)
	api.Exec(b, `ANALYZE hotels, room_types, rate_plans, inventory, rates, hotel_taxes`)
}

// BenchmarkCitySearch is GET /v1/availability for a city of 50 hotels,
// through the API's handler (httptest, no network), over eight stays in
// turn: cold with the Redis cache bypassed (every request reads
// PostgreSQL), warm with it (every stay already cached), and, for
// comparison, the 50 per-hotel searches the one city query replaces
// (per-hotel-x50, the hotels' catalogues cached). Each reports
// its p50 and p95 in milliseconds beside ns/op.
func BenchmarkCitySearch(b *testing.B) {
	api := testenv.NewAPI(b, testenv.APIOptions{NoRelay: true})
	seedBenchCity(b, api)
	var paths []string
	for i := range 8 {
		ci := booking.DateOf(testenv.Clock).AddDays(10 + 3*i)
		paths = append(paths, "/v1/availability?city=porto&adults=2&check_in="+ci.String()+"&check_out="+ci.AddDays(3).String())
	}
	get := func(b *testing.B, path string) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	// perHotel is the same answer from the per-hotel search, hotel by
	// hotel: what the one query for the whole city saves.
	perHotel := func(b *testing.B, path string) {
		for h := 1; h <= cityHotels; h++ {
			get(b, "/v1/hotels/porto-"+strconv.Itoa(h)+"/availability?"+path[len("/v1/availability?city=porto&"):])
		}
	}
	for _, mode := range []string{"cold", "warm", "per-hotel-x50"} {
		b.Run(mode, func(b *testing.B) {
			if mode == "cold" {
				api.Service.UseSearchCache(nil)
				defer api.Service.UseSearchCache(api.SearchCache)
			}
			// One round first: the warm run starts with every stay cached,
			// and both with the connections open.
			for _, p := range paths {
				get(b, p)
			}
			var took []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if mode == "per-hotel-x50" {
					perHotel(b, paths[i%len(paths)])
				} else {
					get(b, paths[i%len(paths)])
				}
				took = append(took, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(took)
			ms := func(q float64) float64 {
				return float64(took[int(q*float64(len(took)-1))]) / float64(time.Millisecond)
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.95), "p95-ms")
		})
	}
}
