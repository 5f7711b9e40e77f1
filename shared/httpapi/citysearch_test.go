package httpapi_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
)

const cityQuery = "/v1/availability?check_in=2027-01-10&check_out=2027-01-13&adults=2"

// cheapest is the lowest total of a hotel's own availability answer.
func cheapest(t *testing.T, c *client, slug, query string) map[string]any {
	t.Helper()
	r := c.do("GET", "/v1/hotels/"+slug+"/availability?"+query, nil)
	if r.Status != 200 {
		t.Fatalf("%s availability: %d %s", slug, r.Status, r.Body)
	}
	var best map[string]any
	for _, o := range r.JSON(t)["offers"].([]any) {
		o := o.(map[string]any)
		if best == nil || o["total_cents"].(float64) < best["total_cents"].(float64) {
			best = o
		}
	}
	return best
}

// The city search's best offer is the hotel search's cheapest offer (one
// pricing rule), found whatever the city's case; inventory set and a
// booking through the API show in the next search, though it is cached.
func TestCitySearchOffersEachHotelsCheapest(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	stay := "check_in=2027-01-10&check_out=2027-01-13&adults=2"
	search := func() []any {
		t.Helper()
		r := c.do("GET", cityQuery+"&city=LISBON", nil)
		if r.Status != 200 || r.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("city search: %d %v %s", r.Status, r.Header, r.Body)
		}
		m := r.JSON(t)
		if m["city"] != "LISBON" || m["sort"] != "price" || m["nights"] != 3.0 || m["next_cursor"] != nil {
			t.Fatalf("city search: %s", r.Body)
		}
		return m["hotels"].([]any)
	}
	check := func(when string) map[string]any {
		t.Helper()
		hotels := search()
		if len(hotels) != 1 {
			t.Fatalf("%s: %d hotels in Lisbon, want 1", when, len(hotels))
		}
		h := hotels[0].(map[string]any)
		hotel, best := h["hotel"].(map[string]any), h["best_offer"].(map[string]any)
		want := cheapest(t, c, "lisbon-riverside", stay)
		if hotel["slug"] != "lisbon-riverside" || hotel["currency"] != "EUR" || hotel["city"] != "Lisbon" ||
			best["rate_plan"] != want["rate_plan"] || best["total_cents"] != want["total_cents"] ||
			best["available"] != want["available"] || best["refundable"] != want["refundable"] {
			t.Fatalf("%s: best offer %v, the hotel's cheapest %v", when, best, want)
		}
		return best
	}
	if best := check("first"); best["rate_plan"] != "STD-NR" || best["available"] != 12.0 {
		t.Fatalf("demo Lisbon's cheapest is STD-NR with 12 free, got %v", best)
	}
	// A booking of the cheapest room leaves one fewer.
	c.book(bookingBody(set("room_type", "STD"), set("rate_plan", "STD-NR"),
		set("check_in", "2027-01-10"), set("check_out", "2027-01-13"), set("adults", 2)))
	if best := check("after a booking"); best["available"] != 11.0 {
		t.Fatalf("after a booking, %v free, want 11", best["available"])
	}
	// The standard rooms closed: the next cheapest (deluxe) is offered.
	if r := c.do("PUT", "/v1/admin/hotels/lisbon-riverside/inventory",
		map[string]any{"room_type": "STD", "from": "2027-01-01", "to": "2027-02-01", "units": 1}, admin()...); r.Status != 200 {
		t.Fatalf("set inventory: %d %s", r.Status, r.Body)
	}
	if best := check("after closing STD"); best["rate_plan"] != "DLX-NR" {
		t.Fatalf("after closing STD, best %v, want DLX-NR", best["rate_plan"])
	}
	// New York is another city; nowhere is none.
	r := c.do("GET", cityQuery+"&city=new%20york&sort=name&limit=1", nil)
	if hotels := r.JSON(t)["hotels"].([]any); len(hotels) != 1 || hotels[0].(map[string]any)["hotel"].(map[string]any)["slug"] != "nyc-midtown" {
		t.Fatalf("New York: %s", r.Body)
	}
	if hotels := c.do("GET", cityQuery+"&city=Atlantis", nil).JSON(t)["hotels"].([]any); len(hotels) != 0 {
		t.Fatalf("Atlantis has hotels: %v", hotels)
	}
	// Children's ages count as children: two children fit no double.
	r = c.do("GET", cityQuery+"&city=Lisbon&children_ages=4,9", nil)
	m := r.JSON(t)
	if best := m["hotels"].([]any)[0].(map[string]any)["best_offer"].(map[string]any); m["children"] != 2.0 || best["room_type"] == "STD" {
		t.Fatalf("two children: %s", r.Body)
	}
}

func TestCitySearchRejectsBadQueries(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	tests := []struct {
		name, query, field string
	}{
		{"no city", "", "city"},
		{"blank city", "&city=%20%20", "city"},
		{"city too long", "&city=" + strings.Repeat("a", 101), "city"},
		{"city with a quote", "&city=Lisbon%27", "city"},
		{"city as a path", "&city=..%2F..%2Fetc%2Fpasswd", "city"},
		{"unknown sort", "&city=Lisbon&sort=stars", "sort"},
		{"limit 0", "&city=Lisbon&limit=0", "limit"},
		{"limit 51", "&city=Lisbon&limit=51", "limit"},
		{"limit not a number", "&city=Lisbon&limit=many", "limit"},
		{"a forged cursor", "&city=Lisbon&cursor=bm90LWEtY3Vyc29y", "cursor"},
		{"unknown parameter", "&city=Lisbon&town=Porto", "town"},
		{"repeated city", "&city=Lisbon&city=Porto", "city"},
		{"an age of 18", "&city=Lisbon&children_ages=7,18", "children_ages"},
		{"an age not a number", "&city=Lisbon&children_ages=seven", "children_ages"},
		{"a negative age", "&city=Lisbon&children_ages=-1", "children_ages"},
		{"ages for fewer children", "&city=Lisbon&children=2&children_ages=7", "children_ages"},
		{"ages for more children", "&city=Lisbon&children=1&children_ages=7,9", "children_ages"},
		{"no adult", "&city=Lisbon&adults=0", "adults"},
		{"in the past", "&city=Lisbon&check_in=2026-11-20", "check_in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := cityQuery + tt.query
			if strings.Contains(tt.query, "check_in=") {
				q = strings.Replace(q, "check_in=2027-01-10&", "", 1)
			}
			c.do("GET", q, nil).FieldError(t, 422, tt.field)
		})
	}
	c.do("GET", "/v1/availability?city=Lisbon", nil).FieldError(t, 422, "check_in")

}

// Pages follow each other through the cursor, which only the order that
// made it takes.
func TestCitySearchPagesThroughTheCursor(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	ctx, svc := context.Background(), c.api.Service
	by := booking.BySystem(booking.ActorSeed)
	rng := booking.DateRange{From: booking.MustDate("2027-01-01"), To: booking.MustDate("2027-02-01")}
	_, err := svc.CreateHotel(ctx, booking.Hotel{Slug: "alfama", Name: "Alfama Inn", City: "Lisbon", Country: "PT",
		Timezone: "Europe/Lisbon", Currency: "EUR"}, by)
	if err == nil {
		_, err = svc.CreateRoomType(ctx, "alfama", booking.RoomType{Code: "DBL", Name: "Double", MaxAdults: 2}, by)
	}
	if err == nil {
		_, err = svc.CreateRatePlan(ctx, "alfama", booking.RatePlan{RoomTypeCode: "DBL", Code: "DBL-FLEX", Name: "Flexible", Refundable: true}, by)
	}
	if err == nil {
		err = svc.SetInventory(ctx, "alfama", "DBL", rng, 4, by)
	}
	if err == nil {
		err = svc.SetRates(ctx, "alfama", "DBL-FLEX", rng, 99999, by)
	}
	if err != nil {
		t.Fatal(err)
	}
	page := func(q string) ([]string, string) {
		t.Helper()
		r := c.do("GET", cityQuery+"&city=lisbon&limit=1"+q, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", q, r.Status, r.Body)
		}
		m := r.JSON(t)
		var slugs []string
		for _, h := range m["hotels"].([]any) {
			slugs = append(slugs, h.(map[string]any)["hotel"].(map[string]any)["slug"].(string))
		}
		next, _ := m["next_cursor"].(string)
		return slugs, next
	}
	for _, tt := range []struct{ sort, first, second string }{
		{"price", "lisbon-riverside", "alfama"}, // 999.99 a night is dearer
		{"name", "alfama", "lisbon-riverside"},  // "Alfama Inn" before "Riverside Lisbon"
	} {
		got, next := page("&sort=" + tt.sort)
		if len(got) != 1 || got[0] != tt.first || next == "" {
			t.Fatalf("by %s, first page %v (next %q)", tt.sort, got, next)
		}
		got, last := page("&sort=" + tt.sort + "&cursor=" + url.QueryEscape(next))
		if len(got) != 1 || got[0] != tt.second || last != "" {
			t.Fatalf("by %s, second page %v (next %q)", tt.sort, got, last)
		}
		other := map[string]string{"price": "name", "name": "price"}[tt.sort]
		c.do("GET", cityQuery+"&city=lisbon&sort="+other+"&cursor="+url.QueryEscape(next), nil).FieldError(t, 422, "cursor")
	}
}
