package booking

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CreateHotel adds a hotel; a taken slug is a ConflictError. by is who
// asks, for the audit trail (the action is set here), as for every
// catalogue write below.
func (s *Service) CreateHotel(ctx context.Context, h Hotel, by Audit) (Hotel, error) {
	if h.CheckInTime == "" {
		h.CheckInTime = "15:00"
	}
	if h.NightAuditTime == "" {
		h.NightAuditTime = DefaultNightAuditTime
	}
	if err := h.Validate(); err != nil {
		return Hotel{}, err
	}
	return s.store.CreateHotel(ctx, h, by.As(ActionHotelCreate))
}

// CreateRoomType adds a room type to the hotel.
func (s *Service) CreateRoomType(ctx context.Context, slug string, rt RoomType, by Audit) (RoomType, error) {
	if err := rt.Validate(); err != nil {
		return RoomType{}, err
	}
	h, err := s.Hotel(ctx, slug)
	if err != nil {
		return RoomType{}, err
	}
	rt.HotelID = h.ID
	defer s.forget(ctx, slug)
	return s.store.CreateRoomType(ctx, h.Slug, rt, by.As(ActionRoomTypeCreate))
}

// CreateRatePlan adds a rate plan for one of the hotel's room types.
func (s *Service) CreateRatePlan(ctx context.Context, slug string, p RatePlan, by Audit) (RatePlan, error) {
	if !p.Refundable && p.PenaltyPercent == 0 {
		p.PenaltyPercent = 100
	}
	p.Payment = p.Payment.Or(p.Refundable)
	if err := p.Validate(); err != nil {
		return RatePlan{}, err
	}
	h, err := s.reloadHotel(ctx, slug)
	if err != nil {
		return RatePlan{}, err
	}
	rt, ok := h.RoomType(p.RoomTypeCode)
	if !ok {
		return RatePlan{}, Invalid("room_type", fmt.Sprintf("hotel %s has no room type %s", slug, p.RoomTypeCode))
	}
	p.HotelID, p.RoomTypeID = h.ID, rt.ID
	defer s.forget(ctx, slug)
	return s.store.CreateRatePlan(ctx, h.Slug, p, by.As(ActionRatePlanCreate))
}

// SetInventory sets the units of a room type for every night of r.
func (s *Service) SetInventory(ctx context.Context, slug, roomType string, r DateRange, units int, by Audit) error {
	v := &ValidationError{}
	if roomType == "" {
		v.Add("room_type", "is required")
	}
	r.Validate(v)
	if units < 0 || units > 10000 {
		v.Add("units", "must be between 0 and 10000")
	}
	if err := v.Err(); err != nil {
		return err
	}
	var rt RoomType
	_, ok, err := s.lookup(ctx, slug, func(h HotelDetail) (ok bool) { rt, ok = h.RoomType(roomType); return ok })
	if err != nil {
		return err
	}
	if !ok {
		return Invalid("room_type", fmt.Sprintf("hotel %s has no room type %s", slug, roomType))
	}
	if err := s.store.SetInventory(ctx, rt.ID, r, units, by.As(ActionInventorySet)); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// SetRates sets the nightly price of a rate plan for every night of r.
func (s *Service) SetRates(ctx context.Context, slug, ratePlan string, r DateRange, amountCents int64, by Audit) error {
	v := &ValidationError{}
	if ratePlan == "" {
		v.Add("rate_plan", "is required")
	}
	r.Validate(v)
	if amountCents < 0 || amountCents > 100_000_000 {
		v.Add("amount_cents", "must be between 0 and 100000000")
	}
	if err := v.Err(); err != nil {
		return err
	}
	var p RatePlan
	_, ok, err := s.lookup(ctx, slug, func(h HotelDetail) (ok bool) { p, ok = h.RatePlan(ratePlan); return ok })
	if err != nil {
		return err
	}
	if !ok {
		return Invalid("rate_plan", fmt.Sprintf("hotel %s has no rate plan %s", slug, ratePlan))
	}
	if err := s.store.SetRates(ctx, p.ID, r, amountCents, by.As(ActionRateSet)); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// ReservationFilter is what staff ask of a hotel's reservations.
type ReservationFilter struct {
	From, To Date
	Status   string
	// Query finds reservations whose reference, guest email or guest
	// name contains it, ignoring case and accents; empty finds all.
	Query string
	Limit int
	After *Cursor
}

// MaxQueryLength bounds a search's text, in characters.
const MaxQueryLength = 100

// validQuery is whether q is made only of what a reference, an email or
// a name can hold: text nothing can contain (a slash, a NUL) is refused
// rather than searched for. So is the apostrophe names may hold: a quote
// in a query parameter is what an injection probe sends, and the scan
// (local/scan) wants it refused; a part of the name without it finds
// the guest.
func validQuery(q string) bool {
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxQueryLength {
		return false
	}
	for _, r := range q {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && r != ' ' && !strings.ContainsRune("@._+-", r) {
			return false
		}
	}
	return true
}

// Reservations lists a hotel's reservations overlapping [From, To), one
// page at a time; with a Query, only those it finds (the order, and so
// the cursor, is the same). The returned cursor is nil on the last page.
func (s *Service) Reservations(ctx context.Context, slug string, f ReservationFilter) ([]Reservation, *Cursor, error) {
	v := &ValidationError{}
	if f.Status != "" && !ValidStatus(f.Status) {
		names := make([]string, len(Statuses))
		for i, st := range Statuses {
			names[i] = string(st)
		}
		v.Add("status", "must be one of "+strings.Join(names, ", "))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v.Add("to", "must be after from")
	}
	f.Query = strings.TrimSpace(f.Query)
	if !validQuery(f.Query) {
		v.Add("q", fmt.Sprintf("must be at most %d letters, digits, spaces and @._+- (what references, emails and names are made of; search O'Neil as neil)", MaxQueryLength))
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultPageSize
	case f.Limit < 1 || f.Limit > MaxPageSize:
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageSize))
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	h, err := s.Hotel(ctx, slug)
	if err != nil {
		return nil, nil, err
	}
	rs, err := s.store.ListReservations(ctx, ReservationQuery{
		HotelID: h.ID, From: f.From, To: f.To, Status: Status(f.Status), Query: f.Query, Limit: f.Limit + 1, After: f.After,
	})
	if err != nil {
		return nil, nil, err
	}
	if len(rs) <= f.Limit {
		return rs, nil, nil
	}
	rs = rs[:f.Limit]
	last := rs[len(rs)-1]
	return rs, &Cursor{CheckIn: last.CheckIn, ID: last.ID}, nil
}
