package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/meter"
	"innkeeper/shared/payments"
)

type guestRequest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type createReservationRequest struct {
	Hotel    string `json:"hotel"`
	RoomType string `json:"room_type"`
	RatePlan string `json:"rate_plan"`
	CheckIn  string `json:"check_in"`
	CheckOut string `json:"check_out"`
	Adults   *int   `json:"adults"`
	Children *int   `json:"children"`
	// ChildrenAges is each child's age on check-in; given, children may
	// be omitted (it is the ages' count) or must equal its length.
	ChildrenAges []int        `json:"children_ages,omitempty"`
	Rooms        roomsJSON    `json:"rooms"`
	Guest        guestRequest `json:"guest"`
	Hold         bool         `json:"hold"`
	// Payment is the card the plan's payment policy takes when booking
	// (required when the API takes payments, refused with a hold).
	Payment *paymentRequest `json:"payment,omitempty"`
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// renderReservation is the response of every reservation command; a new
// reservation also carries its access token and Location.
func renderReservation(status int) func(booking.Outcome) (booking.StoredResponse, error) {
	return func(o booking.Outcome) (booking.StoredResponse, error) {
		return stored(status, reservationEnvelope{viewReservation(o.Reservation), o.AccessToken},
			"/v1/reservations/"+o.Reservation.Reference)
	}
}

// stored is a command's answer as its receipt keeps it: v as JSON, and
// for a creation (201) the Location of what it created.
func stored(status int, v any, location string) (booking.StoredResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return booking.StoredResponse{}, err
	}
	resp := booking.StoredResponse{Status: status, Body: append(body, '\n')}
	if status == http.StatusCreated {
		resp.Header = map[string]string{"Location": location}
	}
	return resp, nil
}

func (s *Server) createReservation(w http.ResponseWriter, r *http.Request) {
	var req createReservationRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	lines, err := roomsList(req.Rooms)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if lines != nil {
		s.createBooking(w, r, req, lines)
		return
	}
	rooms, err := roomsNumber(req.Rooms)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	if req.Adults == nil {
		v.Add("adults", "is required")
	}
	br := booking.BookRequest{
		Hotel: req.Hotel, RoomType: req.RoomType, RatePlan: req.RatePlan,
		Stay: booking.Stay{
			CheckIn:      dateField(v, "check_in", req.CheckIn),
			CheckOut:     dateField(v, "check_out", req.CheckOut),
			Adults:       intOr(req.Adults, 1),
			Children:     intOr(req.Children, len(req.ChildrenAges)),
			ChildrenAges: req.ChildrenAges,
			Rooms:        intOr(rooms, 1),
		},
		Guest: booking.Guest{Name: req.Guest.Name, Email: req.Guest.Email, Phone: req.Guest.Phone},
		Hold:  req.Hold,
	}
	pm := s.paymentMethodOf(v, req.Payment, !req.Hold)
	br.AwaitPayment = pm != ""
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	canonical, _ := json.Marshal(req)
	s.idempotent(w, r, canonical, renderPaid(http.StatusCreated), func(rc *booking.Receipt) error {
		res, token, err := s.svc.Book(r.Context(), br, rc)
		if errors.Is(err, booking.ErrReceiptTaken) && pm != "" {
			// A retry of a booking whose payment never answered (a 503):
			// pay its hold now, under the same provider key, so once.
			if held, heldToken, ok := s.unpaidHold(r.Context(), rc); ok {
				return s.payHold(r.Context(), held, pm, "1", true, rc, heldToken)
			}
		}
		if err != nil {
			return err
		}
		meter.From(r.Context()).Reservation(res.Reference)
		meter.From(r.Context()).Count("BookingsCreated", 1)
		if pm == "" {
			return nil
		}
		// The hold and its receipt are committed; the payment decides
		// what it becomes, and its response replaces the hold's.
		return s.payHold(r.Context(), res, pm, "1", true, rc, token)
	})
}

// guestToken is the reservation's access token from the Authorization
// header, or "" (which the domain treats as not found).
func guestToken(r *http.Request) string {
	t, _ := auth.Bearer(r.Header.Get("Authorization"))
	return t
}

func (s *Server) getReservation(w http.ResponseWriter, r *http.Request) {
	res, err := s.svc.Reservation(r.Context(), r.PathValue("reference"), guestToken(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reservationEnvelope{Reservation: viewReservation(res)})
}

func (s *Server) cancellationQuote(w http.ResponseWriter, r *http.Request) {
	res, fee, err := s.svc.CancellationQuote(r.Context(), r.PathValue("reference"), guestToken(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := viewReservation(res)
	// The refund is what the ledger holds as paid minus the fee: a
	// guarantee booking paid nothing and gets nothing back.
	paid, err := s.svc.PaidCents(r.Context(), res.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	refund := res.RefundOnCancel(paid, s.svc.Now())
	v.Payment.RefundCents = &refund
	// The fee is a percent of total_cents, what was booked; what is paid
	// at the hotel was never charged, so it is neither fee nor refund.
	writeJSON(w, http.StatusOK, struct {
		Reference             string        `json:"reference"`
		Status                string        `json:"status"`
		Refundable            bool          `json:"refundable"`
		FreeCancellationUntil *time.Time    `json:"free_cancellation_until"`
		CancellationFeeCents  int64         `json:"cancellation_fee_cents"`
		TotalCents            int64         `json:"total_cents"`
		Currency              string        `json:"currency"`
		Price                 booking.Price `json:"price"`
		Payment               paymentView   `json:"payment"`
		QuotedAt              time.Time     `json:"quoted_at"`
	}{v.Reference, v.Status, v.Refundable, v.FreeCancellationUntil, fee, v.TotalCents, v.Currency, v.Price, v.Payment, s.svc.Now().UTC()})
}

// emptyCommand accepts no body, or an empty JSON object.
func emptyCommand(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	var none struct{}
	_, err := readJSON(w, r, &none)
	return err
}

// confirmReservation confirms a hold; when the API takes payments, it
// pays it first with the body's payment (a declined card is a 402 and
// the hold stays, for another card).
func (s *Server) confirmReservation(w http.ResponseWriter, r *http.Request) {
	if s.payments == nil {
		s.reservationCommand(w, r, s.svc.Confirm)
		return
	}
	var req struct {
		Payment *paymentRequest `json:"payment"`
	}
	// No body is no payment: a 422 that names the field.
	if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
		if _, err := readJSON(w, r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	v := &booking.ValidationError{}
	pm := s.paymentMethodOf(v, req.Payment, true)
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	token := guestToken(r)
	res, err := s.svc.Reservation(r.Context(), r.PathValue("reference"), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key, _ := idempotencyKey(r)
	canonical, _ := json.Marshal(req)
	s.idempotent(w, r, canonical, renderPaid(http.StatusOK), func(rc *booking.Receipt) error {
		if t, err := booking.Confirm(res, s.svc.Now()); err != nil || t.Err != nil {
			return errors.Join(err, t.Err)
		}
		return s.payHold(r.Context(), res, pm, payments.Attempt(key), false, rc, token)
	})
}

func (s *Server) cancelReservation(w http.ResponseWriter, r *http.Request) {
	s.reservationCommand(w, r, s.svc.Cancel)
}

func (s *Server) reservationCommand(w http.ResponseWriter, r *http.Request,
	cmd func(ctx context.Context, reference, token string, rc *booking.Receipt) (booking.Reservation, error)) {
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	token := guestToken(r)
	ref := r.PathValue("reference")
	if token == "" || !booking.ValidReference(ref) {
		s.fail(w, r, booking.ErrNotFound)
		return
	}
	s.idempotent(w, r, nil, renderReservation(http.StatusOK), func(rc *booking.Receipt) error {
		_, err := cmd(r.Context(), ref, token, rc)
		return err
	})
}

// manageReservation opens a booking from the signed link in its emails,
// without the access token, until the link expires.
func (s *Server) manageReservation(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.linkReference(w, r)
	if !ok {
		return
	}
	res, err := s.svc.ReservationByLink(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reservationEnvelope{Reservation: viewReservation(res)})
}
