// Package demo loads the demonstration data a local stack starts with:
// two hotels in different time zones and currencies, three room types
// each, two rate plans per room type, inventory and seasonal prices for a
// year, a staff key, and two reservations with known tokens so the sample
// events in events/ can be replayed against it.
//
// Seeding is idempotent: run it at every start. It is for local stacks
// only; nothing calls it in the cloud.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/store"
)

// Known demo reservations and their access tokens, used by the sample
// events. They exist only in local databases.
const (
	ConfirmedReference = "INK-DEM0X1"
	ConfirmedToken     = "rat_demo-confirmed-token"
	HeldReference      = "INK-DEM0X2"
	HeldToken          = "rat_demo-held-token"
	// SampleAdminKey is the admin key the sample events send; .env.example
	// sets DEV_ADMIN_KEY to it so they work against a local stack.
	SampleAdminKey = "ink_admin_local-dev-key-0123456789"
)

type roomSpec struct {
	code, name         string
	adults, children   int
	units              int
	baseCents          int64
	flexHours, flexPct int
}

type hotelSpec struct {
	hotel booking.Hotel
	rooms []roomSpec
}

// Hotels is the demo catalogue.
var hotels = []hotelSpec{
	{
		hotel: booking.Hotel{Slug: "lisbon-riverside", Name: "Riverside Lisbon", City: "Lisbon", Country: "PT",
			Timezone: "Europe/Lisbon", Currency: "EUR", CheckInTime: "15:00"},
		rooms: []roomSpec{
			{"STD", "Standard Double", 2, 1, 12, 9500, 48, 30},
			{"DLX", "Deluxe River View", 2, 2, 6, 16500, 72, 50},
			{"FAM", "Family Suite", 4, 3, 3, 24000, 168, 50},
		},
	},
	{
		hotel: booking.Hotel{Slug: "nyc-midtown", Name: "Midtown Loft New York", City: "New York", Country: "US",
			Timezone: "America/New_York", Currency: "USD", CheckInTime: "16:00"},
		rooms: []roomSpec{
			{"QUEEN", "Queen Room", 2, 0, 20, 21900, 24, 100},
			{"KING", "King Studio", 2, 1, 10, 28900, 48, 50},
			{"SUITE", "Skyline Suite", 4, 2, 2, 64900, 336, 100},
		},
	},
}

// Options say how much to seed.
type Options struct {
	// Days of inventory and rates from today (the hotel's today); 365 if 0.
	Days int
	// AdminKey becomes an admin API key when set.
	AdminKey string
}

// Summary is what a seed left in place.
type Summary struct {
	Hotels   []string
	AdminKey string
}

// Seed creates whatever of the demo data is missing and extends inventory
// and prices to cover the next Days days.
func Seed(ctx context.Context, svc *booking.Service, st *store.Store, o Options) (Summary, error) {
	if o.Days == 0 {
		o.Days = 365
	}
	var sum Summary
	for _, hs := range hotels {
		if err := seedHotel(ctx, svc, hs, o.Days); err != nil {
			return sum, fmt.Errorf("demo: hotel %s: %w", hs.hotel.Slug, err)
		}
		sum.Hotels = append(sum.Hotels, hs.hotel.Slug)
	}
	if o.AdminKey != "" {
		if _, err := st.CreateAPIKey(ctx, "demo admin", auth.RoleAdmin, o.AdminKey, nil); err != nil {
			return sum, fmt.Errorf("demo: admin key: %w", err)
		}
		sum.AdminKey = o.AdminKey
	}
	if err := seedReservations(ctx, svc, st); err != nil {
		return sum, err
	}
	return sum, nil
}

func ignoreConflict(err error) error {
	if errors.Is(err, booking.ErrConflict) {
		return nil
	}
	return err
}

func seedHotel(ctx context.Context, svc *booking.Service, hs hotelSpec, days int) error {
	if _, err := svc.CreateHotel(ctx, hs.hotel); ignoreConflict(err) != nil {
		return err
	}
	today := hs.hotel.Today(svc.Now())
	end := today.AddDays(days)
	for _, rs := range hs.rooms {
		_, err := svc.CreateRoomType(ctx, hs.hotel.Slug, booking.RoomType{
			Code: rs.code, Name: rs.name, MaxAdults: rs.adults, MaxChildren: rs.children})
		if ignoreConflict(err) != nil {
			return err
		}
		plans := []booking.RatePlan{
			{RoomTypeCode: rs.code, Code: rs.code + "-FLEX", Name: "Flexible", Refundable: true,
				FreeCancellationHours: rs.flexHours, PenaltyPercent: rs.flexPct},
			{RoomTypeCode: rs.code, Code: rs.code + "-NR", Name: "Non-refundable, 12% off", Refundable: false, PenaltyPercent: 100},
		}
		for _, p := range plans {
			if _, err := svc.CreateRatePlan(ctx, hs.hotel.Slug, p); ignoreConflict(err) != nil {
				return err
			}
		}
		// Units already sold beyond the demo's count are left as they are.
		err = svc.SetInventory(ctx, hs.hotel.Slug, rs.code, booking.DateRange{From: today, To: end}, rs.units)
		if ignoreConflict(err) != nil {
			return err
		}
		// Prices by month: high season in summer and December.
		for from := today; from.Before(end); {
			to := booking.DateOf(time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC))
			if end.Before(to) {
				to = end
			}
			flex := rs.baseCents * seasonPercent(from.Month()) / 100
			nr := flex * 88 / 100
			for _, p := range []struct {
				code  string
				cents int64
			}{{rs.code + "-FLEX", flex}, {rs.code + "-NR", nr}} {
				if err := svc.SetRates(ctx, hs.hotel.Slug, p.code, booking.DateRange{From: from, To: to}, p.cents); err != nil {
					return err
				}
			}
			from = to
		}
	}
	return nil
}

func seasonPercent(m time.Month) int64 {
	switch m {
	case time.July, time.August, time.December:
		return 130
	case time.June, time.September:
		return 115
	case time.January, time.February, time.November:
		return 85
	}
	return 100
}

// seedReservations books the two known demo reservations if they are not
// there: one confirmed, one held.
func seedReservations(ctx context.Context, svc *booking.Service, st *store.Store) error {
	h, err := svc.Hotel(ctx, "lisbon-riverside")
	if err != nil {
		return fmt.Errorf("demo: reservations: %w", err)
	}
	now := svc.Now()
	today := h.Today(now)
	specs := []struct {
		ref, token, roomType, plan string
		offset                     int
		hold                       bool
	}{
		{ConfirmedReference, ConfirmedToken, "STD", "STD-FLEX", 30, false},
		{HeldReference, HeldToken, "DLX", "DLX-NR", 45, true},
	}
	for _, sp := range specs {
		if _, err := st.Reservation(ctx, sp.ref); err == nil {
			continue
		} else if !errors.Is(err, booking.ErrNotFound) {
			return fmt.Errorf("demo: reservation %s: %w", sp.ref, err)
		}
		rt, _ := h.RoomType(sp.roomType)
		plan, _ := h.RatePlan(sp.plan)
		n := booking.NewReservation{
			Reference: sp.ref, Hotel: h.Hotel, RoomType: rt, RatePlan: plan,
			Stay:   booking.Stay{CheckIn: today.AddDays(sp.offset), CheckOut: today.AddDays(sp.offset + 2), Adults: 2, Rooms: 1},
			Guest:  booking.Guest{Name: "Ana Demo", Email: "ana.demo@example.com", Phone: "+351 912 345 678"},
			Status: booking.StatusConfirmed, AccessTokenHash: auth.Hash(sp.token), Now: now,
		}
		if sp.hold {
			exp := now.Add(booking.HoldTTL)
			n.Status, n.HoldExpiresAt = booking.StatusHeld, &exp
		}
		if _, err := st.Book(ctx, n, nil); err != nil && !errors.Is(err, booking.DuplicateReference()) {
			return fmt.Errorf("demo: reservation %s: %w", sp.ref, err)
		}
	}
	return nil
}
