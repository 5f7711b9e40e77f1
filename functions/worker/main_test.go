package main

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/testenv"
	"innkeeper/shared/logging"
	"innkeeper/shared/mail"
	"innkeeper/shared/notify"
	"innkeeper/shared/worker"
)

func readSQSEvent(t *testing.T, path string) events.SQSEvent {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ev
}

func newHandler(t *testing.T, smtpAddr string) (*worker.Handler, *testenv.API) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	n, err := notify.New(api.Store, mail.SMTP{Addr: smtpAddr, Timeout: time.Second}, notify.Config{
		From: "Innkeeper <bookings@innkeeper.local>", StaffTo: "desk@innkeeper.local",
		AppURL: "http://127.0.0.1:3000", AppKey: "local-development-app-key-not-secret-0000",
		Now: func() time.Time { return testenv.Clock },
	}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	return &worker.Handler{Notifier: n, Log: logging.Discard()}, api
}

func failed(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	slices.Sort(ids)
	return ids
}

// The sample batch sends its emails once, however often it is delivered.
func TestSampleEventsSendOnce(t *testing.T) {
	mp := testenv.StartMailpit(t)
	h, _ := newHandler(t, mp.SMTPAddr)
	ev := readSQSEvent(t, "../../events/worker/reservation-events.json")
	for delivery := 1; delivery <= 3; delivery++ {
		resp, err := h.Handle(context.Background(), ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d: %v %v", delivery, err, resp)
		}
	}
	mp.WaitFor(t, "Booking confirmed: INK-DEM0X1", 1, 5*time.Second)
	mp.WaitFor(t, "Room held until", 1, 5*time.Second)
	for subject, want := range map[string]int{"Booking confirmed: INK-DEM0X1": 1, "New booking INK-DEM0X1": 1, "Room held until": 1} {
		if got := mp.Count(t, subject); got != want {
			t.Errorf("%q: %d mails after three deliveries, want %d", subject, got, want)
		}
	}
	if n := len(mp.Messages(t)); n != 3 {
		t.Errorf("%d mails in all, want 3", n)
	}
}

// Malformed and unknown messages fail on their own; the good one in
// their batch is delivered.
func TestPoisonMessagesFailAlone(t *testing.T) {
	mp := testenv.StartMailpit(t)
	h, _ := newHandler(t, mp.SMTPAddr)
	resp, err := h.Handle(context.Background(), readSQSEvent(t, "../../events/worker/with-poison.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0d7c3f1e-5b7a-4c1e-9a8b-000000000003", "0d7c3f1e-5b7a-4c1e-9a8b-000000000004"}
	if got := failed(resp); !slices.Equal(got, want) {
		t.Fatalf("failed %v, want %v", got, want)
	}
	mp.WaitFor(t, "Booking confirmed: INK-DEM0X1", 1, 5*time.Second)
}

// With the mail server down the messages fail and come back; once it is
// up again each mail goes out once.
func TestMailServerDownThenBack(t *testing.T) {
	mp := testenv.StartMailpit(t)
	proxy := testenv.NewProxy(t, mp.SMTPAddr)
	h, api := newHandler(t, proxy.Addr())
	ev := readSQSEvent(t, "../../events/worker/reservation-events.json")

	proxy.Cut()
	resp, _ := h.Handle(context.Background(), ev)
	if len(resp.BatchItemFailures) != 2 {
		t.Fatalf("with SMTP down: %v", resp)
	}
	if n := api.Int(t, `SELECT count(*) FROM notifications`); n != 0 {
		t.Fatalf("%d notifications recorded without a mail sent", n)
	}
	proxy.Restore()
	resp, _ = h.Handle(context.Background(), ev)
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("after restore: %v", resp)
	}
	mp.WaitFor(t, "INK-DEM0X", 3, 5*time.Second)
	if n := len(mp.Messages(t)); n != 3 {
		t.Fatalf("%d mails, want 3", n)
	}
}
