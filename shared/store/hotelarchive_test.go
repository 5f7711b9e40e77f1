package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"innkeeper/shared/booking"
)

// An archived hotel is neither searched nor booked, even through a
// process whose cached catalogue predates the archive (the booking's
// transaction reads the hotel's archived_at under its share lock); its
// reservations stay, and the desk still works them.
func TestArchivedHotelIsNeitherOfferedNorBooked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	before, token, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	cached := booking.NewService(f.st, func() time.Time { return clock })
	if _, err := cached.Hotel(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	stay := booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"), Adults: 1, Rooms: 1}
	req := booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX", Stay: stay,
		Guest: booking.Guest{Name: "Guest", Email: "g@example.com"}}

	h, err := f.svc.ArchiveHotel(ctx, "h", true, editor)
	if err != nil || h.ArchivedAt == nil {
		t.Fatalf("archive: %+v, %v", h, err)
	}
	if _, err := f.svc.ArchiveHotel(ctx, "h", true, editor); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("archiving twice: %v", err)
	}
	if _, _, err := f.svc.Search(ctx, "h", stay); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("search: %v, want not found", err)
	}
	if _, _, err := f.svc.Book(ctx, req, nil); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("booking: %v, want a conflict", err)
	}
	if _, _, err := cached.Book(ctx, req, nil); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("booking through a stale cache: %v, want a conflict", err)
	}
	if f.sold(t, "2026-12-10") != 1 {
		t.Fatal("a refused booking took a night")
	}
	// Nor are a modification's new nights sold, even through the cache.
	longer := booking.Change{CheckOut: booking.MustDate("2026-12-13")}
	if _, err := cached.Modify(ctx, before.Reference, token, longer, nil); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("modify through a stale cache: %v, want a conflict", err)
	}
	if f.sold(t, "2026-12-12") != 0 {
		t.Fatal("a refused modification took a night")
	}
	// Staff still read it, and its booking is still the desk's.
	if d, err := f.svc.Hotel(ctx, "h"); err != nil || d.ArchivedAt == nil {
		t.Fatalf("staff read: %+v, %v", d.Hotel, err)
	}
	desk := f.deskAt(time.Date(2026, 12, 10, 16, 0, 0, 0, time.UTC))
	if _, err := desk.Desk(ctx, before.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}); err != nil {
		t.Fatalf("check-in at an archived hotel: %v", err)
	}

	if h, err := f.svc.ArchiveHotel(ctx, "h", false, editor); err != nil || h.ArchivedAt != nil {
		t.Fatalf("unarchive: %+v, %v", h, err)
	}
	if _, _, err := cached.Book(ctx, req, nil); err != nil {
		t.Fatalf("booking after unarchiving: %v", err)
	}
	rows := auditRows(t, f, "hotel", "h")
	if len(rows) != 2 || rows[0]["action"] != "hotel.archive" || rows[1]["action"] != "hotel.unarchive" ||
		rows[0]["before"].(map[string]any)["archived_at"] != nil || rows[0]["after"].(map[string]any)["archived_at"] == nil {
		t.Fatalf("audit rows %v", rows)
	}
}
