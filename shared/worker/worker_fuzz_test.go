package worker

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/demo"
	"innkeeper/shared/logging"
	"innkeeper/shared/mail"
	"innkeeper/shared/notify"
	"innkeeper/shared/realtime"
)

// sink is a mail.Sender that keeps nothing: the fuzz target checks what
// the worker reports, not the mail.
type sink struct{}

func (sink) Send(context.Context, mail.Message) error { return nil }

// poster is the WebSocket management API, faked at the AWS boundary: it
// keeps the most nights any availability message listed.
type poster struct {
	mu     sync.Mutex
	nights int
}

func (p *poster) PostToConnection(_ context.Context, in *apigatewaymanagementapi.PostToConnectionInput, _ ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error) {
	var m realtime.AvailabilityChanged
	_ = json.Unmarshal(in.Data, &m)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nights = max(p.nights, len(m.Nights))
	return &apigatewaymanagementapi.PostToConnectionOutput{}, nil
}

// most returns and resets the most nights listed since the last call.
func (p *poster) most() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.nights
	p.nights = 0
	return n
}

// FuzzMessageBody hands the worker a batch of one SQS message with any
// body, on the demo data with pushes and mail wired to fakes. The batch
// never fails as a whole and never panics, nor announces more nights than
// a stay can have; a body that is not a booking
// event (not JSON, an unknown type, no valid reference) is a failed item
// and a poison message; a message succeeds only if it names a reservation
// that exists.
func FuzzMessageBody(f *testing.F) {
	ok := `{"type":"reservation.confirmed","reference":"INK-DEM0X1","hotel":"lisbon-riverside","room_type":"STD","status":"confirmed","check_in":"2026-12-31","check_out":"2027-01-02","rooms":1,"occurred_at":"2026-12-01T10:00:00Z"}`
	for _, s := range []string{
		ok,
		`{"type":"reservation.held","reference":"INK-DEM0X2","hotel":"lisbon-riverside","room_type":"DLX","status":"held","check_in":"2027-01-15","check_out":"2027-01-17","rooms":1,"occurred_at":"2026-12-01T10:00:00Z"}`,
		`{"type":"reservation.reminder","reference":"INK-DEM0X1"}`,
		`{"type":"reservation.cancelled","reference":"INK-ZZZZZZ","hotel":"lisbon-riverside","status":"cancelled"}`,
		`{"type":"reservation.exploded","reference":"INK-DEM0X1"}`,
		`{"type":"reservation.confirmed","reference":"DROP TABLE"}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","check_in":"2027-02-30"}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","check_in":""}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","check_in":null}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","check_in":"2027-01-02","check_out":"2026-12-31"}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","hotel":"lisbon-riverside","room_type":"STD","check_in":"0002-01-01","check_out":"9999-12-31"}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","rooms":1e400}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","occurred_at":"yesterday"}`,
		`{"type":"reservation.confirmed","reference":"INK-DEM0X1","extra":{"deep":[1,2,3]}}`,
		`{"type":"reservation.confirmed"`,
		``,
		`null`,
		`[]`,
		`"reservation.confirmed"`,
		"{\"type\":\"reservation.confirmed\",\"reference\":\"INK-DEM0X1\",\"hotel\":\"\xff\"}",
	} {
		f.Add(s)
	}

	api := testenv.NewAPI(f, testenv.APIOptions{NoRelay: true})
	n, err := notify.New(api.Store, sink{}, notify.Config{
		From: "Innkeeper <bookings@innkeeper.local>", StaffTo: "desk@innkeeper.local",
		AppURL: "http://127.0.0.1:3000", AppKey: "local-development-app-key-not-secret-0000",
		Now: func() time.Time { return testenv.Clock },
	}, logging.Discard())
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	hub := &realtime.Hub{Redis: api.Redis}
	// One watcher per audience, so announcements are encoded and posted.
	if err := hub.Connect(ctx, "watcher", realtime.Principal{Kind: realtime.Staff, Role: "staff"}); err != nil {
		f.Fatal(err)
	}
	for _, topic := range []string{
		realtime.AvailabilityTopic("lisbon-riverside"), realtime.ReservationTopic(demo.ConfirmedReference),
		realtime.BookingsTopic("lisbon-riverside"),
	} {
		if err := hub.Subscribe(ctx, "watcher", topic); err != nil {
			f.Fatal(err)
		}
	}
	p := &poster{}
	h := &Handler{
		Notifier: n,
		Push:     &realtime.Pusher{Hub: hub, Client: p, Log: logging.Discard()},
		Units:    api.Store.UnitsLeft,
		Log:      logging.Discard(),
	}
	exists := map[string]bool{}
	for _, ref := range []string{demo.ConfirmedReference, demo.HeldReference} {
		if _, err := api.Store.Reservation(ctx, ref); err != nil {
			f.Fatalf("demo reservation %s: %v", ref, err)
		}
		exists[ref] = true
	}

	f.Fuzz(func(t *testing.T, body string) {
		msg := events.SQSMessage{MessageId: "fuzz-1", Body: body, Attributes: map[string]string{"ApproximateReceiveCount": "1"}}
		resp, err := h.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{msg}})
		if err != nil {
			t.Fatalf("body %q failed the whole batch: %v", body, err)
		}
		// No reservation is longer than MaxNights; an event that says
		// otherwise must not make the worker list (and post) every night.
		if n := p.most(); n > booking.MaxNights {
			t.Fatalf("body %q announced %d nights", body, n)
		}
		failed := len(resp.BatchItemFailures) == 1 && resp.BatchItemFailures[0].ItemIdentifier == msg.MessageId
		if !failed && len(resp.BatchItemFailures) != 0 {
			t.Fatalf("body %q: failures %+v name another message", body, resp.BatchItemFailures)
		}
		// What the message is, read as the worker reads it.
		var ev booking.Event
		decodes := json.Unmarshal([]byte(body), &ev) == nil
		_, typeErr := notify.KindsFor(ev.Type)
		if !decodes || typeErr != nil || !booking.ValidReference(ev.Reference) {
			if !failed {
				t.Fatalf("malformed body %q succeeded", body)
			}
			if _, err := h.handle(ctx, msg); !errors.Is(err, ErrPoison) {
				t.Fatalf("malformed body %q: %v, want ErrPoison", body, err)
			}
			return
		}
		if !failed && !exists[ev.Reference] {
			t.Fatalf("body %q succeeded for %s, which does not exist", body, ev.Reference)
		}
	})
}
