package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"innkeeper/shared/booking"
)

// cityHotelView is one hotel of a city search with its best offer.
type cityHotelView struct {
	Hotel     hotelView `json:"hotel"`
	BestOffer offerView `json:"best_offer"`
}

// citySearchView is the answer of GET /v1/availability. Hotels are in
// the order asked: by name, or by price, where hotels of different
// currencies are grouped by currency code ("EUR" before "USD") and
// ordered by total within each, since their prices do not compare.
type citySearchView struct {
	City string `json:"city"`
	stayView
	Sort   string          `json:"sort"`
	Hotels []cityHotelView `json:"hotels"`
	// NextCursor continues the search (same parameters, cursor added);
	// null on the last page.
	NextCursor *string `json:"next_cursor"`
}

// cityCursor is the wire form of booking.CityCursor, opaque to clients
// (base64 of this JSON), like the reservations list's cursor.
type cityCursor struct {
	Sort       string `json:"s"`
	Currency   string `json:"c,omitempty"`
	TotalCents int64  `json:"t,omitempty"`
	Name       string `json:"n,omitempty"`
	Slug       string `json:"h"`
}

func encodeCityCursor(c *booking.CityCursor) *string {
	if c == nil {
		return nil
	}
	b, _ := json.Marshal(cityCursor(*c))
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}

func decodeCityCursor(s string) (*booking.CityCursor, bool) {
	if s == "" {
		return nil, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 {
		return nil, false
	}
	var c cityCursor
	if err := json.Unmarshal(b, &c); err != nil || !booking.ValidSlug(c.Slug) ||
		(c.Sort != booking.SortPrice && c.Sort != booking.SortName) {
		return nil, false
	}
	cc := booking.CityCursor(c)
	return &cc, true
}

// childrenAges reads children_ages ("7,9"): each a whole number of years
// from 0 to 17, in the order given; "" is no children. The hotel's age
// bands then price them and may refuse an age (booking.Stay.Party).
func (q *query) childrenAges() ([]int, bool) {
	s, given := q.vals.Get("children_ages"), q.vals.Has("children_ages")
	if !given {
		return nil, false
	}
	if s == "" {
		return []int{}, true // no children
	}
	parts := strings.Split(s, ",")
	if len(parts) > booking.MaxGuests {
		q.v.Add("children_ages", fmt.Sprintf("lists at most %d ages", booking.MaxGuests))
		return nil, true
	}
	ages := make([]int, 0, len(parts))
	for _, p := range parts {
		age, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || age < 0 || age > booking.MaxChildAge || len(p) > 3 {
			q.v.Add("children_ages", fmt.Sprintf("must be a comma-separated list of ages from 0 to %d", booking.MaxChildAge))
			return nil, true
		}
		ages = append(ages, age)
	}
	return ages, true
}

// searchCity answers GET /v1/availability: the hotels of a city with
// their best offer for a stay, paged.
func (s *Server) searchCity(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "city", "check_in", "check_out", "adults", "children", "children_ages", "rooms", "sort", "limit", "cursor")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	stay := q.stay()
	search := booking.CitySearch{City: q.str("city"), Stay: stay, Sort: q.str("sort"), Limit: q.integer("limit", 0)}
	if q.vals.Has("limit") && search.Limit == 0 {
		search.Limit = -1 // an explicit 0 is out of range, not the default
	}
	cursor, ok := decodeCityCursor(q.str("cursor"))
	if !ok {
		q.v.Add("cursor", "is not a cursor this API returned")
	}
	search.After = cursor
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	page, next, err := s.svc.SearchCity(r.Context(), search)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sort := search.Sort
	if sort == "" {
		sort = booking.SortPrice
	}
	out := citySearchView{
		City: strings.TrimSpace(search.City), stayView: viewStay(stay), Sort: sort,
		Hotels: []cityHotelView{}, NextCursor: encodeCityCursor(next),
	}
	for _, o := range page {
		out.Hotels = append(out.Hotels, cityHotelView{viewHotel(o.Hotel), viewOffer(o.Offer, s.svc.Now())})
	}
	// Availability changes with every booking: no shared cache may keep
	// it (Redis keeps it, invalidated by the writes; see booking).
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, out)
}
