package realtime_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"innkeeper/shared/booking"
	"innkeeper/shared/realtime"
)

// watchers connects a hotel's availability watcher, its staff on the
// bookings topic and the guest of reference, each subscribed.
func watchers(t *testing.T, h *realtime.Handler, hotel, reference string) {
	t.Helper()
	ctx := context.Background()
	for _, c := range []struct {
		id, topic string
		p         realtime.Principal
	}{
		{"anon", realtime.AvailabilityTopic(hotel), realtime.Principal{Kind: realtime.Anonymous}},
		{"staff", realtime.BookingsTopic(hotel), realtime.Principal{Kind: realtime.Staff, Role: "staff"}},
		{"guest", realtime.ReservationTopic(reference), realtime.Principal{Kind: realtime.Guest, Reference: reference}},
	} {
		if err := h.Hub.Connect(ctx, c.id, c.p); err != nil {
			t.Fatal(err)
		}
		if err := h.Hub.Subscribe(ctx, c.id, c.topic); err != nil {
			t.Fatal(err)
		}
	}
}

func frames(t *testing.T, p *poster, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, b := range p.take(id) {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s got %s: %v", id, b, err)
		}
		out = append(out, m)
	}
	return out
}

func types(fs []map[string]any) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f["type"].(string))
	}
	return out
}

// Staff watching a hotel's bookings hear of each front-desk change and
// each cancellation or modification as reservation.changed, with the
// event, the status and the stay; a hold's own life and a reminder are
// not theirs.
func TestStaffHearOfEachChange(t *testing.T) {
	stay := booking.Event{Reference: "INK-AAAAAA", HotelSlug: "h", RoomType: "DBL",
		CheckIn: booking.MustDate("2027-01-10"), CheckOut: booking.MustDate("2027-01-12"), Rooms: 1}
	tests := []struct {
		name   string
		typ    string
		status booking.Status
		staff  []string // frame types staff receive
	}{
		{"a booking", "reservation.confirmed", booking.StatusConfirmed, []string{"booking.created"}},
		{"a check-in", "reservation.checked_in", booking.StatusCheckedIn, []string{"reservation.changed"}},
		{"a check-out", "reservation.checked_out", booking.StatusCheckedOut, []string{"reservation.changed"}},
		{"a no-show", "reservation.no_show", booking.StatusNoShow, []string{"reservation.changed"}},
		{"a cancellation", "reservation.cancelled", booking.StatusCancelled, []string{"reservation.changed"}},
		{"a hold", "reservation.held", booking.StatusHeld, nil},
		{"an expiry", "reservation.expired", booking.StatusExpired, nil},
		{"a reminder", "reservation.reminder", booking.StatusConfirmed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, p := capped(t, 10, 10)
			watchers(t, h, "h", stay.Reference)
			ev := stay
			ev.Type, ev.Status = tt.typ, tt.status
			if err := h.Pusher.Announce(context.Background(), ev, realtime.UnitsLeft{Stay: 4}); err != nil {
				t.Fatal(err)
			}
			got := frames(t, p, "staff")
			if !reflect.DeepEqual(types(got), tt.staff) {
				t.Fatalf("staff received %v; want %v", types(got), tt.staff)
			}
			if len(got) == 1 && got[0]["type"] == "reservation.changed" {
				want := map[string]any{"type": "reservation.changed", "hotel": "h", "reference": "INK-AAAAAA",
					"event": tt.typ, "status": string(tt.status), "room_type": "DBL",
					"check_in": "2027-01-10", "check_out": "2027-01-12", "rooms": 1.0}
				if !reflect.DeepEqual(got[0], want) {
					t.Errorf("frame %v\nwant %v", got[0], want)
				}
			}
			// The guest and the availability watchers hear as before.
			wantGuest, wantAnon := []string{"reservation.updated"}, []string{"availability.changed"}
			if tt.typ == "reservation.reminder" {
				wantGuest, wantAnon = nil, nil
			}
			if g := types(frames(t, p, "guest")); !reflect.DeepEqual(g, wantGuest) {
				t.Errorf("guest received %v; want %v", g, wantGuest)
			}
			if a := types(frames(t, p, "anon")); !reflect.DeepEqual(a, wantAnon) {
				t.Errorf("watcher received %v; want %v", a, wantAnon)
			}
		})
	}
}

// A modification announces the units left over the new stay and over
// the stay it replaced (another room type here); staff hear of it with
// the previous stay, the guest of its unchanged status.
func TestModificationAnnouncesBothStays(t *testing.T) {
	h, _, p := capped(t, 10, 10)
	watchers(t, h, "h", "INK-BBBBBB")
	ev := booking.Event{Type: booking.EventModified, Reference: "INK-BBBBBB", HotelSlug: "h", RoomType: "STE",
		Status: booking.StatusConfirmed, CheckIn: booking.MustDate("2027-01-11"), CheckOut: booking.MustDate("2027-01-12"), Rooms: 1,
		Previous: &booking.StayRef{RoomType: "DBL", CheckIn: booking.MustDate("2027-01-10"), CheckOut: booking.MustDate("2027-01-13"), Rooms: 2}}
	if err := h.Pusher.Announce(context.Background(), ev, realtime.UnitsLeft{Stay: 2, Previous: 7}); err != nil {
		t.Fatal(err)
	}
	anon := frames(t, p, "anon")
	if len(anon) != 2 {
		t.Fatalf("watcher received %v; want two availability frames", anon)
	}
	now, before := anon[0], anon[1]
	if now["room_type"] != "STE" || now["units_left"] != 2.0 || len(now["nights"].([]any)) != 1 {
		t.Errorf("new stay's frame %v", now)
	}
	if before["room_type"] != "DBL" || before["units_left"] != 7.0 ||
		!reflect.DeepEqual(before["nights"], []any{"2027-01-10", "2027-01-11", "2027-01-12"}) {
		t.Errorf("previous stay's frame %v", before)
	}
	staff := frames(t, p, "staff")
	if len(staff) != 1 || staff[0]["event"] != "reservation.modified" || staff[0]["status"] != "confirmed" ||
		!reflect.DeepEqual(staff[0]["previous"], map[string]any{"room_type": "DBL", "check_in": "2027-01-10", "check_out": "2027-01-13", "rooms": 2.0}) {
		t.Errorf("staff received %v", staff)
	}
	guest := frames(t, p, "guest")
	if len(guest) != 1 || guest[0]["type"] != "reservation.updated" || guest[0]["status"] != "confirmed" {
		t.Errorf("guest received %v", guest)
	}
	// A previous stay longer than any booking is a malformed event.
	ev.Previous.CheckOut = ev.Previous.CheckIn.AddDays(booking.MaxNights + 1)
	if err := h.Pusher.Announce(context.Background(), ev, realtime.UnitsLeft{}); err == nil {
		t.Error("a previous stay of too many nights was announced")
	}
}
