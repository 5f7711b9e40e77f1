package httpapi

import (
	"net/http"

	"innkeeper/shared/booking"
)

// ageBandsRequest is PUT /v1/admin/hotels/{slug}/age-bands: the hotel's
// whole list of child age bands, youngest first; [] clears it.
type ageBandsRequest struct {
	ChildAgeBands *[]ageBandView `json:"child_age_bands"`
}

// setAgeBands replaces the hotel's child age bands (admin): children are
// priced by them from the next search or booking on, and a guest older
// than the oldest band counts as an adult.
func (s *Server) setAgeBands(w http.ResponseWriter, r *http.Request) {
	var req ageBandsRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.ChildAgeBands == nil {
		s.fail(w, r, booking.Invalid("child_age_bands", "is required: the list of bands, youngest first ([] for none)"))
		return
	}
	bands := booking.AgeBands{}
	for _, b := range *req.ChildAgeBands {
		bands = append(bands, booking.AgeBand(b))
	}
	set, err := s.svc.SetAgeBands(r.Context(), r.PathValue("slug"), bands, actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Hotel         string        `json:"hotel"`
		ChildAgeBands []ageBandView `json:"child_age_bands"`
	}{r.PathValue("slug"), viewAgeBands(set)})
}
