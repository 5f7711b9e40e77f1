package stripeemu

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// event is Stripe's Event as it is posted to a webhook endpoint; payload
// is its JSON, fixed when the event happens (a later change of the
// object is a later event), and attempts its deliveries.
type event struct {
	ID              string       `json:"id"`
	Object          string       `json:"object"`
	APIVersion      string       `json:"api_version"`
	Created         int64        `json:"created"`
	Data            eventData    `json:"data"`
	Livemode        bool         `json:"livemode"`
	PendingWebhooks int          `json:"pending_webhooks"`
	Request         eventRequest `json:"request"`
	Type            string       `json:"type"`

	payload   []byte
	attempts  []Attempt
	delivered bool
}

type eventData struct {
	Object json.RawMessage `json:"object"`
}

type eventRequest struct {
	ID             *string `json:"id"`
	IdempotencyKey *string `json:"idempotency_key"`
}

// Attempt is one delivery of an event to the webhook URL.
type Attempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status"`          // the receiver's HTTP status; 0 when it did not answer
	Error  string    `json:"error,omitempty"` // why it did not answer
}

// Delivery is an event with what became of it.
type Delivery struct {
	EventID   string          `json:"event_id"`
	Type      string          `json:"type"`
	ObjectID  string          `json:"object_id"`
	Created   int64           `json:"created"`
	Delivered bool            `json:"delivered"` // a 2xx answer came back
	Attempts  []Attempt       `json:"attempts"`
	Event     json.RawMessage `json:"event"`
}

// emitLocked records an event of obj as it is now and, when a webhook URL
// is set, delivers it in the background: the API call that caused it
// never waits for the receiver.
func (s *Server) emitLocked(typ string, obj any) {
	raw, err := json.Marshal(obj)
	if err != nil {
		s.o.Logger.Error("stripeemu: event", slog.String("type", typ), slog.String("error", err.Error()))
		return
	}
	ev := &event{ID: s.newID("evt"), Object: "event", APIVersion: APIVersion, Created: s.now(),
		Data: eventData{Object: raw}, PendingWebhooks: 1, Type: typ}
	if ev.payload, err = json.Marshal(ev); err != nil {
		return
	}
	s.events[ev.ID] = ev
	s.eventOrder = append(s.eventOrder, ev.ID)
	if s.paused {
		s.held = append(s.held, ev)
		return
	}
	s.deliverLocked(ev)
}

func (s *Server) deliverLocked(ev *event) {
	if s.webhookURL == "" || s.closed || ev.delivered {
		return
	}
	s.wg.Add(1)
	go s.deliver(ev, s.webhookURL)
}

// PauseWebhooks holds the events that happen from now on instead of
// sending them, as a slow or unreachable Stripe would: a test can then
// let a hold expire before its payment's news arrives, or Resend the held
// events in another order than they happened.
func (s *Server) PauseWebhooks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = true
}

// ResumeWebhooks sends the held events that no Resend delivered, in the
// order they happened (each in the background, so they may still arrive
// out of order), and sends new events at once again.
func (s *Server) ResumeWebhooks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paused = false
	for _, ev := range s.held {
		s.deliverLocked(ev)
	}
	s.held = nil
}

// deliver posts an event until the receiver answers 2xx, waiting
// RetryBackoff, then twice as long each time (at most a minute), between
// attempts; Stripe does the same over three days.
func (s *Server) deliver(ev *event, url string) {
	defer s.wg.Done()
	wait := s.o.RetryBackoff
	for attempt := 1; ; attempt++ {
		if s.send(ev, url) {
			return
		}
		if attempt >= s.o.MaxAttempts {
			s.o.Logger.Warn("stripeemu: webhook not delivered", slog.String("event", ev.ID), slog.Int("attempts", attempt))
			return
		}
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// send posts the event once, signed now, and records the attempt; it
// reports whether the receiver took it.
func (s *Server) send(ev *event, url string) bool {
	// Signed on the emulator's clock: the receiver's, when a test or the
	// devstack moves it, checks the tolerance against the same time.
	at := s.o.Clock.Now()
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(ev.payload))
	a := Attempt{At: at}
	if err == nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
		req.Header.Set("Stripe-Signature", Sign(ev.payload, s.o.WebhookSecret, at))
		var resp *http.Response
		if resp, err = s.client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			a.Status = resp.StatusCode
		}
	}
	if err != nil {
		a.Error = err.Error()
	}
	ok := a.Status >= 200 && a.Status < 300
	s.mu.Lock()
	ev.attempts = append(ev.attempts, a)
	ev.delivered = ev.delivered || ok
	s.mu.Unlock()
	s.o.Logger.Debug("stripeemu: webhook", slog.String("event", ev.ID), slog.String("type", ev.Type), slog.Int("status", a.Status))
	return ok
}

// Sign is the Stripe-Signature header of payload sent at t: the time and
// the hex HMAC-SHA256, keyed by the endpoint secret, of "t.payload".
// Tests of a receiver can sign their own (forged or stale) events with it.
func Sign(payload []byte, secret string, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Deliveries lists every event so far, oldest first, with its attempts.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, 0, len(s.eventOrder))
	for _, id := range s.eventOrder {
		out = append(out, s.deliveryLocked(s.events[id]))
	}
	return out
}

func (s *Server) deliveryLocked(ev *event) Delivery {
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(ev.Data.Object, &obj)
	return Delivery{EventID: ev.ID, Type: ev.Type, ObjectID: obj.ID, Created: ev.Created, Delivered: ev.delivered,
		Attempts: append([]Attempt{}, ev.attempts...), Event: ev.payload}
}

// Resend delivers an event once more, now, whatever became of it before
// (a replay, as the dashboard's "Resend" does), and answers the
// receiver's status.
func (s *Server) Resend(id string) (int, error) {
	s.mu.Lock()
	ev, ok := s.events[id]
	url := s.webhookURL
	s.mu.Unlock()
	switch {
	case !ok:
		return 0, fmt.Errorf("stripeemu: no event %s", id)
	case url == "":
		return 0, fmt.Errorf("stripeemu: no webhook URL to send %s to", id)
	}
	s.send(ev, url)
	s.mu.Lock()
	defer s.mu.Unlock()
	last := ev.attempts[len(ev.attempts)-1]
	if last.Error != "" {
		return 0, fmt.Errorf("stripeemu: resend %s: %s", id, last.Error)
	}
	return last.Status, nil
}

func (s *Server) getEvent(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, ok := s.events[id]
	if !ok {
		return missing(id, "event")
	}
	return http.StatusOK, ev.payload
}
