package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"innkeeper/shared/booking"
)

// restrictionsRequest is PUT /v1/admin/hotels/{slug}/restrictions. Each
// restriction is raw JSON so that an omitted field (left as stored) and
// null (cleared) differ.
type restrictionsRequest struct {
	RatePlan          string          `json:"rate_plan"`
	From              string          `json:"from"`
	To                string          `json:"to"`
	MinStayArrival    json.RawMessage `json:"min_stay_arrival,omitempty"`
	MaxStayArrival    json.RawMessage `json:"max_stay_arrival,omitempty"`
	MinStayThrough    json.RawMessage `json:"min_stay_through,omitempty"`
	MaxStayThrough    json.RawMessage `json:"max_stay_through,omitempty"`
	ClosedToArrival   json.RawMessage `json:"closed_to_arrival,omitempty"`
	ClosedToDeparture json.RawMessage `json:"closed_to_departure,omitempty"`
	StopSell          json.RawMessage `json:"stop_sell,omitempty"`
}

var jsonNull = []byte("null")

// lengthField reads a length restriction: omitted, null, or a whole
// number (its range is the domain's to check).
func lengthField(v *booking.ValidationError, name string, raw json.RawMessage) booking.RestrictionValue {
	if len(raw) == 0 {
		return booking.RestrictionValue{}
	}
	if bytes.Equal(raw, jsonNull) {
		return booking.RestrictionValue{Set: true}
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		v.Add(name, "must be a whole number of nights, or null to clear")
		return booking.RestrictionValue{}
	}
	return booking.RestrictionValue{Set: true, Value: &n}
}

// flagField reads a closure or stop-sell: omitted, true, or false (null
// clears it to false).
func flagField(v *booking.ValidationError, name string, raw json.RawMessage) booking.RestrictionFlag {
	if len(raw) == 0 {
		return booking.RestrictionFlag{}
	}
	if bytes.Equal(raw, jsonNull) {
		return booking.RestrictionFlag{Set: true}
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		v.Add(name, "must be true, false or null")
		return booking.RestrictionFlag{}
	}
	return booking.RestrictionFlag{Set: true, Value: b}
}

func (s *Server) setRestrictions(w http.ResponseWriter, r *http.Request) {
	var req restrictionsRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	rng := dateRange(v, req.From, req.To)
	p := booking.RestrictionPatch{
		MinStayArrival:    lengthField(v, booking.MinStayArrival, req.MinStayArrival),
		MaxStayArrival:    lengthField(v, booking.MaxStayArrival, req.MaxStayArrival),
		MinStayThrough:    lengthField(v, booking.MinStayThrough, req.MinStayThrough),
		MaxStayThrough:    lengthField(v, booking.MaxStayThrough, req.MaxStayThrough),
		ClosedToArrival:   flagField(v, booking.ClosedToArrival, req.ClosedToArrival),
		ClosedToDeparture: flagField(v, booking.ClosedToDeparture, req.ClosedToDeparture),
		StopSell:          flagField(v, booking.StopSell, req.StopSell),
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.SetRestrictions(r.Context(), r.PathValue("slug"), req.RatePlan, rng, p, actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Restrictions restrictionsRequest `json:"restrictions"`
		Nights       int                 `json:"nights"`
	}{req, rng.From.DaysUntil(rng.To)})
}

// restrictions is GET /v1/admin/hotels/{slug}/restrictions?rate_plan=&from=&to=:
// a rate plan's restrictions over [from, to) as runs of dates alike, the
// ranges PUT takes; dates that restrict nothing are not listed.
func (s *Server) restrictions(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "rate_plan", "from", "to")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plan := q.str("rate_plan")
	rng := booking.DateRange{From: q.date("from", true), To: q.date("to", true)}
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	runs, err := s.svc.Restrictions(r.Context(), r.PathValue("slug"), plan, rng)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Hotel        string                   `json:"hotel"`
		RatePlan     string                   `json:"rate_plan"`
		From         booking.Date             `json:"from"`
		To           booking.Date             `json:"to"`
		Restrictions []booking.RestrictionRun `json:"restrictions"`
	}{r.PathValue("slug"), plan, rng.From, rng.To, runs})
}

// violationView is one restriction a stay breaks; limit is the length
// limit, absent for closures and stop-sell.
type violationView struct {
	Restriction string       `json:"restriction"`
	Date        booking.Date `json:"date"`
	Limit       int          `json:"limit,omitempty"`
}

func viewViolations(vs []booking.Violation) []violationView {
	out := make([]violationView, len(vs))
	for i, v := range vs {
		out[i] = violationView{Restriction: v.Restriction, Date: v.Date, Limit: v.Limit}
	}
	return out
}

// unavailableView is a rate plan a search left out, and why.
type unavailableView struct {
	RoomType string          `json:"room_type"`
	RatePlan string          `json:"rate_plan"`
	Reasons  []violationView `json:"reasons"`
}

// restrictedProblem is the 409 of a booking or modification the rate
// plan's restrictions forbid: the detail names the first, violations
// lists them all.
func restrictedProblem(e *booking.RestrictedError) *Problem {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	p := problem(http.StatusConflict, "restricted", "Restricted stay",
		fmt.Sprintf("The rate plan's restrictions do not allow this stay (%s); nothing was changed.", strings.Join(parts, "; ")))
	p.Violations = viewViolations(e.Violations)
	return p
}

// explain reads explain: absent, 0/false, or 1/true.
func (q *query) explain() bool {
	switch q.str("explain") {
	case "", "0", "false":
		return false
	case "1", "true":
		return true
	}
	q.v.Add("explain", "must be 1 or 0")
	return false
}
