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
