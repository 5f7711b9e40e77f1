package booking

import (
	"errors"
	"testing"
	"time"
)

// The guest may modify exactly while a free cancellation is possible: a
// status the table allows, a refundable plan, before the deadline. The
// desk asks only the table.
func TestWhoMayModify(t *testing.T) {
	deadline := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
	r := func(s Status, refundable bool, until *time.Time) Reservation {
		return Reservation{Status: s, Refundable: refundable, FreeCancellationUntil: until, Timezone: "Europe/Lisbon", CheckInTime: "15:00",
			Stay: Stay{CheckIn: MustDate("2026-12-10"), CheckOut: MustDate("2026-12-12"), Adults: 1, Rooms: 1}}
	}
	before, at, after := deadline.Add(-time.Microsecond), deadline, deadline.Add(time.Hour)
	tests := []struct {
		name      string
		r         Reservation
		now       time.Time
		guest     error // nil: allowed
		deskAllow bool
	}{
		{"confirmed before the deadline", r(StatusConfirmed, true, &deadline), before, nil, true},
		{"held before the deadline", r(StatusHeld, true, &deadline), before, nil, true},
		{"confirmed at the deadline", r(StatusConfirmed, true, &deadline), at, ErrModifyDeadline, true},
		{"confirmed after the deadline", r(StatusConfirmed, true, &deadline), after, ErrModifyDeadline, true},
		{"refundable without a deadline", r(StatusConfirmed, true, nil), before, ErrModifyDeadline, true},
		{"non-refundable", r(StatusConfirmed, false, nil), before, ErrNonRefundable, true},
		{"cancelled", r(StatusCancelled, true, &deadline), before, ErrTransition, false},
		{"checked in", r(StatusCheckedIn, true, &deadline), before, ErrTransition, false},
		{"a hold past its expiry", func() Reservation {
			h := r(StatusHeld, true, &deadline)
			exp := before.Add(-time.Minute)
			h.HoldExpiresAt = &exp
			return h
		}(), before, ErrConflict, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := GuestMayModify(tt.r, tt.now)
			if tt.guest == nil && err != nil || tt.guest != nil && !errors.Is(err, tt.guest) {
				t.Errorf("guest: %v, want %v", err, tt.guest)
			}
			if err := DeskMayModify(tt.r, tt.now); (err == nil) != tt.deskAllow {
				t.Errorf("desk: %v, want allowed %v", err, tt.deskAllow)
			}
		})
	}
	// Every status: the rules refuse what the table refuses, and only that.
	for _, s := range Statuses {
		_, tableErr := Next(s, ActionModify)
		err := DeskMayModify(r(s, true, &deadline), before)
		if (tableErr == nil) != (err == nil) || err != nil && !errors.Is(err, ErrTransition) {
			t.Errorf("%s: desk %v, table %v", s, err, tableErr)
		}
		if tableErr == nil != (s == StatusHeld || s == StatusConfirmed) {
			t.Errorf("%s: the table says %v to a modification; held and confirmed only", s, tableErr)
		}
	}
}

// A change resolves against the reservation: omitted fields keep its
// own, and it is checked as a new booking would be.
func TestChangeApply(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	h := HotelDetail{
		Hotel: Hotel{ID: 1, Slug: "h", Timezone: "Europe/Lisbon", CheckInTime: "15:00", Currency: "EUR"},
		RoomTypes: []RoomType{
			{ID: 10, Code: "DBL", MaxAdults: 2, MaxChildren: 1},
			{ID: 11, Code: "STE", MaxAdults: 3, MaxChildren: 2},
		},
		RatePlans: []RatePlan{
			{ID: 20, RoomTypeID: 10, Code: "FLEX", Refundable: true, FreeCancellationHours: 48},
			{ID: 21, RoomTypeID: 11, Code: "FLEX", Refundable: true, FreeCancellationHours: 24},
			{ID: 22, RoomTypeID: 11, Code: "STE-NR"},
		},
	}
	r := Reservation{Reference: "INK-AAAAAA", Status: StatusConfirmed, RoomTypeCode: "DBL", RatePlanCode: "FLEX",
		Stay: Stay{CheckIn: MustDate("2026-12-10"), CheckOut: MustDate("2026-12-12"), Adults: 2, Rooms: 1}}
	three, zero, two := 3, 0, 2
	tests := []struct {
		name     string
		c        Change
		wantErr  error
		field    string // of a ValidationError
		roomType int64
		plan     int64
		stay     Stay
	}{
		{"later check-out only", Change{CheckOut: MustDate("2026-12-13")}, nil, "", 10, 20,
			Stay{CheckIn: MustDate("2026-12-10"), CheckOut: MustDate("2026-12-13"), Adults: 2, Rooms: 1}},
		{"suite keeps the plan's code", Change{RoomType: "STE", Adults: &three}, nil, "", 11, 21,
			Stay{CheckIn: MustDate("2026-12-10"), CheckOut: MustDate("2026-12-12"), Adults: 3, Rooms: 1}},
		{"suite under another plan", Change{RoomType: "STE", RatePlan: "STE-NR"}, nil, "", 11, 22, r.Stay},
		{"nothing changes", Change{Adults: &two}, ErrUnchanged, "", 0, 0, Stay{}},
		{"too many adults for a double", Change{Adults: &three}, nil, "adults", 0, 0, Stay{}},
		{"check-out before check-in", Change{CheckOut: MustDate("2026-12-09")}, nil, "check_out", 0, 0, Stay{}},
		{"no rooms", Change{Rooms: &zero}, nil, "rooms", 0, 0, Stay{}},
		{"unknown room type", Change{RoomType: "VILLA"}, nil, "room_type", 0, 0, Stay{}},
		{"plan of another room type", Change{RatePlan: "STE-NR"}, nil, "rate_plan", 0, 0, Stay{}},
		{"in the past", Change{CheckIn: MustDate("2026-11-30")}, nil, "check_in", 0, 0, Stay{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := tt.c.apply(r, h, now)
			var v *ValidationError
			switch {
			case tt.field != "":
				if !errors.As(err, &v) || v.Fields[tt.field] == "" {
					t.Fatalf("got %+v, %v; want a problem with %s", n, err, tt.field)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if n.RoomType.ID != tt.roomType || n.RatePlan.ID != tt.plan || !n.Stay.Equal(tt.stay) || n.Reference != r.Reference || n.Status != r.Status {
					t.Fatalf("got %+v", n)
				}
			}
		})
	}
}

// A quote's difference is the new total less the current one, negative
// when the new stay costs less.
func TestModifiedDifference(t *testing.T) {
	m := Modified{Current: Reservation{TotalCents: 30000}, New: Reservation{TotalCents: 20000}}
	if m.DifferenceCents() != -10000 {
		t.Fatalf("difference %d", m.DifferenceCents())
	}
}
