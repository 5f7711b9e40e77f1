package stripeemu_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"innkeeper/local/stripeemu"
)

const (
	apiKey        = "sk_test_emulator"
	webhookSecret = "whsec_emulator_test"
)

// receiver is a webhook endpoint that checks each event as the API will:
// with stripe-go's own webhook.ConstructEvent. It answers 500 to the
// first failFirst deliveries, to make the emulator retry.
type receiver struct {
	srv *httptest.Server

	mu        sync.Mutex
	failFirst int
	secret    string         // the endpoint secret; webhookSecret when empty
	received  []stripe.Event // verified, in arrival order
	statuses  []int          // what it answered, in order
	forged    []error        // signatures ConstructEvent refused
	arrived   chan struct{}
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	t.Helper()
	rc := &receiver{failFirst: failFirst, arrived: make(chan struct{}, 1000)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		defer func() { rc.arrived <- struct{}{} }()
		if rc.failFirst > 0 {
			rc.failFirst--
			rc.statuses = append(rc.statuses, http.StatusInternalServerError)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		secret := rc.secret
		if secret == "" {
			secret = webhookSecret
		}
		ev, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret)
		if err != nil {
			rc.forged = append(rc.forged, err)
			rc.statuses = append(rc.statuses, http.StatusBadRequest)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.received = append(rc.received, ev)
		rc.statuses = append(rc.statuses, http.StatusOK)
	}))
	t.Cleanup(func() {
		rc.srv.Close()
		rc.mu.Lock()
		defer rc.mu.Unlock()
		for _, err := range rc.forged {
			t.Errorf("webhook.ConstructEvent refused an emulator event: %v", err)
		}
	})
	return rc
}

// wait returns the verified events of type typ for object id once there
// are want of them, failing the test after five seconds.
func (rc *receiver) wait(t *testing.T, typ, id string, want int) []stripe.Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if got := rc.of(typ, id); len(got) >= want {
			return got
		}
		select {
		case <-rc.arrived:
		case <-deadline:
			t.Fatalf("no %d %s event(s) for %s within 5 s; received %v", want, typ, id, rc.types())
		}
	}
}

func (rc *receiver) of(typ, id string) []stripe.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []stripe.Event
	for _, ev := range rc.received {
		if string(ev.Type) == typ && ev.Data.Object["id"] == id {
			out = append(out, ev)
		}
	}
	return out
}

func (rc *receiver) types() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, ev := range rc.received {
		out = append(out, string(ev.Type)+" "+ev.Data.Object["id"].(string))
	}
	return out
}

// emulator starts a server sending its webhooks to rc (none when nil) and
// a stripe-go client pointed at it.
func emulator(t *testing.T, rc *receiver) (*stripeemu.Server, *stripe.Client) {
	t.Helper()
	o := stripeemu.Options{APIKey: apiKey, WebhookSecret: webhookSecret, RetryBackoff: 20 * time.Millisecond, MaxAttempts: 5}
	if rc != nil {
		o.WebhookURL = rc.srv.URL
	}
	emu := stripeemu.New(o)
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu, client(base, apiKey)
}

func client(base, key string) *stripe.Client {
	return stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL:               stripe.String(base),
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
}

// stripeErr is the *stripe.Error err must be.
func stripeErr(t *testing.T, err error) *stripe.Error {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *stripe.Error", err, err)
	}
	return se
}

// control posts to one of the emulator's /_emulator/ endpoints.
func control(t *testing.T, emu *stripeemu.Server, path string) *http.Response {
	t.Helper()
	resp, err := http.Post(emu.URL()+path, "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func pay(amount int64, currency, pm string) *stripe.PaymentIntentCreateParams {
	return &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(amount), Currency: stripe.String(currency),
		PaymentMethod: stripe.String(pm), Confirm: stripe.Bool(true)}
}

var ctx = context.Background()

// count is how many events of typ the emulator recorded.
func count(emu *stripeemu.Server, typ string) int {
	n := 0
	for _, d := range emu.Deliveries() {
		if d.Type == typ {
			n++
		}
	}
	return n
}
