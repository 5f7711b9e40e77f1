package demo_test

import (
	"context"
	"testing"
	"time"

	localdemo "innkeeper/local/demo"
	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/demo"
)

// Seed loads the catalogue of the file local/demo ships, and twice is
// once.
func TestSeedLoadsTheFile(t *testing.T) {
	st := testenv.Store(t)
	svc := booking.NewService(st, func() time.Time { return testenv.Clock })
	cat, err := localdemo.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	var rooms, plans int
	for _, h := range cat.Hotels {
		rooms += len(h.RoomTypes)
		for _, rt := range h.RoomTypes {
			plans += len(rt.RatePlans)
		}
	}
	ctx := context.Background()
	for range 2 {
		sum, err := demo.Seed(ctx, svc, st, demo.Options{Days: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Hotels) != len(cat.Hotels) {
			t.Fatalf("seeded %v, the file has %d hotels", sum.Hotels, len(cat.Hotels))
		}
	}
	var gotRooms, gotPlans, reservations int
	if err := st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM room_types), (SELECT count(*) FROM rate_plans),
		(SELECT count(*) FROM reservations)`).Scan(&gotRooms, &gotPlans, &reservations); err != nil {
		t.Fatal(err)
	}
	if gotRooms != rooms || gotPlans != plans || reservations != 2 {
		t.Fatalf("%d room types, %d rate plans, %d reservations; the file has %d and %d, and the demo books 2",
			gotRooms, gotPlans, reservations, rooms, plans)
	}
}

// Demo Lisbon carries the occupancy pricing the README shows: infant and
// child bands, FAM-FLEX with a base of two adults, STD-NR a single
// discount; New York has no bands.
func TestSeedPricesLisbonByOccupancy(t *testing.T) {
	st := testenv.Store(t)
	svc := booking.NewService(st, func() time.Time { return testenv.Clock })
	ctx := context.Background()
	if _, err := demo.Seed(ctx, svc, st, demo.Options{Days: 60}); err != nil {
		t.Fatal(err)
	}
	h, err := st.HotelDetail(ctx, "lisbon-riverside")
	if err != nil {
		t.Fatal(err)
	}
	want := booking.AgeBands{{Code: "infant", Name: "Infants", MinAge: 0, MaxAge: 2}, {Code: "child", Name: "Children", MinAge: 3, MaxAge: 12}}
	if len(h.ChildAgeBands) != 2 || h.ChildAgeBands[0] != want[0] || h.ChildAgeBands[1] != want[1] {
		t.Fatalf("Lisbon bands %+v", h.ChildAgeBands)
	}
	fam, _ := h.RatePlan("FAM-FLEX")
	if o := fam.Occupancy; o.BaseOccupancy != 2 || o.ExtraAdultCents != 3000 || o.ExtraChildCents["child"] != 1500 || len(o.ExtraChildCents) != 1 {
		t.Fatalf("FAM-FLEX occupancy %+v", o)
	}
	if std, _ := h.RatePlan("STD-NR"); std.Occupancy.SingleOccupancyDiscountCents != 1000 {
		t.Fatalf("STD-NR occupancy %+v", std.Occupancy)
	}
	ny, err := st.HotelDetail(ctx, "nyc-midtown")
	if err != nil || len(ny.ChildAgeBands) != 0 {
		t.Fatalf("New York bands %+v, %v", ny.ChildAgeBands, err)
	}
}
