package notify

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
	"innkeeper/shared/mail"
	"innkeeper/shared/meter"
)

// fakeStore is a Store in memory holding one reservation and its hotel.
type fakeStore struct {
	r    booking.Reservation
	h    booking.HotelDetail
	mu   sync.Mutex
	sent map[string]bool // kinds sent
}

func (s *fakeStore) Reservation(_ context.Context, reference string) (booking.Reservation, error) {
	if reference != s.r.Reference {
		return booking.Reservation{}, booking.ErrNotFound
	}
	return s.r, nil
}

func (s *fakeStore) HotelDetail(_ context.Context, slug string) (booking.HotelDetail, error) {
	if slug != s.h.Slug {
		return booking.HotelDetail{}, booking.ErrNotFound
	}
	return s.h, nil
}

func (s *fakeStore) SendOnce(ctx context.Context, reservationID int64, kind, _ string, send func(context.Context) error) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reservationID != s.r.ID {
		return false, errors.New("fake store: no such reservation")
	}
	if s.sent[kind] {
		return false, nil
	}
	if err := send(ctx); err != nil {
		return false, err
	}
	s.sent[kind] = true
	return true, nil
}

// outbox is a mail.Sender that keeps the messages it takes, or fails.
type outbox struct {
	err      error
	subjects []string
}

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	if o.err != nil {
		return o.err
	}
	o.subjects = append(o.subjects, m.Subject)
	return nil
}

// Each notification an event calls for is sent once, however often the
// event comes, and only a mail actually sent is counted.
func TestHandleSendsEachNotificationOnce(t *testing.T) {
	errSMTP := errors.New("smtp: connection refused")
	confirmed := booking.Event{Type: "reservation.confirmed", Reference: "INK-7K3Q9P", Status: booking.StatusConfirmed}
	tests := []struct {
		name     string
		sent     []Kind // before the event
		mailErr  error
		subjects []string // prefixes, in order
		wantErr  error
	}{
		{"first delivery", nil, nil, []string{"Booking confirmed", "New booking"}, nil},
		{"a redelivery", []Kind{Confirmation, StaffBooking}, nil, nil, nil},
		{"one sent before", []Kind{Confirmation}, nil, []string{"New booking"}, nil},
		{"mail server down", nil, errSMTP, nil, errSMTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, h := fixture()
			st := &fakeStore{r: r, h: h, sent: map[string]bool{}}
			for _, k := range tt.sent {
				st.sent[string(k)] = true
			}
			sender := &outbox{err: tt.mailErr}
			n, err := New(st, sender, Config{From: "a@b.c", StaffTo: "desk@innkeeper.local"}, logging.Discard())
			if err != nil {
				t.Fatal(err)
			}
			ctx, inv := meter.Start(context.Background(), "worker", meter.TriggerSQS, "events", 0)
			err = n.Handle(ctx, confirmed)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if len(sender.subjects) != len(tt.subjects) {
				t.Fatalf("sent %q, want %q", sender.subjects, tt.subjects)
			}
			for i, s := range sender.subjects {
				if !strings.HasPrefix(s, tt.subjects[i]) {
					t.Errorf("mail %d: %q, want %q…", i, s, tt.subjects[i])
				}
			}
			if got := inv.Attribution().Emails; got != len(tt.subjects) {
				t.Errorf("%d emails counted, %d sent", got, len(tt.subjects))
			}
			if tt.mailErr != nil && len(st.sent) != len(tt.sent) {
				t.Errorf("a failed send was recorded: %v", st.sent)
			}
			if want := []string{string(Confirmation), string(StaffBooking)}; tt.mailErr == nil && !slices.Equal(slices.Sorted(maps.Keys(st.sent)), want) {
				t.Errorf("recorded %v, want %v", st.sent, want)
			}
		})
	}
}

// A guest's lookup is answered once per request, not once per
// reservation: a second request sends the link again, a redelivery of
// the same one does not, and the link is in the mail.
func TestHandleSendsTheLinkOncePerRequest(t *testing.T) {
	r, h := fixture()
	r.Status = booking.StatusCancelled // the link is sent whatever the state
	st := &fakeStore{r: r, h: h, sent: map[string]bool{}}
	sender := &linkBox{}
	n, err := New(st, sender, Config{From: "a@b.c", StaffTo: "desk@innkeeper.local",
		AppURL: "https://book.example.com", AppKey: strings.Repeat("k", 32)}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	ask := func(at time.Time) booking.Event {
		return booking.Event{Type: booking.EventAccessRequested, Reference: r.Reference, OccurredAt: at}
	}
	for _, ev := range []booking.Event{ask(at), ask(at), ask(at.Add(time.Minute))} {
		if err := n.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(sender.msgs) != 2 {
		t.Fatalf("%d mails for two requests and a redelivery, want 2", len(sender.msgs))
	}
	if sender.msgs[0].ID == sender.msgs[1].ID {
		t.Errorf("two requests' mails share the message id %q", sender.msgs[0].ID)
	}
	for _, m := range sender.msgs {
		if !strings.Contains(m.Text, "https://book.example.com/v1/reservations/INK-7K3Q9P/manage?expires=") ||
			!strings.Contains(m.To[0], "ana@example.com") {
			t.Errorf("mail to %v lacks the manage link:\n%s", m.To, m.Text)
		}
	}
}

// linkBox is a mail.Sender that keeps whole messages.
type linkBox struct{ msgs []mail.Message }

func (b *linkBox) Send(_ context.Context, m mail.Message) error {
	b.msgs = append(b.msgs, m)
	return nil
}

// Each modification of a booking mails the guest once: a redelivery of
// one modification's event sends nothing more, a second modification
// sends its own mail.
func TestHandleSendsEachModificationOnce(t *testing.T) {
	r, h := fixture()
	r.Status = booking.StatusConfirmed
	st := &fakeStore{r: r, h: h, sent: map[string]bool{}}
	sender := &linkBox{}
	n, err := New(st, sender, Config{From: "a@b.c", StaffTo: "desk@innkeeper.local"}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	modified := func(at time.Time) booking.Event {
		return booking.Event{Type: booking.EventModified, Reference: r.Reference, Status: booking.StatusConfirmed, OccurredAt: at}
	}
	for _, ev := range []booking.Event{modified(at), modified(at), modified(at.Add(time.Microsecond))} {
		if err := n.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(sender.msgs) != 2 {
		t.Fatalf("%d mails for two modifications and a redelivery, want 2", len(sender.msgs))
	}
	if sender.msgs[0].ID == sender.msgs[1].ID {
		t.Errorf("two modifications' mails share the message id %q", sender.msgs[0].ID)
	}
	if !strings.HasPrefix(sender.msgs[0].Subject, "Booking changed: ") {
		t.Errorf("subject %q", sender.msgs[0].Subject)
	}
}
