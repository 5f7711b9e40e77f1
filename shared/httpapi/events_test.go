package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/auth"
	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
	"innkeeper/shared/queue"
)

// A command's events reach the queue right after it commits.
func TestCommandsPublishTheirEvents(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	before := c.api.Queues.Depth(t, "events")
	ref, token := c.book(bookingBody())
	c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...)
	if got := c.api.Queues.Depth(t, "events") - before; got != 2 {
		t.Fatalf("%d events on the queue after a booking and a cancellation, want 2", got)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND published_at IS NULL`, ref); n != 0 {
		t.Fatalf("%d events left unpublished", n)
	}
}

// With SQS unreachable, booking still works; the events wait in the
// outbox and the sweep sends them once SQS is back, each once.
func TestQueueDownBookingStillWorks(t *testing.T) {
	t.Parallel()
	queues := testenv.StartQueues(t)
	proxy := testenv.NewProxy(t, strings.TrimPrefix(queues.URL, "http://"))
	env := map[string]string{}
	for k, v := range queues.Env {
		env[k] = strings.Replace(v, strings.TrimPrefix(queues.URL, "http://"), proxy.Addr(), 1)
	}
	c := newClient(t, testenv.APIOptions{NoRelay: true, Env: env})

	proxy.Cut()
	start := time.Now()
	ref, _ := c.book(bookingBody())
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("booking with SQS down took %v", took)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND published_at IS NULL`, ref); n != 1 {
		t.Fatalf("%d unpublished events, want the booking's 1", n)
	}
	if h := c.do("GET", "/health", nil); h.JSON(t)["status"] == "ok" {
		t.Fatal("health says ok with the queue down")
	}

	pending := c.api.Int(t, `SELECT count(*) FROM outbox WHERE published_at IS NULL`) // the demo's and the booking's
	proxy.Restore()
	// The sweep publishes through the API's own SQS client, as the
	// scheduler's does.
	q := c.api.SQS
	if q == nil {
		t.Fatal("the API has no SQS client")
	}
	r := &jobs.Runner{Store: c.api.Store, Log: logging.Discard(),
		Relay: &queue.Relay{Outbox: c.api.Store, Publisher: queue.Publisher{Client: q, QueueURL: env["EVENTS_QUEUE_URL"]}, Log: logging.Discard()}}
	for range 2 { // a second sweep finds nothing left
		// A minute after the booking, on the API's (test) clock.
		if _, err := r.Handle(context.Background(), sweepEvent(testenv.Clock.Add(time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	if got := queues.Depth(t, "events"); got != pending || pending < 1 {
		t.Fatalf("%d messages on the queue after two sweeps, want the %d pending, each once", got, pending)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 0 {
		t.Fatalf("%d events still unpublished", n)
	}
}

func TestSignedManageLinks(t *testing.T) {
	t.Parallel()
	next := strings.Repeat("n", 32)
	c := newClient(t, testenv.APIOptions{Env: map[string]string{"APP_KEY_NEXT": next}})
	key := "local-development-app-key-not-secret-0000"
	ref, _ := c.book(bookingBody())
	link := func(k string, exp time.Time) string {
		return "/v1/reservations/" + ref + "/manage?expires=" + strconv.FormatInt(exp.Unix(), 10) + "&signature=" + url.QueryEscape(auth.SignLink(k, ref, exp))
	}
	later := testenv.Clock.Add(time.Hour)
	if r := c.do("GET", link(key, later), nil); r.Status != 200 || r.JSON(t)["reservation"].(map[string]any)["reference"] != ref {
		t.Fatalf("valid link: %d %s", r.Status, r.Body)
	}
	if r := c.do("GET", link(next, later), nil); r.Status != 200 {
		t.Fatalf("link signed with APP_KEY_NEXT during rotation: %d", r.Status)
	}
	c.do("GET", link(key, testenv.Clock.Add(-time.Second)), nil).Problem(t, http.StatusForbidden, "link-invalid")
	c.do("GET", link(strings.Repeat("x", 32), later), nil).Problem(t, http.StatusForbidden, "link-invalid")
	c.do("GET", strings.Replace(link(key, later), ref, "INK-ZZZZZZ", 1), nil).Problem(t, http.StatusForbidden, "link-invalid")
	c.do("GET", "/v1/reservations/"+ref+"/manage", nil).Problem(t, http.StatusForbidden, "link-invalid")
}

func TestRedriveAndDeadLetterWarning(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	q := c.api.SQSClient(t)
	dlq := c.api.Queues.Env["EVENTS_DLQ_URL"]
	if _, err := q.SendMessageBatch(context.Background(), deadLetter(dlq)); err != nil {
		t.Fatal(err)
	}
	h := c.do("GET", "/health", nil, admin()...).JSON(t)
	if h["status"] != "warning" || !strings.Contains(strings.Join(toStrings(h["warnings"]), " "), "dead-letter") {
		t.Fatalf("health with a dead letter: %v", h)
	}
	c.do("POST", "/v1/admin/queues/events/redrive", nil).Problem(t, 401, "unauthorized")
	r := c.do("POST", "/v1/admin/queues/events/redrive", nil, admin()...)
	if r.Status != 202 || r.JSON(t)["task_handle"] == "" {
		t.Fatalf("redrive: %d %s", r.Status, r.Body)
	}
	if c.api.Queues.Depth(t, "events-dlq") != 0 || c.api.Queues.Depth(t, "events") != 1 {
		t.Fatal("the dead letter did not move back")
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
