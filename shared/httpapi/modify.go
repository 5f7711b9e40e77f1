package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"innkeeper/shared/booking"
)

// modifyRequest is the body of a modification and of its quote: every
// field optional, an omitted one keeps what the reservation has.
type modifyRequest struct {
	CheckIn  string `json:"check_in,omitempty"`
	CheckOut string `json:"check_out,omitempty"`
	Adults   *int   `json:"adults,omitempty"`
	Children *int   `json:"children,omitempty"`
	Rooms    *int   `json:"rooms,omitempty"`
	// ChildrenAges replaces the children's ages; without children, the
	// children are as many as the ages.
	ChildrenAges []int  `json:"children_ages,omitempty"`
	RoomType     string `json:"room_type,omitempty"`
	RatePlan     string `json:"rate_plan,omitempty"`
}

// deskModifyRequest is the front desk's modification: the guest's body
// and a reason for the audit trail.
type deskModifyRequest struct {
	modifyRequest
	Reason string `json:"reason,omitempty"`
}

// readChange reads a modification's body into req and the domain's
// Change: the guest's, its quote's and the desk's alike.
func readChange(w http.ResponseWriter, r *http.Request, req interface {
	change() (booking.Change, error)
}) (booking.Change, error) {
	if _, err := readJSON(w, r, req); err != nil {
		return booking.Change{}, err
	}
	return req.change()
}

// change reads the request into the domain's Change; a date given but
// not a real one is a field error.
func (m modifyRequest) change() (booking.Change, error) {
	v := &booking.ValidationError{}
	c := booking.Change{Adults: m.Adults, Children: m.Children, Rooms: m.Rooms, RoomType: m.RoomType, RatePlan: m.RatePlan,
		ChildrenAges: m.ChildrenAges}
	if m.CheckIn != "" {
		c.CheckIn = dateField(v, "check_in", m.CheckIn)
	}
	if m.CheckOut != "" {
		c.CheckOut = dateField(v, "check_out", m.CheckOut)
	}
	return c, v.Err()
}

// modificationQuoteView is what a modification would cost: the new stay
// and its price beside the current total, and the terms it would carry.
type modificationQuoteView struct {
	Reference             string       `json:"reference"`
	Status                string       `json:"status"`
	Available             bool         `json:"available"`
	RoomType              string       `json:"room_type"`
	RatePlan              string       `json:"rate_plan"`
	CheckIn               booking.Date `json:"check_in"`
	CheckOut              booking.Date `json:"check_out"`
	Nights                int          `json:"nights"`
	Rooms                 int          `json:"rooms"`
	Adults                int          `json:"adults"`
	Children              int          `json:"children"`
	ChildrenAges          []int        `json:"children_ages"`
	Nightly               []nightView  `json:"nightly"`
	TotalCents            int64        `json:"total_cents"`
	CurrentTotalCents     int64        `json:"current_total_cents"`
	DifferenceCents       int64        `json:"difference_cents"`
	Currency              string       `json:"currency"`
	Refundable            bool         `json:"refundable"`
	FreeCancellationUntil *time.Time   `json:"free_cancellation_until"`
	PenaltyPercent        int          `json:"penalty_percent"`
	// Price is the new total_cents line by line, CurrentPrice the
	// booking's as it stands.
	Price        booking.Price `json:"price"`
	CurrentPrice booking.Price `json:"current_price"`
	// Payment is what the modified booking would cost now and later
	// under its plan's payment policy.
	Payment  paymentView `json:"payment"`
	QuotedAt time.Time   `json:"quoted_at"`
}

func (s *Server) modificationQuote(w http.ResponseWriter, r *http.Request) {
	var req modifyRequest
	c, err := readChange(w, r, &req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.svc.ModificationQuote(r.Context(), r.PathValue("reference"), guestToken(r), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n := viewReservation(m.New)
	q := modificationQuoteView{
		Reference: n.Reference, Status: n.Status, Available: m.Available,
		RoomType: n.RoomType, RatePlan: n.RatePlan, CheckIn: n.CheckIn, CheckOut: n.CheckOut, Nights: n.Nights,
		Rooms: n.Rooms, Adults: n.Adults, Children: n.Children, ChildrenAges: n.ChildrenAges, Nightly: []nightView{},
		TotalCents: n.TotalCents, CurrentTotalCents: m.Current.TotalCents, DifferenceCents: m.DifferenceCents(),
		Currency: n.Currency, Refundable: n.Refundable, FreeCancellationUntil: n.FreeCancellationUntil,
		PenaltyPercent: m.New.PenaltyPercent, QuotedAt: s.svc.Now().UTC(),
		Price: n.Price, CurrentPrice: viewPrice(m.Current.Price), Payment: n.Payment,
	}
	for _, p := range m.Nightly {
		q.Nightly = append(q.Nightly, nightView{p.Date, p.AmountCents})
	}
	writeJSON(w, http.StatusOK, q)
}

// modifyReservation applies the guest's modification, once per
// Idempotency-Key: a retry replays the first answer.
func (s *Server) modifyReservation(w http.ResponseWriter, r *http.Request) {
	var req modifyRequest
	c, err := readChange(w, r, &req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token := guestToken(r)
	ref := r.PathValue("reference")
	if token == "" || !booking.ValidReference(ref) {
		s.fail(w, r, booking.ErrNotFound)
		return
	}
	canonical, _ := json.Marshal(req)
	s.idempotent(w, r, canonical, renderReservation(http.StatusOK), func(rc *booking.Receipt) error {
		_, err := s.svc.Modify(r.Context(), ref, token, c, rc)
		return err
	})
}

// deskModify applies the front desk's modification in the acting key's
// name. The Idempotency-Key is optional here: with one, a retry replays
// the first answer; without, each request is a command of its own.
func (s *Server) deskModify(w http.ResponseWriter, r *http.Request) {
	var req deskModifyRequest
	c, err := readChange(w, r, &req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := booking.DeskModification{Change: c, Reason: req.Reason, By: actor(r)}
	ref := r.PathValue("reference")
	render := renderReservation(http.StatusOK)
	if len(r.Header.Values(idempotencyHeader)) == 0 {
		res, err := s.svc.DeskModify(r.Context(), ref, d, nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		resp, err := render(booking.Outcome{Reservation: res})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeStored(w, resp, false)
		return
	}
	canonical, _ := json.Marshal(req)
	s.idempotent(w, r, canonical, render, func(rc *booking.Receipt) error {
		_, err := s.svc.DeskModify(r.Context(), ref, d, rc)
		return err
	})
}
