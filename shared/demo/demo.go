// Package demo loads the demonstration data a local stack starts with:
// the demo catalogue (local/demo/catalogue.yaml: two hotels in different
// time zones and currencies, three room types each, two rate plans per
// room type, inventory and seasonal prices for a year), a staff key, and
// two reservations with known tokens so the sample events in events/ can
// be replayed against it.
//
// Seeding is idempotent: run it at every start. It is for local stacks
// only; nothing calls it in the cloud.
package demo

import (
	"context"
	"errors"
	"fmt"

	demofile "innkeeper/local/demo"
	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/catalog"
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
// and prices to cover the next Days days: the catalogue of the file
// local/demo ships, applied through the booking service as the admin API
// would apply it, then the admin key and the known reservations.
func Seed(ctx context.Context, svc *booking.Service, st *store.Store, o Options) (Summary, error) {
	var sum Summary
	cat, err := demofile.Catalogue()
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	if o.Days != 0 {
		cat.Days = o.Days
	}
	if _, err := catalog.Apply(ctx, catalog.Direct(svc), cat, svc.Now()); err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	for _, h := range cat.Hotels {
		sum.Hotels = append(sum.Hotels, h.Slug)
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
			Audit: new(booking.BySystem(booking.ActorSeed).As(booking.ActionReservationCreate)),
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
