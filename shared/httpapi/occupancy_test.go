package httpapi_test

import (
	"net/http"
	"reflect"
	"testing"

	"innkeeper/local/testenv"
)

// offersBy is availability's offers by rate plan.
func offersBy(t *testing.T, c *client, path string) map[string]map[string]any {
	t.Helper()
	r := c.do("GET", path, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	out := map[string]map[string]any{}
	for _, o := range r.JSON(t)["offers"].([]any) {
		m := o.(map[string]any)
		out[m["rate_plan"].(string)] = m
	}
	return out
}

// The demo Lisbon hotel prices a family by its children's ages: FAM-FLEX
// is 24000 a night, 85 % in January (20400), its rate covers 2 adults,
// a child of the child band (3-12) pays 1500 and an infant nothing.
func TestAvailabilityAndBookingPriceChildrenByAge(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})

	// The hotel shows its bands and the plan's occupancy pricing.
	h := c.do("GET", "/v1/hotels/lisbon-riverside", nil).JSON(t)["hotel"].(map[string]any)
	wantBands := []any{
		map[string]any{"code": "infant", "name": "Infants", "min_age": 0.0, "max_age": 2.0},
		map[string]any{"code": "child", "name": "Children", "min_age": 3.0, "max_age": 12.0},
	}
	if !reflect.DeepEqual(h["child_age_bands"], wantBands) {
		t.Fatalf("child_age_bands %v", h["child_age_bands"])
	}
	for _, p := range h["rate_plans"].([]any) {
		p := p.(map[string]any)
		if p["code"] == "FAM-FLEX" && (p["base_occupancy"] != 2.0 || p["extra_adult_cents"] != 3000.0 ||
			!reflect.DeepEqual(p["extra_child_cents"], map[string]any{"child": 1500.0}) || p["single_occupancy_discount_cents"] != 0.0) {
			t.Fatalf("FAM-FLEX %v", p)
		}
	}

	// 2 adults, children aged 1 and 8, 2 nights: (20400 + 0 + 1500) × 2
	// = 43800. STD takes one child, so is not offered; DLX (no occupancy
	// pricing) is its rate: 16500 × 85 % = 14025, × 2 = 28050.
	const q = "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2"
	offers := offersBy(t, c, q+"&children_ages=1,8")
	if o := offers["FAM-FLEX"]; o == nil || o["total_cents"] != 43800.0 {
		t.Fatalf("FAM-FLEX %v, want 43800", o)
	}
	if n := offers["FAM-FLEX"]["nightly"].([]any); n[0].(map[string]any)["amount_cents"] != 21900.0 {
		t.Fatalf("FAM-FLEX nightly %v, want 21900 a night", n)
	}
	if o := offers["DLX-FLEX"]; o == nil || o["total_cents"] != 28050.0 {
		t.Fatalf("DLX-FLEX %v, want 28050", o)
	}
	if offers["STD-FLEX"] != nil {
		t.Fatal("STD (one child at most) offered to two children")
	}
	// Two children aged 8 and 9: 20400 + 2 × 1500 = 23400 a night, 46800.
	if o := offersBy(t, c, q+"&children=2&children_ages=8,9")["FAM-FLEX"]; o["total_cents"] != 46800.0 {
		t.Fatalf("children 8 and 9: %v, want 46800", o["total_cents"])
	}

	// Booked with children_ages (children omitted: the ages' count).
	ref, token := c.book(bookingBody(set("room_type", "FAM"), set("rate_plan", "FAM-FLEX"),
		set("children_ages", []int{1, 8}), func(m map[string]any) { delete(m, "children") }))
	res := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...).JSON(t)["reservation"].(map[string]any)
	if res["total_cents"] != 43800.0 || res["children"] != 2.0 || !reflect.DeepEqual(res["children_ages"], []any{1.0, 8.0}) {
		t.Fatalf("reservation total %v, children %v aged %v; want 43800, 2, [1 8]", res["total_cents"], res["children"], res["children_ages"])
	}
	// The guest's quote and modification take children_ages: children
	// 8 and 9 are (20400 + 2 × 1500) × 2 = 46800, 3000 more. The desk's
	// takes them too: a 13-year-old and an infant are a third adult,
	// (20400 + 3000) × 2 = 46800 again.
	quote := c.do("POST", "/v1/reservations/"+ref+"/modification-quote", map[string]any{"children_ages": []int{8, 9}}, bearer(token)...)
	if m := quote.JSON(t); quote.Status != http.StatusOK || m["total_cents"] != 46800.0 || m["difference_cents"] != 3000.0 ||
		!reflect.DeepEqual(m["children_ages"], []any{8.0, 9.0}) {
		t.Fatalf("quote %d %s", quote.Status, quote.Body)
	}
	mod := c.do("POST", "/v1/reservations/"+ref+"/modify", map[string]any{"children_ages": []int{8, 9}}, with(bearer(token), "Idempotency-Key", newKey())...)
	if m := mod.JSON(t)["reservation"].(map[string]any); mod.Status != http.StatusOK || m["total_cents"] != 46800.0 {
		t.Fatalf("modify %d %s", mod.Status, mod.Body)
	}
	desk := c.do("POST", "/v1/admin/reservations/"+ref+"/modify", map[string]any{"children_ages": []int{13, 1}, "reason": "ages at the desk"},
		with(admin(), "Idempotency-Key", newKey())...)
	if m := desk.JSON(t)["reservation"].(map[string]any); desk.Status != http.StatusOK || m["total_cents"] != 46800.0 ||
		!reflect.DeepEqual(m["children_ages"], []any{13.0, 1.0}) {
		t.Fatalf("desk modify %d %s", desk.Status, desk.Body)
	}

	// A booking without ages shows an empty list.
	ref, token = c.book(bookingBody())
	if res := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...).JSON(t)["reservation"].(map[string]any); !reflect.DeepEqual(res["children_ages"], []any{}) {
		t.Fatalf("children_ages without ages: %v", res["children_ages"])
	}
}

func TestChildrenAgesRefusedWithTheirField(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	const q = "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2"
	for _, bad := range []string{"&children_ages=18", "&children_ages=7,x", "&children=1&children_ages=7,9"} {
		c.do("GET", q+bad, nil).FieldError(t, http.StatusUnprocessableEntity, "children_ages")
	}
	family := func(edits ...func(map[string]any)) map[string]any {
		return bookingBody(append([]func(map[string]any){set("room_type", "FAM"), set("rate_plan", "FAM-FLEX")}, edits...)...)
	}
	for _, body := range []map[string]any{
		family(set("children", 1), set("children_ages", []int{4, 6})),
		family(set("children", 1), set("children_ages", []int{18})),
	} {
		c.do("POST", "/v1/reservations", body, "Idempotency-Key", newKey()).FieldError(t, http.StatusUnprocessableEntity, "children_ages")
	}
	// Too many children for the room type (STD takes one).
	c.do("POST", "/v1/reservations", bookingBody(set("children", 2), set("children_ages", []int{4, 6})), "Idempotency-Key", newKey()).
		FieldError(t, http.StatusUnprocessableEntity, "children")

	// New York's hotel sells to children from 3 only: a baby of 1 is in
	// no band (422), and from 13 a guest is an adult, so two adults and a
	// 13-year-old do not fit a room for two.
	bands := map[string]any{"child_age_bands": []map[string]any{{"code": "child", "name": "Children", "min_age": 3, "max_age": 12}}}
	r := c.do("PUT", "/v1/admin/hotels/nyc-midtown/age-bands", bands, admin()...)
	if r.Status != http.StatusOK {
		t.Fatalf("set bands: %d %s", r.Status, r.Body)
	}
	const ny = "/v1/hotels/nyc-midtown/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2"
	c.do("GET", ny+"&children_ages=1", nil).FieldError(t, http.StatusUnprocessableEntity, "children_ages")
	if o := offersBy(t, c, ny+"&children_ages=13"); o["KING-FLEX"] != nil || o["SUITE-FLEX"] == nil {
		t.Fatalf("2 adults and a 13-year-old: offers %v, want the suite (4 adults) and not the king (2)", o)
	}
	ref := bookingBody(set("hotel", "nyc-midtown"), set("room_type", "KING"), set("rate_plan", "KING-FLEX"), set("children_ages", []int{13}))
	delete(ref, "children")
	c.do("POST", "/v1/reservations", ref, "Idempotency-Key", newKey()).FieldError(t, http.StatusUnprocessableEntity, "adults")

	// Bands with a gap are refused, naming the band; a staff key may not
	// set bands at all.
	gap := map[string]any{"child_age_bands": []map[string]any{
		{"code": "infant", "name": "Infants", "min_age": 0, "max_age": 1},
		{"code": "child", "name": "Children", "min_age": 3, "max_age": 12}}}
	c.do("PUT", "/v1/admin/hotels/nyc-midtown/age-bands", gap, admin()...).FieldError(t, http.StatusUnprocessableEntity, "child_age_bands[1].min_age")
	staff, _ := staffKey(t, c, "staff")
	if r := c.do("PUT", "/v1/admin/hotels/nyc-midtown/age-bands", bands, bearer(staff)...); r.Status != http.StatusForbidden {
		t.Fatalf("staff set bands: %d", r.Status)
	}
	h := c.do("GET", "/v1/hotels/nyc-midtown", nil).JSON(t)["hotel"].(map[string]any)
	if got := h["child_age_bands"].([]any); len(got) != 1 || got[0].(map[string]any)["min_age"] != 3.0 {
		t.Fatalf("bands after refused edits %v", got)
	}
}

// A rate plan created and edited with occupancy pricing shows it, and
// prices by it: one adult in QUEEN-FLEX (21900, 85 % in January =
// 18615) with a 2000 single discount pays 16615 a night for the room.
// New York's taxes come on top: sales tax 8.875 % of 16615 = 1474.58 →
// 1475, occupancy tax 5.875 % = 976.13 → 976, fees 200 + 150: 19416.
func TestRatePlanOccupancyFields(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	r := c.do("PATCH", "/v1/admin/hotels/nyc-midtown/rate-plans/QUEEN-FLEX",
		map[string]any{"single_occupancy_discount_cents": 2000}, admin()...)
	if r.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	if p := r.JSON(t)["rate_plan"].(map[string]any); p["single_occupancy_discount_cents"] != 2000.0 || p["base_occupancy"] != 0.0 {
		t.Fatalf("patched plan %v", p)
	}
	o := offersBy(t, c, "/v1/hotels/nyc-midtown/availability?check_in=2027-01-10&check_out=2027-01-11&adults=1")
	if room := o["QUEEN-FLEX"]["price"].(map[string]any)["room_cents"]; room != 16615.0 || o["QUEEN-FLEX"]["total_cents"] != 19416.0 {
		t.Fatalf("single QUEEN-FLEX rooms %v total %v, want 18615 − 2000 = 16615 and 19416 with the taxes", room, o["QUEEN-FLEX"]["total_cents"])
	}
	c.do("PATCH", "/v1/admin/hotels/nyc-midtown/rate-plans/QUEEN-FLEX",
		map[string]any{"extra_adult_cents": 500}, admin()...).FieldError(t, http.StatusUnprocessableEntity, "extra_adult_cents")

	r = c.do("POST", "/v1/admin/hotels/nyc-midtown/rate-plans", map[string]any{
		"room_type": "SUITE", "code": "SUITE-FAM", "name": "Family", "refundable": true, "free_cancellation_hours": 24,
		"base_occupancy": 2, "extra_adult_cents": 4000, "extra_child_cents": map[string]int{"child": 2500}}, admin()...)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if p := r.JSON(t)["rate_plan"].(map[string]any); p["base_occupancy"] != 2.0 || p["extra_adult_cents"] != 4000.0 ||
		!reflect.DeepEqual(p["extra_child_cents"], map[string]any{"child": 2500.0}) {
		t.Fatalf("created plan %v", p)
	}
	c.do("POST", "/v1/admin/hotels/nyc-midtown/rate-plans", map[string]any{
		"room_type": "SUITE", "code": "SUITE-BAD", "name": "Bad", "refundable": true,
		"extra_child_cents": map[string]int{"child": -1}}, admin()...).FieldError(t, http.StatusUnprocessableEntity, "extra_child_cents")
}
