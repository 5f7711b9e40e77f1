package worker

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
	"innkeeper/shared/realtime"
)

// recorder is the management API keeping what was posted.
type recorder struct {
	mu   sync.Mutex
	sent []map[string]any
}

func (r *recorder) PostToConnection(_ context.Context, in *apigatewaymanagementapi.PostToConnectionInput, _ ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m map[string]any
	_ = json.Unmarshal(in.Data, &m)
	m["_to"] = aws.ToString(in.ConnectionId)
	r.sent = append(r.sent, m)
	return &apigatewaymanagementapi.PostToConnectionOutput{}, nil
}

// A modification's event makes the worker read the units left over the
// new stay and over the one it replaced, and announce both.
func TestModificationAnnouncesThePreviousStaysUnits(t *testing.T) {
	t.Parallel()
	hub := &realtime.Hub{Redis: testenv.Redis(t)}
	ctx := context.Background()
	if err := hub.Connect(ctx, "watcher", realtime.Principal{Kind: realtime.Anonymous}); err != nil {
		t.Fatal(err)
	}
	if err := hub.Subscribe(ctx, "watcher", realtime.AvailabilityTopic("h")); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	type ask struct{ roomType, from, to string }
	var asked []ask
	left := map[string]int{"STE": 3, "DBL": 8}
	h := &Handler{
		Push: &realtime.Pusher{Hub: hub, Client: rec, Log: logging.Discard()},
		Units: func(_ context.Context, hotel, roomType string, from, to booking.Date) (int, error) {
			asked = append(asked, ask{roomType, from.String(), to.String()})
			return left[roomType], nil
		},
		Log: logging.Discard(),
	}
	ev := booking.Event{Type: booking.EventModified, Reference: "INK-CCCCCC", HotelSlug: "h", RoomType: "STE",
		Status: booking.StatusConfirmed, CheckIn: booking.MustDate("2027-02-01"), CheckOut: booking.MustDate("2027-02-02"), Rooms: 1,
		Previous: &booking.StayRef{RoomType: "DBL", CheckIn: booking.MustDate("2027-02-03"), CheckOut: booking.MustDate("2027-02-05"), Rooms: 1}}
	if !h.announce(ctx, ev) {
		t.Fatal("announce failed")
	}
	if len(asked) != 2 || asked[0] != (ask{"STE", "2027-02-01", "2027-02-02"}) || asked[1] != (ask{"DBL", "2027-02-03", "2027-02-05"}) {
		t.Fatalf("units asked for %v", asked)
	}
	if len(rec.sent) != 2 || rec.sent[0]["room_type"] != "STE" || rec.sent[0]["units_left"] != 3.0 ||
		rec.sent[1]["room_type"] != "DBL" || rec.sent[1]["units_left"] != 8.0 {
		t.Fatalf("announced %v", rec.sent)
	}
	// Without a previous stay, one read and one frame, as before.
	asked, rec.sent = nil, nil
	ev.Type, ev.Previous = "reservation.confirmed", nil
	if !h.announce(ctx, ev) || len(asked) != 1 || len(rec.sent) != 1 {
		t.Fatalf("a booking: asked %v, announced %v", asked, rec.sent)
	}
}
