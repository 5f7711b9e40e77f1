package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"innkeeper/local/clock"
	"innkeeper/local/testenv"
	"innkeeper/shared/topology"
)

// asyncStack is a devstack with a Mailpit behind a proxy the test can cut
// and a clock it can move.
func asyncStack(t *testing.T) (*Stack, *testenv.Mailpit, *testenv.Proxy, *clock.Clock) {
	mp := testenv.StartMailpit(t)
	proxy := testenv.NewProxy(t, mp.SMTPAddr)
	clk := &clock.Clock{}
	s, _ := startStack(t, func(o *Options) { o.SMTPAddr, o.Clock = proxy.Addr(), clk })
	return s, mp, proxy, clk
}

func book(t *testing.T, s *Stack, hold bool, days int, key string) (string, string) {
	t.Helper()
	ci := time.Now().UTC().AddDate(0, 0, days)
	body := map[string]any{
		"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
		"check_in": ci.Format(time.DateOnly), "check_out": ci.AddDate(0, 0, 1).Format(time.DateOnly),
		"adults": 2, "guest": map[string]any{"name": "Ana", "email": "ana@example.com"}, "hold": hold,
	}
	if !hold { // a hold is paid when confirmed
		body["payment"] = card("pm_card_visa")
	}
	r := call(t, "POST", s.URL+"/v1/reservations", body, "Idempotency-Key", key)
	if r.status != 201 {
		t.Fatalf("book: %d %v", r.status, r.body)
	}
	return r.body["reservation"].(map[string]any)["reference"].(string), r.body["access_token"].(string)
}

func freeFAM(t *testing.T, s *Stack, days int) float64 {
	t.Helper()
	ci := time.Now().UTC().AddDate(0, 0, days)
	r := call(t, "GET", s.URL+"/v1/hotels/lisbon-riverside/availability?adults=4&check_in="+ci.Format(time.DateOnly)+"&check_out="+ci.AddDate(0, 0, 1).Format(time.DateOnly), nil)
	for _, o := range r.body["offers"].([]any) {
		if o := o.(map[string]any); o["rate_plan"] == "FAM-FLEX" {
			return o["available"].(float64)
		}
	}
	return 0
}

// Book → the confirmation arrives in Mailpit; cancel → the cancellation;
// a hold left alone is expired by the scheduler when the clock jumps, its
// nights are free again and its guest is told.
func TestMailFlowsThroughTheDevstack(t *testing.T) {
	s, mp, _, clk := asyncStack(t)

	ref, token := book(t, s, false, 50, "async-1")
	mp.WaitFor(t, "Booking confirmed: "+ref, 1, 10*time.Second)
	mp.WaitFor(t, "New booking "+ref, 1, 10*time.Second)
	call(t, "POST", s.URL+"/v1/reservations/"+ref+"/cancel", nil, "Authorization", "Bearer "+token, "Idempotency-Key", "async-2")
	mp.WaitFor(t, "Booking cancelled: "+ref, 1, 10*time.Second)

	before := freeFAM(t, s, 60)
	held, heldToken := book(t, s, true, 60, "async-3")
	mp.WaitFor(t, "Room held until", 1, 10*time.Second)
	if after := freeFAM(t, s, 60); after != before-1 {
		t.Fatalf("a hold left %v free of %v", after, before)
	}
	clk.Advance(16 * time.Minute)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := call(t, "GET", s.URL+"/v1/reservations/"+held, nil, "Authorization", "Bearer "+heldToken)
		if r.body["reservation"].(map[string]any)["status"] == "expired" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("hold still %v after the clock moved 16 minutes", r.body["reservation"].(map[string]any)["status"])
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after := freeFAM(t, s, 60); after != before {
		t.Fatalf("after expiry %v free, want %v", after, before)
	}
	mp.WaitFor(t, "Hold ended: "+held, 1, 10*time.Second)

	// Every mail once.
	for _, subject := range []string{"Booking confirmed: " + ref, "Booking cancelled: " + ref, "Hold ended: " + held} {
		if n := mp.Count(t, subject); n != 1 {
			t.Errorf("%q arrived %d times", subject, n)
		}
	}

	// /health shows the queue, the outbox and the jobs' last runs.
	h := call(t, "GET", s.URL+"/health", nil, "Authorization", "Bearer "+s.AdminKey).body
	g := h["gauges"].(map[string]any)
	jobs := g["jobs"].(map[string]any)
	if g["queue"] == nil || g["outbox"] == nil || jobs["expire-holds"].(map[string]any)["last_success"] == nil {
		t.Fatalf("health gauges %v", g)
	}
	// The control endpoint shows the same from the devstack's side.
	st := call(t, "GET", s.ControlURL+"/_devstack/status", nil).body
	if st["queues"].(map[string]any)["events"] == nil || len(st["schedules"].([]any)) != len(topology.Innkeeper.Schedules) {
		t.Fatalf("status %v", st)
	}
}

// The mail server fails once: the message comes back after its
// visibility timeout and the mail arrives exactly once.
func TestWorkerFailsOnceMailArrivesOnce(t *testing.T) {
	s, mp, proxy, clk := asyncStack(t)
	proxy.Cut()
	ref, _ := book(t, s, false, 55, "once-1")
	// The worker tries and fails (the batch's messages are reported failed).
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.opts.Log.(*lockedBuffer).String(), "message failed") {
		if time.Now().After(deadline) {
			t.Fatal("the worker never tried")
		}
		time.Sleep(50 * time.Millisecond)
	}
	proxy.Restore()
	clk.Advance(4 * time.Minute) // past the 3-minute visibility timeout
	mp.WaitFor(t, "Booking confirmed: "+ref, 1, 15*time.Second)
	clk.Advance(4 * time.Minute) // and once more: nothing comes back
	time.Sleep(time.Second)
	if n := mp.Count(t, "Booking confirmed: "+ref); n != 1 {
		t.Fatalf("confirmation arrived %d times", n)
	}
}

// A message no handler can read ends in the DLQ after 5 receives, while
// the other messages are delivered.
func TestPoisonMessageEndsInTheDLQ(t *testing.T) {
	s, mp, _, clk := asyncStack(t)
	ctx := context.Background()
	client := testenv.SQSClient(s.SQSURL)
	url := s.overrides["EVENTS_QUEUE_URL"]
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("{not json")}); err != nil {
		t.Fatal(err)
	}
	ref, _ := book(t, s, false, 57, "poison-1")
	mp.WaitFor(t, "Booking confirmed: "+ref, 1, 10*time.Second)
	for i := 0; i < 6; i++ {
		clk.Advance(4 * time.Minute)
		time.Sleep(400 * time.Millisecond)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, f, _, _ := s.sqs.Depth("events-dlq")
		if v+f == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead letters: %d", v+f)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v, f, _, _ := s.sqs.Depth("events"); v+f != 0 {
		t.Fatalf("%d messages left on the queue", v+f)
	}
	if n := mp.Count(t, "Booking confirmed: "+ref); n != 1 {
		t.Fatalf("the good message's mail arrived %d times", n)
	}
	// The staff redrive puts it back on the queue.
	r := call(t, "POST", s.URL+"/v1/admin/queues/events/redrive", nil, "Authorization", "Bearer ink_admin_local-dev-key-0123456789")
	if r.status != http.StatusAccepted {
		t.Fatalf("redrive: %d %v", r.status, r.body)
	}
	if v, f, _, _ := s.sqs.Depth("events-dlq"); v+f != 0 {
		t.Fatal("the redrive left the dead letter")
	}
}
