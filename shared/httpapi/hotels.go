package httpapi

import (
	"net/http"
)

func (s *Server) listHotels(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		s.fail(w, r, err)
		return
	}
	hotels, err := s.svc.Hotels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Hotels []hotelView `json:"hotels"`
	}{Hotels: []hotelView{}}
	for _, h := range hotels {
		// An archived hotel is no longer sold, so not listed.
		if h.ArchivedAt != nil {
			continue
		}
		out.Hotels = append(out.Hotels, viewHotel(h))
	}
	publicCache(w, 60)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getHotel(w http.ResponseWriter, r *http.Request) {
	h, err := s.svc.OfferedHotel(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	publicCache(w, 60)
	writeJSON(w, http.StatusOK, struct {
		Hotel hotelDetailView `json:"hotel"`
	}{viewHotelDetail(h)})
}

func (s *Server) availability(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "check_in", "check_out", "adults", "children", "children_ages", "rooms", "explain")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	stay := q.stay()
	explain := q.explain()
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	h, offers, unavailable, err := s.svc.Explain(r.Context(), r.PathValue("slug"), stay)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := availabilityView{
		Hotel: h.Slug, stayView: viewStay(stay), Offers: []offerView{},
	}
	for _, o := range offers {
		out.Offers = append(out.Offers, viewOffer(o, s.svc.Now()))
	}
	// Only when asked: the reasons are for staff and curious clients,
	// and the plain answer stays as it was.
	if explain {
		out.Unavailable = []unavailableView{}
		for _, u := range unavailable {
			out.Unavailable = append(out.Unavailable, unavailableView{
				RoomType: u.RoomType.Code, RatePlan: u.RatePlan.Code, Reasons: viewViolations(u.Violations)})
		}
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, out)
}
