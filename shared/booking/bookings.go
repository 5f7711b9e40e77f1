package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"innkeeper/shared/auth"
)

// Several rooms in one booking, after apaleo's model: a Booking groups
// reservations taken together, one per room line (a double and a twin
// for a family), each a full Reservation with its own room type, rate
// plan, occupancy, price, status and cancellation terms. The lines share
// the stay's dates, the guest and the access token, so every command on
// a reservation (read, cancel, modify) works on one line under that
// line's own terms, and the booking is taken all or nothing.

// RoomLine is one room of a booking of several: its room type, rate plan
// and who sleeps in it.
type RoomLine struct {
	RoomType string
	RatePlan string
	Adults   int
	Children int
	// ChildrenAges is each child's age on check-in, when given.
	ChildrenAges []int
}

// BookLinesRequest is a guest's request for several rooms at once: the
// dates, guest and hold are the booking's, the rest each line's.
type BookLinesRequest struct {
	Hotel    string
	CheckIn  Date
	CheckOut Date
	Lines    []RoomLine
	Guest    Guest
	Hold     bool
	// AwaitPayment holds every line until the booking's payment
	// confirms them (BookRequest.AwaitPayment).
	AwaitPayment bool
}

// Booking is reservations taken together, its Lines in line order (the
// first is line 1).
type Booking struct {
	ID        int64
	Reference string
	HotelID   int64
	HotelSlug string
	Currency  string
	CheckIn   Date
	CheckOut  Date
	Guest     Guest
	// AccessTokenHash is every line's too: one token opens them all.
	AccessTokenHash []byte
	CreatedAt       time.Time
	Lines           []Reservation
}

// StatusMixed is a booking's status when its lines' differ (one line
// cancelled, the other confirmed); each line says its own.
const StatusMixed Status = "mixed"

// Status is the lines' status when they share one, StatusMixed when not.
func (b Booking) Status() Status {
	if len(b.Lines) == 0 {
		return StatusMixed
	}
	s := b.Lines[0].Status
	for _, l := range b.Lines[1:] {
		if l.Status != s {
			return StatusMixed
		}
	}
	return s
}

// TotalCents is what the booking costs now: the totals of its lines that
// still stand, and the fee of each line cancelled with one. At booking
// it is the sum of the lines' totals.
func (b Booking) TotalCents() int64 {
	var total int64
	for _, l := range b.Lines {
		switch l.Status {
		case StatusCancelled, StatusExpired:
			if l.CancellationFeeCents != nil {
				total += *l.CancellationFeeCents
			}
		default:
			total += l.TotalCents
		}
	}
	return total
}

// NewBooking is what the Store needs to record a booking of several
// lines. Each line is a NewReservation of its own (one room, its own
// reference, room type, plan and occupancy) sharing the booking's dates,
// guest, status, hold, access token, clock, quota and audit; the Store
// prices each with NewReservation.Price.
type NewBooking struct {
	Reference       string
	Hotel           Hotel
	Guest           Guest
	AccessTokenHash []byte
	// AccessToken is the clear token, only to render the receipt.
	AccessToken string
	Now         time.Time
	Lines       []NewReservation
}

// LineError is why one line of a booking was refused; the whole booking
// was, and nothing was written. Line counts from 1.
type LineError struct {
	Line     int
	RoomType string
	Err      error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("booking: line %d (%s): %v", e.Line, e.RoomType, e.Err)
}

// Unwrap lets errors.Is(err, ErrSoldOut) and the like see the line's
// reason.
func (e *LineError) Unwrap() error { return e.Err }

// LineField is the name of a field of the line at index i of a request's
// rooms, as validation errors name it: rooms[1].adults.
func LineField(i int, field string) string { return fmt.Sprintf("rooms[%d].%s", i, field) }

// BookLines books every line of req, all or nothing, under one access
// token, which it returns (shown once). Every problem with the request,
// of any line, is one ValidationError naming the line's fields
// (rooms[1].adults); a line the Store refuses (sold out, restricted,
// archived) is a LineError, and nothing is booked.
func (s *Service) BookLines(ctx context.Context, req BookLinesRequest, receipt *Receipt) (Booking, string, error) {
	v := &ValidationError{}
	req.Guest.Name = strings.Trim(req.Guest.Name, " ")
	if req.Hotel == "" {
		v.Add("hotel", "is required")
	}
	switch {
	case len(req.Lines) == 0:
		v.Add("rooms", "must list at least one room")
	case len(req.Lines) > MaxRooms:
		v.Add("rooms", fmt.Sprintf("must list at most %d rooms", MaxRooms))
	}
	for i, l := range req.Lines {
		if l.RoomType == "" {
			v.Add(LineField(i, "room_type"), "is required")
		}
		if l.RatePlan == "" {
			v.Add(LineField(i, "rate_plan"), "is required")
		}
	}
	req.Guest.validateInto(v)
	if v.Err() != nil || len(req.Lines) > MaxRooms {
		req.validateStays(v, DateOf(s.now()).AddDays(-1))
		return Booking{}, "", v
	}

	h, _, err := s.lookup(ctx, req.Hotel, func(h HotelDetail) bool {
		for _, l := range req.Lines {
			if _, _, err := h.find(l.RoomType, l.RatePlan); err != nil {
				return false
			}
		}
		return true
	})
	if err != nil {
		return Booking{}, "", err
	}
	now := s.now()
	stays := req.validateStays(v, h.Today(now))
	type found struct {
		rt   RoomType
		plan RatePlan
	}
	lines := make([]found, len(req.Lines))
	for i, l := range req.Lines {
		rt, plan, err := h.find(l.RoomType, l.RatePlan)
		switch {
		case err != nil && !h.hasRoomType(l.RoomType):
			v.Add(LineField(i, "room_type"), fmt.Sprintf("hotel %s has no room type %s", h.Slug, l.RoomType))
		case err != nil:
			v.Add(LineField(i, "rate_plan"), fmt.Sprintf("room type %s has no rate plan %s", l.RoomType, l.RatePlan))
		case rt.ArchivedAt != nil || plan.ArchivedAt != nil:
			v.Add(LineField(i, "rate_plan"), fmt.Sprintf("rate plan %s of room type %s is no longer sold", plan.Code, rt.Code))
		case v.Fields[LineField(i, "adults")] != "" || v.Fields[LineField(i, "children")] != "":
			// The line's guests are already refused; whether they fit
			// the room would only say it again.
		default:
			// The rule a booking of one room is admitted by, guests
			// counted by the hotel's age bands, each field named by line.
			var occ *ValidationError
			if errors.As(admit(rt, plan, stays[i], h.ChildAgeBands), &occ) {
				for f, msg := range occ.Fields {
					v.Add(LineField(i, f), msg)
				}
			}
		}
		lines[i] = found{rt, plan}
	}
	if err := v.Err(); err != nil {
		return Booking{}, "", err
	}
	if h.ArchivedAt != nil {
		return Booking{}, "", ErrHotelArchived(h.Slug)
	}

	token, hash := auth.NewToken("rat_")
	nb := NewBooking{Hotel: h.Hotel, Guest: req.Guest, AccessToken: token, AccessTokenHash: hash, Now: now}
	for i, l := range lines {
		n := NewReservation{
			Hotel: h.Hotel, RoomType: l.rt, RatePlan: l.plan, Taxes: h.Taxes, Stay: stays[i], Guest: req.Guest,
			Status: StatusConfirmed, AccessToken: token, AccessTokenHash: hash, Now: now,
			Audit: s.guest(ctx, ActionReservationCreate), AgeBands: h.ChildAgeBands,
		}
		s.holding(&n, req.Hold, req.AwaitPayment, now)
		nb.Lines = append(nb.Lines, n)
	}
	// A reference clash is a one-in-a-billion event; try a few fresh ones.
	for attempt := 0; ; attempt++ {
		nb.Reference = NewReference()
		for i := range nb.Lines {
			nb.Lines[i].Reference = NewReference()
		}
		b, err := s.store.BookLines(ctx, nb, receipt)
		if errors.Is(err, errDuplicateReference) && attempt < 3 {
			continue
		}
		if err != nil {
			return Booking{}, "", err
		}
		if !req.AwaitPayment {
			for _, l := range b.Lines {
				s.afterCommit(ctx, l.Reference)
			}
		}
		return b, token, nil
	}
}

// validateStays checks the booking's dates once and each line's
// occupancy as a stay of one room, naming the line's fields; it returns
// each line's stay.
func (req BookLinesRequest) validateStays(v *ValidationError, today Date) []Stay {
	stays := make([]Stay, len(req.Lines))
	for i, l := range req.Lines {
		stays[i] = Stay{CheckIn: req.CheckIn, CheckOut: req.CheckOut, Adults: l.Adults, Children: l.Children,
			ChildrenAges: l.ChildrenAges, Rooms: 1}
		lv := &ValidationError{}
		stays[i].validateInto(lv, today)
		if l.ChildrenAges != nil && len(l.ChildrenAges) != l.Children {
			lv.Add("children_ages", "must list one age for each child")
		}
		for f, msg := range lv.Fields {
			if f == "check_in" || f == "check_out" {
				v.Add(f, msg)
			} else {
				v.Add(LineField(i, f), msg)
			}
		}
	}
	if len(req.Lines) == 0 {
		Stay{CheckIn: req.CheckIn, CheckOut: req.CheckOut, Adults: 1, Rooms: 1}.validateInto(v, today)
	}
	return stays
}

func (h HotelDetail) hasRoomType(code string) bool {
	_, ok := h.RoomType(code)
	return ok
}

// Booking returns the booking with its lines as they are now if token is
// its access token; anything else is ErrNotFound, so references cannot
// be probed.
func (s *Service) Booking(ctx context.Context, reference, token string) (Booking, error) {
	return byToken(ctx, reference, token, s.store.Booking, func(b Booking) []byte { return b.AccessTokenHash })
}

// CancelBooking cancels, in one transaction, every line of the booking
// that the guest can still cancel, each under its own terms and fee
// (Cancel); a line that cannot be (cancelled before, checked in) stays
// as it is. When none can be, nothing changes and the error is the first
// line's. Anyone but the holder of the access token is ErrNotFound.
func (s *Service) CancelBooking(ctx context.Context, reference, token string, receipt *Receipt) (Booking, error) {
	if !ValidReference(reference) || token == "" {
		return Booking{}, ErrNotFound
	}
	want := auth.Hash(token)
	b, err := s.store.TransitionBooking(ctx, reference, func(r Reservation) (Transition, error) {
		if !auth.Equal(r.AccessTokenHash, want) {
			return Transition{}, ErrNotFound
		}
		t, err := Cancel(r, s.now())
		t.Audit = s.guest(ctx, "reservation."+string(ActionCancel))
		return t, err
	}, receipt)
	if err != nil {
		return Booking{}, err
	}
	for _, l := range b.Lines {
		s.afterCommit(ctx, l.Reference)
	}
	return b, nil
}
