package httpapi_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"innkeeper/local/testenv"
)

// lisbonTaxes are set over the demo's own in these tests, so that the
// figures below depend on nothing else: VAT included in the room price,
// the tourist tax per guest per night (13 and over, 7 nights at most)
// paid at the hotel, and a cleaning fee per stay added to the booking.
var lisbonTaxes = map[string]any{"taxes": []map[string]any{
	{"code": "vat", "name": "IVA", "kind": "percent", "vat": true, "percent": "6", "included": true},
	{"code": "city-tax", "name": "Taxa turística", "kind": "per_person_night", "amount_cents": 400,
		"pay_at_hotel": true, "exempt_under_age": 13, "max_nights": 7},
	{"code": "cleaning", "name": "Cleaning", "kind": "per_stay", "amount_cents": 1500},
}}

// priceOf reads the "price" object of a JSON object.
func priceOf(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	p, ok := m["price"].(map[string]any)
	if !ok {
		t.Fatalf("no price in %v", m)
	}
	return p
}

// checkPrice compares a price's totals, and its lines' codes and
// amounts in order.
func checkPrice(t *testing.T, what string, p map[string]any, room, total, atHotel float64, lines ...any) {
	t.Helper()
	if p["currency"] != "EUR" || p["room_cents"] != room || p["total_cents"] != total ||
		p["pay_at_hotel_cents"] != atHotel || p["grand_total_cents"] != total+atHotel {
		t.Fatalf("%s: price %v; want room %v total %v at hotel %v", what, p, room, total, atHotel)
	}
	var got []any
	for _, l := range p["lines"].([]any) {
		got = append(got, l.(map[string]any)["code"], l.(map[string]any)["amount_cents"])
	}
	if !reflect.DeepEqual(got, lines) {
		t.Fatalf("%s: lines %v, want %v", what, got, lines)
	}
}

// The offer, the booking and its reads carry one price, computed by
// hand below; the cancellation fee is a percent of total_cents, not of
// what is paid at the hotel.
func TestPriceBreakdownThroughTheAPI(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	if r := c.do("PUT", lisbon+"/taxes", lisbonTaxes, admin()...); r.Status != http.StatusOK {
		t.Fatalf("put taxes: %d %s", r.Status, r.Body)
	}

	// STD-FLEX in January is 9500 × 85% = 8075 a night; 2 nights,
	// 1 room: 16150. VAT inside: net 1615000 / 106 = 15235.84… → 15236,
	// VAT 16150 − 15236 = 914. The child's age is not given, so the
	// child pays the tourist tax: 3 guests × 2 nights × 400 = 2400, at
	// the hotel. Cleaning 1500 on top: total 17650, grand total 20050.
	r := c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2&children=1", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("availability: %d %s", r.Status, r.Body)
	}
	var offer map[string]any
	for _, o := range r.JSON(t)["offers"].([]any) {
		if o.(map[string]any)["rate_plan"] == "STD-FLEX" {
			offer = o.(map[string]any)
		}
	}
	if offer == nil || offer["total_cents"] != 17650.0 {
		t.Fatalf("STD-FLEX offer %v, want total_cents 17650", offer)
	}
	offered := priceOf(t, offer)
	checkPrice(t, "offer", offered, 16150, 17650, 2400, "vat", 914.0, "city-tax", 2400.0, "cleaning", 1500.0)
	vat := offered["lines"].([]any)[0].(map[string]any)
	if vat["base_cents"] != 15236.0 || vat["included"] != true || vat["percent"] != "6" || vat["rounding"] != "net-half-up" {
		t.Fatalf("VAT line %v", vat)
	}

	ref, token := c.book(bookingBody(set("children", 1)))
	got := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...)
	if got.Status != http.StatusOK {
		t.Fatalf("get: %d %s", got.Status, got.Body)
	}
	res := got.JSON(t)["reservation"].(map[string]any)
	if res["total_cents"] != 17650.0 || !reflect.DeepEqual(priceOf(t, res), offered) {
		t.Fatalf("booked price %v, want the offer's %v", res["price"], offered)
	}

	// STD-NR (non-refundable: the fee is 100%) is 8360 × 85% = 7106 a
	// night, 14212 for two; with cleaning 15712. The fee is all of
	// that, and none of the 2400 paid at the hotel.
	nr, nrToken := c.book(bookingBody(set("rate_plan", "STD-NR"), set("children", 1)))
	q := c.do("GET", "/v1/reservations/"+nr+"/cancellation-quote", nil, bearer(nrToken)...)
	if q.Status != http.StatusOK {
		t.Fatalf("quote: %d %s", q.Status, q.Body)
	}
	quote := q.JSON(t)
	if quote["cancellation_fee_cents"] != 15712.0 || quote["total_cents"] != 15712.0 {
		t.Fatalf("cancellation quote %v, want a fee of 15712", quote)
	}
	// VAT: net 1421200 / 106 = 13407.54… → 13408, VAT 804.
	checkPrice(t, "quote", priceOf(t, quote), 14212, 15712, 2400, "vat", 804.0, "city-tax", 2400.0, "cleaning", 1500.0)

	// The city search's best offer is the cheapest total, priced alike:
	// 2 adults, STD-NR, tourist tax 2 × 2 × 400 = 1600.
	s := c.do("GET", "/v1/availability?city=Lisbon&check_in=2027-01-10&check_out=2027-01-12&adults=2", nil)
	if s.Status != http.StatusOK {
		t.Fatalf("city search: %d %s", s.Status, s.Body)
	}
	best := s.JSON(t)["hotels"].([]any)[0].(map[string]any)["best_offer"].(map[string]any)
	if best["rate_plan"] != "STD-NR" {
		t.Fatalf("best offer %v, want STD-NR", best)
	}
	checkPrice(t, "city search", priceOf(t, best), 14212, 15712, 1600, "vat", 804.0, "city-tax", 1600.0, "cleaning", 1500.0)

	// The modification quote shows the new price beside the current one:
	// one night, 8075, VAT net 807500 / 106 = 7617.92… → 7618, VAT 457;
	// tourist tax 3 × 400 = 1200; total 8075 + 1500 = 9575.
	mq := c.do("POST", "/v1/reservations/"+ref+"/modification-quote", map[string]any{"check_out": "2027-01-11"}, bearer(token)...)
	if mq.Status != http.StatusOK {
		t.Fatalf("modification quote: %d %s", mq.Status, mq.Body)
	}
	m := mq.JSON(t)
	checkPrice(t, "new", priceOf(t, m), 8075, 9575, 1200, "vat", 457.0, "city-tax", 1200.0, "cleaning", 1500.0)
	if !reflect.DeepEqual(m["current_price"], offered) || m["difference_cents"] != 9575.0-17650.0 {
		t.Fatalf("current price %v, difference %v", m["current_price"], m["difference_cents"])
	}
}

// A bad list is refused whole, naming every bad field, and changes
// nothing; staff read the list, and the public hotel shows it.
func TestSetTaxesValidatesTheWholeList(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	if r := c.do("PUT", lisbon+"/taxes", lisbonTaxes, admin()...); r.Status != http.StatusOK {
		t.Fatalf("put taxes: %d %s", r.Status, r.Body)
	}
	bad := map[string]any{"taxes": []map[string]any{
		{"code": "vat", "name": "IVA", "kind": "percent", "percent": "6.123456", "included": true, "pay_at_hotel": true},
		{"code": "vat", "name": "", "kind": "per_booking"},
		{"code": "fee", "name": "Fee", "kind": "per_stay", "amount_cents": 100, "valid_from": "2027-02-30"},
	}}
	r := c.do("PUT", lisbon+"/taxes", bad, admin()...)
	m := r.Problem(t, http.StatusUnprocessableEntity, "validation")
	errs := m["errors"].(map[string]any)
	for _, f := range []string{"taxes[0].percent", "taxes[0].pay_at_hotel", "taxes[1].code", "taxes[1].name",
		"taxes[1].kind", "taxes[2].valid_from"} {
		if _, ok := errs[f]; !ok {
			t.Errorf("errors %v lack %s", errs, f)
		}
	}
	g := c.do("GET", lisbon+"/taxes", nil, admin()...)
	if g.Status != http.StatusOK {
		t.Fatalf("get taxes: %d %s", g.Status, g.Body)
	}
	var list struct {
		Taxes []map[string]any `json:"taxes"`
	}
	if err := json.Unmarshal(g.Body, &list); err != nil || len(list.Taxes) != 3 || list.Taxes[1]["max_nights"] != 7.0 {
		t.Fatalf("taxes after a refused list %s (%v)", g.Body, err)
	}
	// A number is read as the exact decimal it spells.
	num := map[string]any{"taxes": []map[string]any{{"code": "vat", "name": "IVA", "kind": "percent", "percent": 6.5, "included": true}}}
	if r := c.do("PUT", lisbon+"/taxes", num, admin()...); r.Status != http.StatusOK || r.JSON(t)["taxes"].([]any)[0].(map[string]any)["percent"] != "6.5" {
		t.Fatalf("percent as a number: %d %s", r.Status, r.Body)
	}
	h := c.do("GET", "/v1/hotels/lisbon-riverside", nil).JSON(t)["hotel"].(map[string]any)
	if taxes := h["taxes"].([]any); len(taxes) != 1 || taxes[0].(map[string]any)["code"] != "vat" {
		t.Fatalf("public hotel taxes %v", h["taxes"])
	}
	if r := c.do("PUT", "/v1/admin/hotels/nowhere/taxes", map[string]any{"taxes": []any{}}, admin()...); r.Status != http.StatusNotFound {
		t.Fatalf("unknown hotel: %d %s", r.Status, r.Body)
	}
}

// A change of taxes shows in the next city search, cached or not.
func TestTaxChangeShowsInTheNextCitySearch(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	search := func() map[string]any {
		t.Helper()
		s := c.do("GET", "/v1/availability?city=Lisbon&check_in=2027-01-10&check_out=2027-01-12&adults=2", nil)
		if s.Status != http.StatusOK {
			t.Fatalf("city search: %d %s", s.Status, s.Body)
		}
		return priceOf(t, s.JSON(t)["hotels"].([]any)[0].(map[string]any)["best_offer"].(map[string]any))
	}
	// The demo's Lisbon: STD-NR, 2 × 7106 = 14212 with VAT inside (net
	// 1421200 / 106 → 13408, VAT 804) and the tourist tax of 2 guests ×
	// 2 nights × 400 = 1600 at the hotel.
	checkPrice(t, "demo", search(), 14212, 14212, 1600, "vat", 804.0, "city-tax", 1600.0)
	search() // now cached
	only := map[string]any{"taxes": []map[string]any{{"code": "cleaning", "name": "Cleaning", "kind": "per_stay", "amount_cents": 1500}}}
	if r := c.do("PUT", lisbon+"/taxes", only, admin()...); r.Status != http.StatusOK {
		t.Fatalf("put taxes: %d %s", r.Status, r.Body)
	}
	checkPrice(t, "after", search(), 14212, 15712, 0, "cleaning", 1500.0)
}
