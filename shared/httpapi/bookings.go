package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"innkeeper/shared/booking"
	"innkeeper/shared/meter"
)

// Several rooms in one booking: POST /v1/reservations with rooms as a
// list of lines, each one room with its own room type, rate plan and
// guests, books them all or none (booking.Service.BookLines); the
// dates, guest and hold stay at the top. Each line is a reservation the
// guest's one token opens with the usual routes; GET /v1/bookings/{reference}
// shows them together.

// roomsJSON is rooms as sent: a number of rooms of room_type, or a list
// of room lines. Kept raw (an alias, so it encodes as the JSON it holds)
// until the form is known; the one-room-type form re-encodes as the
// number it was.
type roomsJSON = json.RawMessage

// roomLineRequest is one line of rooms in the list form.
type roomLineRequest struct {
	RoomType     string `json:"room_type"`
	RatePlan     string `json:"rate_plan"`
	Adults       *int   `json:"adults"`
	Children     *int   `json:"children"`
	ChildrenAges []int  `json:"children_ages"`
}

// roomsList reads rooms as a list of lines; nil, with no error, when it
// is the one-room-type form's number or absent, which the caller reads.
func roomsList(raw json.RawMessage) ([]roomLineRequest, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, jsonProblem(err)
	}
	lines := make([]roomLineRequest, len(items))
	for i, item := range items {
		dec := json.NewDecoder(bytes.NewReader(item))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&lines[i]); err != nil {
			p := jsonProblem(err)
			if len(p.Errors) == 0 {
				return nil, fieldErrors(http.StatusBadRequest, "A room of the list is not a JSON object of a room.",
					map[string]string{fmt.Sprintf("rooms[%d]", i): "must be a JSON object with room_type, rate_plan, adults, children and children_ages"})
			}
			errs := map[string]string{}
			for f, msg := range p.Errors {
				errs[booking.LineField(i, f)] = msg
			}
			p.Errors = errs
			return nil, p
		}
	}
	return lines, nil
}

// roomsNumber reads rooms in the one-room-type form: a number, or absent.
func roomsNumber(raw json.RawMessage) (*int, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var n *int
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fieldErrors(http.StatusBadRequest, "A field has the wrong JSON type.",
			map[string]string{"rooms": "must be a number, or a JSON array of rooms"})
	}
	return n, nil
}

// bookingRequest is the list form as its idempotency fingerprint reads
// it: decoded, so that spacing and key order do not make a retry another
// request.
type bookingRequest struct {
	Hotel    string            `json:"hotel"`
	CheckIn  string            `json:"check_in"`
	CheckOut string            `json:"check_out"`
	Rooms    []roomLineRequest `json:"rooms"`
	Guest    guestRequest      `json:"guest"`
	Hold     bool              `json:"hold"`
	Payment  *paymentRequest   `json:"payment,omitempty"`
}

// createBooking is POST /v1/reservations with rooms as a list.
func (s *Server) createBooking(w http.ResponseWriter, r *http.Request, req createReservationRequest, lines []roomLineRequest) {
	v := &booking.ValidationError{}
	// In the list form, what a room is goes in each line.
	for field, set := range map[string]bool{"room_type": req.RoomType != "", "rate_plan": req.RatePlan != "",
		"adults": req.Adults != nil, "children": req.Children != nil, "children_ages": req.ChildrenAges != nil} {
		if set {
			v.Add(field, "goes in each line of rooms when rooms is a list")
		}
	}
	br := booking.BookLinesRequest{
		Hotel:    req.Hotel,
		CheckIn:  dateField(v, "check_in", req.CheckIn),
		CheckOut: dateField(v, "check_out", req.CheckOut),
		Guest:    booking.Guest{Name: req.Guest.Name, Email: req.Guest.Email, Phone: req.Guest.Phone},
		Hold:     req.Hold,
	}
	pm := s.paymentMethodOf(v, req.Payment, !req.Hold)
	br.AwaitPayment = pm != ""
	// A line without adults has none, which the domain refuses with the
	// other lines' problems; children default to the ages given.
	for _, l := range lines {
		br.Lines = append(br.Lines, booking.RoomLine{RoomType: l.RoomType, RatePlan: l.RatePlan,
			Adults: intOr(l.Adults, 0), Children: intOr(l.Children, len(l.ChildrenAges)), ChildrenAges: l.ChildrenAges})
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	canonical, _ := json.Marshal(bookingRequest{Hotel: req.Hotel, CheckIn: req.CheckIn, CheckOut: req.CheckOut,
		Rooms: lines, Guest: req.Guest, Hold: req.Hold, Payment: req.Payment})
	s.idempotent(w, r, canonical, renderBooking, func(rc *booking.Receipt) error {
		b, token, err := s.svc.BookLines(r.Context(), br, rc)
		if errors.Is(err, booking.ErrReceiptTaken) && pm != "" {
			// A retry of a booking whose payment never answered (a 503):
			// pay its lines now, under the same provider key, so once.
			if held, heldToken, ok := s.unpaidBooking(r.Context(), rc); ok {
				return s.payBooking(r.Context(), held, pm, rc, heldToken)
			}
		}
		if err != nil {
			return err
		}
		for _, l := range b.Lines {
			meter.From(r.Context()).Reservation(l.Reference)
		}
		meter.From(r.Context()).Count("BookingsCreated", 1)
		if pm == "" {
			return nil
		}
		return s.payBooking(r.Context(), b, pm, rc, token)
	})
}

// payBooking pays every line of b, held, with one payment; its response
// replaces the hold's stored under rc.
func (s *Server) payBooking(ctx context.Context, b booking.Booking, pm string, rc *booking.Receipt, token string) error {
	paid := *rc
	paid.Replace = true
	_, _, err := s.payments.PayBooking(ctx, b, pm, &paid, token)
	return paymentErr(err, b.Reference, b.Lines[0].HoldExpiresAt, true)
}

// renderBooking is the response of a new booking of several rooms, with
// the access token every line shares and its Location.
var renderBooking = renderBookingAs(http.StatusCreated)

// renderBookingAs is the response of every command on a booking.
func renderBookingAs(status int) func(booking.Outcome) (booking.StoredResponse, error) {
	return func(o booking.Outcome) (booking.StoredResponse, error) {
		if o.Booking == nil {
			return booking.StoredResponse{}, fmt.Errorf("httpapi: a booking's receipt without the booking")
		}
		env := bookingEnvelope{Booking: viewBooking(*o.Booking), AccessToken: o.AccessToken}
		if o.Payment != nil {
			if p := paymentProblem(o.Payment, o.Booking.Status()); p != nil {
				return storedProblem(p)
			}
			env.Payment = viewPaymentDone(o.Payment)
		}
		return stored(status, env, "/v1/bookings/"+o.Booking.Reference)
	}
}

// cancelBooking is POST /v1/bookings/{reference}/cancel: every line the
// guest can still cancel, each under its own terms, in one transaction.
func (s *Server) cancelBooking(w http.ResponseWriter, r *http.Request) {
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
	s.idempotent(w, r, nil, renderBookingAs(http.StatusOK), func(rc *booking.Receipt) error {
		_, err := s.svc.CancelBooking(r.Context(), ref, token, rc)
		return err
	})
}

// getBooking is GET /v1/bookings/{reference}: the booking with its lines
// as they are now, for the holder of its access token.
func (s *Server) getBooking(w http.ResponseWriter, r *http.Request) {
	b, err := s.svc.Booking(r.Context(), r.PathValue("reference"), guestToken(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bookingEnvelope{Booking: viewBooking(b)})
}

type bookingView struct {
	Reference string       `json:"reference"`
	Hotel     string       `json:"hotel"`
	CheckIn   booking.Date `json:"check_in"`
	CheckOut  booking.Date `json:"check_out"`
	// Status is the lines' when they share one, "mixed" when not.
	Status string    `json:"status"`
	Guest  guestView `json:"guest"`
	// TotalCents is the lines' totals that stand, with the fees of the
	// lines cancelled: at booking, the sum of the lines.
	TotalCents int64             `json:"total_cents"`
	Currency   string            `json:"currency"`
	Lines      []reservationView `json:"lines"`
}

type bookingEnvelope struct {
	Booking     bookingView `json:"booking"`
	AccessToken string      `json:"access_token,omitempty"`
	// Payment is how the booking's one payment went, on the answer of
	// the request that paid.
	Payment *paymentDone `json:"payment,omitempty"`
}

func viewBooking(b booking.Booking) bookingView {
	v := bookingView{Reference: b.Reference, Hotel: b.HotelSlug, CheckIn: b.CheckIn, CheckOut: b.CheckOut,
		Status: string(b.Status()), Guest: guestView{b.Guest.Name, b.Guest.Email, b.Guest.Phone},
		TotalCents: b.TotalCents(), Currency: b.Currency, Lines: []reservationView{}}
	for _, l := range b.Lines {
		v.Lines = append(v.Lines, viewReservation(l))
	}
	return v
}

// lineProblem is the problem of the refused line's own reason, naming
// the line: the whole booking was refused and nothing changed.
func (s *Server) lineProblem(ctx context.Context, e *booking.LineError) *Problem {
	p := *s.problemFor(ctx, e.Err)
	p.Line = e.Line
	p.Detail = fmt.Sprintf("Room line %d (%s, rooms[%d]): %s Nothing was booked.", e.Line, e.RoomType, e.Line-1, p.Detail)
	return &p
}
