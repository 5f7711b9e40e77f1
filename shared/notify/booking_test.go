package notify_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
	"innkeeper/shared/mail"
	"innkeeper/shared/notify"
)

// mailbox is a mail.Sender that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (m *mailbox) Send(_ context.Context, msg mail.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

// eventsOf reads the outbox events of references, oldest first.
func eventsOf(t *testing.T, api *testenv.API, refs ...string) []booking.Event {
	t.Helper()
	rows, err := api.Store.Pool().Query(context.Background(), `SELECT payload FROM outbox WHERE aggregate_id = ANY($1) ORDER BY id`, refs)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var evs []booking.Event
	for rows.Next() {
		var raw []byte
		var ev booking.Event
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// A booking of a double and a twin is one confirmation listing both
// rooms, and one note to the desk, however often its lines' events come;
// cancelling a line later is that line's own email.
func TestABookingIsConfirmedOnce(t *testing.T) {
	t.Parallel()
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	ctx := context.Background()
	b, token, err := api.Service.BookLines(ctx, booking.BookLinesRequest{
		Hotel: "lisbon-riverside", CheckIn: booking.MustDate("2027-01-10"), CheckOut: booking.MustDate("2027-01-12"),
		Lines: []booking.RoomLine{
			{RoomType: "STD", RatePlan: "STD-FLEX", Adults: 2},
			{RoomType: "DLX", RatePlan: "DLX-NR", Adults: 1, Children: 2, ChildrenAges: []int{4, 9}},
		},
		Guest: booking.Guest{Name: "Ana Silva", Email: "ana@example.com"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	box := &mailbox{}
	n, err := notify.New(api.Store, box, notify.Config{From: "Innkeeper <bookings@innkeeper.local>", StaffTo: "desk@innkeeper.local",
		AppURL: "http://127.0.0.1:3000", AppKey: "local-development-app-key-not-secret-0000",
		Now: func() time.Time { return testenv.Clock }}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	line1, line2 := b.Lines[0].Reference, b.Lines[1].Reference
	evs := eventsOf(t, api, line1, line2)
	if len(evs) != 2 || evs[0].Booking != b.Reference || evs[1].Booking != b.Reference {
		t.Fatalf("events %+v; want one per line, naming booking %s", evs, b.Reference)
	}
	// Each event twice, the second line's first: a redelivery, in any order.
	for _, ev := range []booking.Event{evs[1], evs[0], evs[1], evs[0]} {
		if err := n.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(box.sent) != 2 {
		var subjects []string
		for _, m := range box.sent {
			subjects = append(subjects, m.Subject)
		}
		t.Fatalf("sent %q; want the booking's confirmation and the desk's note", subjects)
	}
	guest, desk := box.sent[0], box.sent[1]
	if guest.Subject != "Booking confirmed: "+b.Reference+" at Riverside Lisbon" || guest.To[0] != `"Ana Silva" <ana@example.com>` {
		t.Fatalf("guest mail %q to %v", guest.Subject, guest.To)
	}
	// 2 × 80.75 and 2 × 123.42 (January is 85%), 408.34 in all.
	for _, want := range []string{
		"Room 1:    Standard Double, Flexible; 2 adults; € 161.50 (" + line1 + ")",
		"Room 2:    Deluxe River View, Non-refundable, 12% off; 1 adult, 2 children; € 246.84 (" + line2 + ")",
		"Total:     € 408.34",
		"Manage room 2: http://127.0.0.1:3000/v1/reservations/" + line2 + "/manage?",
	} {
		if !strings.Contains(guest.Text, want) {
			t.Errorf("guest mail lacks %q:\n%s", want, guest.Text)
		}
	}
	if !strings.Contains(guest.HTML, "Room 2</td><td>Deluxe River View") || !strings.Contains(guest.HTML, "€ 408.34") {
		t.Errorf("guest HTML lacks the rooms:\n%s", guest.HTML)
	}
	if desk.Subject != "New booking "+b.Reference+" at Riverside Lisbon" || !strings.Contains(desk.HTML, "booked 2 rooms") {
		t.Errorf("desk mail %q:\n%s", desk.Subject, desk.HTML)
	}

	// A line cancelled later is its own news.
	if _, err := api.Service.Cancel(ctx, line1, token, nil); err != nil {
		t.Fatal(err)
	}
	evs = eventsOf(t, api, line1)
	if err := n.Handle(ctx, evs[len(evs)-1]); err != nil {
		t.Fatal(err)
	}
	if len(box.sent) != 3 || box.sent[2].Subject != "Booking cancelled: "+line1+" at Riverside Lisbon" {
		t.Fatalf("after cancelling line 1: %d mails, last %q", len(box.sent), box.sent[len(box.sent)-1].Subject)
	}
}
