package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

func ptr[T any](v T) *T { return &v }

var editor = booking.CatalogEdit{Key: auth.Key{PublicID: "pub123", Role: auth.RoleAdmin}, RequestID: "req-1"}

// auditRows reads the audit rows API keys left on a catalogue item,
// oldest first (not the fixture's, by the seed).
func auditRows(t *testing.T, f fixture, kind, key string) []map[string]any {
	t.Helper()
	rows, err := f.st.Pool().Query(context.Background(), `SELECT json_build_object('actor_kind', actor_kind, 'actor', actor,
			'actor_role', actor_role, 'action', action, 'hotel', hotel, 'request_id', request_id,
			'before', before, 'after', after)
		FROM audit_events WHERE entity_kind = $1 AND entity_key = $2 AND actor_kind = 'api_key' ORDER BY id`, kind, key)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestUpdateRatePlanWritesItAndItsAuditRow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	p, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{Name: ptr("Flexible"), PenaltyPercent: ptr(40)}, editor)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Flexible" || p.PenaltyPercent != 40 || p.FreeCancellationHours != 48 || !p.Refundable {
		t.Fatalf("updated plan %+v", p)
	}
	h, err := f.st.HotelDetail(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	if got := h.RatePlans[0]; got.Name != "Flexible" || got.PenaltyPercent != 40 {
		t.Fatalf("stored plan %+v", got)
	}
	rows := auditRows(t, f, "rate_plan", "DBL-FLEX")
	if len(rows) != 1 {
		t.Fatalf("%d audit rows, want 1", len(rows))
	}
	a := rows[0]
	before, after := a["before"].(map[string]any), a["after"].(map[string]any)
	if a["actor_kind"] != "api_key" || a["actor"] != "pub123" || a["actor_role"] != "admin" || a["action"] != "rate_plan.update" ||
		a["hotel"] != "h" || a["request_id"] != "req-1" || before["penalty_percent"] != 25.0 || after["penalty_percent"] != 40.0 ||
		before["name"] != "Flex" || after["name"] != "Flexible" {
		t.Fatalf("audit row %v", a)
	}
}

// A refused edit changes nothing and leaves no audit row.
func TestInvalidEditChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	tests := []struct {
		name  string
		edit  func() error
		field string
	}{
		{"penalty above 100", func() error {
			_, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{PenaltyPercent: ptr(101)}, editor)
			return err
		}, "penalty_percent"},
		{"non-refundable with free hours", func() error {
			_, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{Refundable: ptr(false)}, editor)
			return err
		}, "free_cancellation_hours"},
		{"no adults", func() error {
			_, err := f.svc.UpdateRoomType(ctx, "h", "DBL", booking.RoomTypePatch{MaxAdults: ptr(0)}, editor)
			return err
		}, "max_adults"},
		{"blank hotel name", func() error {
			_, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{Name: ptr(" ")}, editor)
			return err
		}, "name"},
		{"empty patch", func() error {
			_, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{}, editor)
			return err
		}, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v *booking.ValidationError
			if err := tt.edit(); !errors.As(err, &v) || v.Fields[tt.field] == "" {
				t.Fatalf("got %v, want a validation error on %s", err, tt.field)
			}
		})
	}
	var n int
	if err := f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE actor_kind = 'api_key'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d audit rows (%v), want none", n, err)
	}
	h, _ := f.st.HotelDetail(ctx, "h")
	if h.Name != "H" || h.RatePlans[0].PenaltyPercent != 25 || h.RoomTypes[0].MaxAdults != 2 {
		t.Fatalf("a refused edit changed the catalogue: %+v", h)
	}
}

func TestEditOfUnknownItemIsNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	if _, err := f.svc.UpdateRoomType(ctx, "h", "NOPE", booking.RoomTypePatch{Name: ptr("x")}, editor); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("room type: %v", err)
	}
	if _, err := f.svc.ArchiveRatePlan(ctx, "nope", "DBL-FLEX", true, editor); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("rate plan of unknown hotel: %v", err)
	}
	if _, err := f.svc.UpdateHotel(ctx, "nope", booking.HotelPatch{Name: ptr("x")}, editor); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("hotel: %v", err)
	}
}

// An archived rate plan (or one of an archived room type) is not offered
// and cannot be booked, even through a Service whose catalogue cache
// predates the archive; an existing reservation still reads; unarchiving
// sells it again.
func TestArchivedPlanIsNeitherOfferedNorBooked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	before, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	// Another warm function, whose cached catalogue predates the archive.
	cached := booking.NewService(f.st, func() time.Time { return clock })
	if _, err := cached.Hotel(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	stay := booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"), Adults: 1, Rooms: 1}
	req := booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX", Stay: stay,
		Guest: booking.Guest{Name: "Guest", Email: "g@example.com"}}
	offers := func() int {
		t.Helper()
		_, o, err := f.svc.Search(ctx, "h", stay)
		if err != nil {
			t.Fatal(err)
		}
		return len(o)
	}
	if offers() != 1 {
		t.Fatal("the plan is not offered before the archive")
	}
	archives := []struct {
		name      string
		kind, key string
		archive   func(bool) error
	}{
		{"rate plan", "rate_plan", "DBL-FLEX", func(a bool) error {
			_, err := f.svc.ArchiveRatePlan(ctx, "h", "DBL-FLEX", a, editor)
			return err
		}},
		{"room type", "room_type", "DBL", func(a bool) error {
			_, err := f.svc.ArchiveRoomType(ctx, "h", "DBL", a, editor)
			return err
		}},
	}
	for _, tt := range archives {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.archive(true); err != nil {
				t.Fatal(err)
			}
			if err := tt.archive(true); !errors.Is(err, booking.ErrConflict) {
				t.Fatalf("archiving twice: %v", err)
			}
			if offers() != 0 {
				t.Fatal("an archived item is offered")
			}
			if _, _, err := f.svc.Book(ctx, req, nil); !errors.Is(err, booking.ErrConflict) {
				t.Fatalf("booking it: %v, want a conflict", err)
			}
			if _, _, err := cached.Book(ctx, req, nil); !errors.Is(err, booking.ErrConflict) {
				t.Fatalf("booking it through a stale cache: %v, want a conflict", err)
			}
			if f.sold(t, "2026-12-10") != 1 {
				t.Fatal("a refused booking took a night")
			}
			r, err := f.st.Reservation(ctx, before.Reference)
			if err != nil || r.RatePlanCode != "DBL-FLEX" || r.RoomTypeCode != "DBL" {
				t.Fatalf("the existing reservation: %+v, %v", r, err)
			}
			if err := tt.archive(false); err != nil {
				t.Fatal(err)
			}
			if offers() != 1 {
				t.Fatal("an unarchived item is not offered")
			}
			rows := auditRows(t, f, tt.kind, tt.key)
			if len(rows) != 2 || rows[0]["action"] != tt.kind+".archive" || rows[1]["action"] != tt.kind+".unarchive" ||
				rows[0]["before"].(map[string]any)["archived_at"] != nil || rows[0]["after"].(map[string]any)["archived_at"] == nil {
				t.Fatalf("audit rows %v", rows)
			}
		})
	}
	if _, _, err := cached.Book(ctx, req, nil); err != nil {
		t.Fatalf("booking after unarchiving: %v", err)
	}
}

// A booking made through a stale cache takes the plan's terms as
// committed, not as cached.
func TestBookingTakesTheCommittedTerms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	cached := booking.NewService(f.st, func() time.Time { return clock })
	if _, err := cached.Hotel(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{Refundable: ptr(false), FreeCancellationHours: ptr(0)}, editor); err != nil {
		t.Fatal(err)
	}
	r, _, err := cached.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-20"), CheckOut: booking.MustDate("2026-12-21"), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "Guest", Email: "g@example.com"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Refundable || r.PenaltyPercent != 100 || r.FreeCancellationUntil != nil {
		t.Fatalf("booked under refundable %v, penalty %d, free until %v; want the new non-refundable terms",
			r.Refundable, r.PenaltyPercent, r.FreeCancellationUntil)
	}
}

// A hotel with reservations keeps its currency and time zone.
func TestHotelWithReservationsKeepsItsCurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	if _, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{Currency: ptr("USD")}, editor); err != nil {
		t.Fatalf("without reservations: %v", err)
	}
	if _, _, err := f.book(ctx, "2026-12-10", "2026-12-11", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{Currency: ptr("EUR")}, editor); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("currency with reservations: %v", err)
	}
	if _, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{Timezone: ptr("Europe/Paris")}, editor); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("time zone with reservations: %v", err)
	}
	h, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{Name: ptr("Hotel H"), CheckInTime: ptr("14:00")}, editor)
	if err != nil || h.Name != "Hotel H" || h.CheckInTime != "14:00" || h.Currency != "USD" {
		t.Fatalf("%+v, %v", h, err)
	}
	if n := len(auditRows(t, f, "hotel", "h")); n != 2 {
		t.Fatalf("%d audit rows, want 2", n)
	}
}
