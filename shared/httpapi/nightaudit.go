package httpapi

import (
	"net/http"
	"time"

	"innkeeper/shared/booking"
)

// nightAuditView is one business day as the night audit closed it
// (booking.NightAuditReport); ran_at is in the hotel's offset.
type nightAuditView struct {
	BusinessDate    booking.Date `json:"business_date"`
	RanAt           time.Time    `json:"ran_at"`
	Currency        string       `json:"currency"`
	Arrivals        booking.Refs `json:"arrivals"`
	Departures      booking.Refs `json:"departures"`
	InHouse         booking.Refs `json:"in_house"`
	NoShows         booking.Refs `json:"no_shows"`
	NoShowFeesCents int64        `json:"no_show_fees_cents"`
}

// nightAudits is GET /v1/admin/hotels/{slug}/night-audits?from=&to=:
// the reports of the business dates [from, to], newest first. Without
// from and to, the 30 days ending yesterday (hotel time); a span is at
// most booking.MaxNightAuditSpan days, so a page is bounded by its dates.
// Archived hotels are audited and shown too.
func (s *Server) nightAudits(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "from", "to")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	nq := booking.NightAuditQuery{Hotel: r.PathValue("slug"), From: q.date("from", false), To: q.date("to", false)}
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.nightAuditReader == nil {
		writeProblem(w, problem(http.StatusNotImplemented, "no-night-audit", "No night audit", "This API has no night audit reports configured."))
		return
	}
	h, err := s.svc.Hotel(r.Context(), nq.Hotel)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if nq, err = booking.CheckNightAuditQuery(nq, h.Today(s.svc.Now())); err != nil {
		s.fail(w, r, err)
		return
	}
	reps, err := s.nightAuditReader.NightAudits(r.Context(), nq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Hotel       string           `json:"hotel"`
		From        booking.Date     `json:"from"`
		To          booking.Date     `json:"to"`
		NightAudits []nightAuditView `json:"night_audits"`
	}{Hotel: h.Slug, From: nq.From, To: nq.To, NightAudits: []nightAuditView{}}
	loc := h.Location()
	for _, rep := range reps {
		out.NightAudits = append(out.NightAudits, nightAuditView{
			BusinessDate: rep.BusinessDate, RanAt: rep.RanAt.In(loc), Currency: rep.Currency,
			Arrivals: rep.Arrivals, Departures: rep.Departures, InHouse: rep.InHouse, NoShows: rep.NoShows,
			NoShowFeesCents: rep.NoShowFeesCents,
		})
	}
	writeJSON(w, http.StatusOK, out)
}
