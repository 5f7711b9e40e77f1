package booking_test

import (
	"testing"

	"innkeeper/shared/booking"
)

func TestDeskRecordNights(t *testing.T) {
	night := func(d string, cents int64) booking.NightPrice {
		return booking.NightPrice{Date: booking.MustDate(d), AmountCents: cents}
	}
	// Booked for three nights at two rooms; the guest left after the first.
	d := booking.DeskRecord{
		Reservation: booking.Reservation{TotalCents: 64000, Stay: booking.Stay{
			CheckIn: booking.MustDate("2026-12-02"), CheckOut: booking.MustDate("2026-12-03"), Rooms: 2}},
		Nights: []booking.NightPrice{night("2026-12-02", 20000), night("2026-12-03", 24000), night("2026-12-04", 20000)},
	}
	if got := d.NightsCents(); got != 64000 {
		t.Fatalf("NightsCents %d, want the nights of both rooms 20000+24000+20000", got)
	}
	for _, tc := range []struct {
		name     string
		night    string
		released bool
	}{
		{"the night slept in", "2026-12-02", false},
		{"the night of the day of departure", "2026-12-03", true},
		{"a later night", "2026-12-04", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Released(night(tc.night, 0)); got != tc.released {
				t.Fatalf("Released(%s) = %v, want %v", tc.night, got, tc.released)
			}
		})
	}
}
