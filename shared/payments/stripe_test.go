package payments_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/payments"
)

// exchange is one request the client sent and the answer it got.
type exchange struct {
	method, path, key string
	form              url.Values
	status            int
	body              []byte
}

// recorder is the HTTP transport of the Stripe client under test: it
// keeps every request (with its Idempotency-Key and form) and answer.
type recorder struct {
	mu  sync.Mutex
	log []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var form url.Values
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		form, _ = url.ParseQuery(string(b))
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.log = append(r.log, exchange{req.Method, req.URL.Path, req.Header.Get("Idempotency-Key"), form, resp.StatusCode, body})
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) take() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.log
	r.log = nil
	return out
}

// mockProvider is a Stripe provider against a stripe-mock of the test's
// own, with its requests recorded.
func mockProvider(t *testing.T) (*payments.Stripe, *recorder, string) {
	t.Helper()
	base := testenv.StartStripeMock(t)
	rec := &recorder{}
	p := payments.NewStripe(payments.StripeConfig{
		SecretKey:  "sk_test_innkeeper",
		URL:        base,
		HTTPClient: &http.Client{Transport: rec, Timeout: 5 * time.Second},
	})
	return p, rec, base
}

// accepted fails t unless every recorded request was answered 200 by
// stripe-mock, which validates each against Stripe's OpenAPI spec.
func accepted(t *testing.T, log []exchange, want int) []exchange {
	t.Helper()
	if len(log) != want {
		t.Fatalf("%d requests, want %d: %+v", len(log), want, log)
	}
	for _, x := range log {
		if x.status != http.StatusOK || bytes.Contains(x.body, []byte("invalid_request_error")) {
			t.Errorf("%s %s: stripe-mock answered %d: %s", x.method, x.path, x.status, x.body)
		}
	}
	return log
}

func wantForm(t *testing.T, x exchange, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := x.form.Get(k); got != v {
			t.Errorf("%s %s: %s = %q, want %q (form %v)", x.method, x.path, k, got, v, x.form)
		}
	}
}

// Every Provider method's requests are accepted by stripe-mock, carry the
// caller's idempotency key and the parameters the flow depends on, and
// its fixture answers map to our Result.
func TestStripeMockAcceptsEveryCall(t *testing.T) {
	p, rec, _ := mockProvider(t)
	ctx := context.Background()

	res, err := p.Pay(ctx, payments.Payment{Amount: 16150, Currency: "EUR", PaymentMethod: "pm_card_visa",
		IdempotencyKey: "INK-ABC123:prepay:1", Reservation: "INK-ABC123", Description: "Innkeeper INK-ABC123"})
	if err != nil {
		t.Fatal(err)
	}
	// stripe-mock's fixture is a PaymentIntent left requires_payment_method
	// with an error that is no card's: not paid, not declined.
	if !strings.HasPrefix(res.ID, "pi_") || res.Status != payments.StatusFailed || res.Amount != 16150 ||
		res.Currency != "EUR" || res.ClientSecret == "" || res.Decline != nil {
		t.Errorf("Pay = %+v", res)
	}
	x := accepted(t, rec.take(), 1)[0]
	if x.path != "/v1/payment_intents" || x.key != "INK-ABC123:prepay:1" {
		t.Errorf("Pay sent %s %s key %q", x.method, x.path, x.key)
	}
	wantForm(t, x, map[string]string{"amount": "16150", "currency": "eur", "payment_method": "pm_card_visa",
		"confirm": "true", "use_stripe_sdk": "true", "payment_method_types[0]": "card",
		"metadata[reservation]": "INK-ABC123", "off_session": ""})

	// Save without a customer creates one first, under a key of its own.
	res, err = p.Save(ctx, payments.SaveCard{PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-ABC123:guarantee:1",
		Reservation: "INK-ABC123", Name: "Ada Lovelace", Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.ID, "seti_") || !strings.HasPrefix(res.Customer, "cus_") || res.Amount != 0 {
		t.Errorf("Save = %+v", res)
	}
	log := accepted(t, rec.take(), 2)
	if log[0].path != "/v1/customers" || log[0].key != "INK-ABC123:guarantee:1:customer" {
		t.Errorf("Save first sent %s key %q", log[0].path, log[0].key)
	}
	wantForm(t, log[0], map[string]string{"name": "Ada Lovelace", "email": "ada@example.com", "metadata[reservation]": "INK-ABC123"})
	if log[1].path != "/v1/setup_intents" || log[1].key != "INK-ABC123:guarantee:1" {
		t.Errorf("Save then sent %s key %q", log[1].path, log[1].key)
	}
	wantForm(t, log[1], map[string]string{"customer": res.Customer, "payment_method": "pm_card_visa",
		"usage": "off_session", "confirm": "true", "metadata[reservation]": "INK-ABC123"})

	// With a customer, no new one.
	if _, err := p.Save(ctx, payments.SaveCard{PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-ABC123:guarantee:2",
		Customer: "cus_known"}); err != nil {
		t.Fatal(err)
	}
	x = accepted(t, rec.take(), 1)[0]
	wantForm(t, x, map[string]string{"customer": "cus_known"})

	res, err = p.ChargeSaved(ctx, payments.OffSession{Amount: 8075, Currency: "eur", Customer: "cus_known",
		PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-ABC123:no-show:1", Reservation: "INK-ABC123"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.ID, "pi_") || res.Amount != 8075 {
		t.Errorf("ChargeSaved = %+v", res)
	}
	x = accepted(t, rec.take(), 1)[0]
	if x.key != "INK-ABC123:no-show:1" {
		t.Errorf("ChargeSaved key %q", x.key)
	}
	wantForm(t, x, map[string]string{"amount": "8075", "customer": "cus_known", "off_session": "true", "confirm": "true",
		"use_stripe_sdk": ""})

	res, err = p.Refund(ctx, payments.RefundRequest{Payment: "pi_123", Amount: 500, Currency: "EUR",
		IdempotencyKey: "INK-ABC123:refund:1", Reservation: "INK-ABC123"})
	if err != nil {
		t.Fatal(err)
	}
	// The fixture refund is a succeeded one of 100 USD cents.
	if !strings.HasPrefix(res.ID, "re_") || res.Status != payments.StatusSucceeded || res.Currency != "USD" {
		t.Errorf("Refund = %+v", res)
	}
	x = accepted(t, rec.take(), 1)[0]
	if x.path != "/v1/refunds" || x.key != "INK-ABC123:refund:1" {
		t.Errorf("Refund sent %s key %q", x.path, x.key)
	}
	wantForm(t, x, map[string]string{"payment_intent": "pi_123", "amount": "500", "reason": "requested_by_customer"})

	if err := p.Cancel(ctx, "pi_123", "INK-ABC123:expire:1"); err != nil {
		t.Fatal(err)
	}
	if err := p.Cancel(ctx, "seti_123", "INK-ABC123:expire:2"); err != nil {
		t.Fatal(err)
	}
	log = accepted(t, rec.take(), 2)
	if log[0].path != "/v1/payment_intents/pi_123/cancel" || log[0].key != "INK-ABC123:expire:1" ||
		log[1].path != "/v1/setup_intents/seti_123/cancel" || log[1].key != "INK-ABC123:expire:2" {
		t.Errorf("Cancel sent %+v", log)
	}
}

// stripe-mock does validate: a request outside Stripe's spec is refused
// with invalid_request_error, which we report as ErrRejected.
func TestStripeMockRejectsWhatStripeWould(t *testing.T) {
	_, _, base := mockProvider(t)
	for name, form := range map[string]string{
		"unknown parameter":   "amount=100&currency=eur&room_upgrade=true",
		"amount not a number": "amount=ten&currency=eur",
	} {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/payment_intents", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("sk_test_innkeeper", "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte("invalid_request_error")) {
			t.Errorf("%s: stripe-mock answered %d %s", name, resp.StatusCode, body)
		}
	}

}

// What we refuse before sending: nothing reaches the provider.
func TestInvalidRequestsAreNotSent(t *testing.T) {
	p, rec, _ := mockProvider(t)
	ctx := context.Background()
	ok := payments.Payment{Amount: 100, Currency: "EUR", PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-A:prepay:1"}
	for name, mod := range map[string]func(*payments.Payment){
		"no amount":       func(p *payments.Payment) { p.Amount = 0 },
		"negative":        func(p *payments.Payment) { p.Amount = -100 },
		"no key":          func(p *payments.Payment) { p.IdempotencyKey = " " },
		"long key":        func(p *payments.Payment) { p.IdempotencyKey = strings.Repeat("k", 256) },
		"card number":     func(p *payments.Payment) { p.PaymentMethod = "4242424242424242" },
		"no currency":     func(p *payments.Payment) { p.Currency = "" },
		"KWD not 0-ended": func(p *payments.Payment) { p.Currency, p.Amount = "KWD", 1505 },
	} {
		req := ok
		mod(&req)
		if _, err := p.Pay(ctx, req); !errors.Is(err, payments.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := p.ChargeSaved(ctx, payments.OffSession{Amount: 100, Currency: "EUR", PaymentMethod: "pm_card_visa",
		IdempotencyKey: "k"}); !errors.Is(err, payments.ErrInvalid) {
		t.Errorf("ChargeSaved without customer: %v", err)
	}
	if _, err := p.Refund(ctx, payments.RefundRequest{Payment: "ch_1", Amount: 100, Currency: "EUR", IdempotencyKey: "k"}); !errors.Is(err, payments.ErrInvalid) {
		t.Errorf("Refund of a charge id: %v", err)
	}
	if err := p.Cancel(ctx, "re_1", "k"); !errors.Is(err, payments.ErrInvalid) {
		t.Errorf("Cancel of a refund: %v", err)
	}
	if log := rec.take(); len(log) != 0 {
		t.Errorf("sent %d requests", len(log))
	}
}

// A provider that never answers is ErrUnavailable within the timeout, and
// so is one that refuses connections.
func TestUnavailableWithinTheDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	silent := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_x", URL: "http://" + ln.Addr().String(),
		Timeout: 300 * time.Millisecond, MaxRetries: 2})
	start := time.Now()
	_, err = silent.Pay(context.Background(), payments.Payment{Amount: 100, Currency: "EUR", PaymentMethod: "pm_card_visa",
		IdempotencyKey: "INK-A:prepay:1"})
	took := time.Since(start)
	if !errors.Is(err, payments.ErrUnavailable) {
		t.Fatalf("silent provider: %v, want ErrUnavailable", err)
	}
	if took > time.Second {
		t.Errorf("took %v with a 300ms timeout", took)
	}

	// A port nothing listens on.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	closed.Close()
	refused := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_x", URL: "http://" + addr, Timeout: time.Second})
	if err := refused.Cancel(context.Background(), "pi_1", "k"); !errors.Is(err, payments.ErrUnavailable) {
		t.Errorf("refused connection: %v, want ErrUnavailable", err)
	}
}

// stripe-mock answers fixtures, never a decline or an authentication; the
// mapping of those answers is checked against Stripe's documented bodies,
// served as Stripe serves them.
func TestStripeAnswersMapToOurs(t *testing.T) {
	declined := `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds",
		"message":"Your card has insufficient funds.","payment_intent":{"id":"pi_declined","object":"payment_intent",
		"amount":57800,"currency":"jpy","status":"requires_payment_method"}}}`
	action := `{"id":"pi_3ds","object":"payment_intent","amount":57800,"currency":"jpy","status":"requires_action",
		"client_secret":"pi_3ds_secret_abc","next_action":{"type":"use_stripe_sdk","use_stripe_sdk":{}}}`
	offSessionAuth := `{"error":{"type":"card_error","code":"authentication_required","decline_code":"authentication_required",
		"message":"Your card requires authentication.","payment_intent":{"id":"pi_off","object":"payment_intent",
		"amount":9000,"currency":"eur","status":"requires_payment_method"}}}`
	missing := `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"payment_method",
		"message":"No such PaymentMethod: 'pm_nope'"}}`
	unexpected := `{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state",
		"message":"You cannot cancel this PaymentIntent because it has a status of succeeded."}}`
	reused := `{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}`
	outage := `{"error":{"type":"api_error","message":"An unknown error occurred"}}`
	badKey := `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_x"}}`

	var answer struct {
		sync.Mutex
		status int
		body   string
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer.Lock()
		defer answer.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Stripe-Should-Retry", "false")
		w.WriteHeader(answer.status)
		_, _ = io.WriteString(w, answer.body)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	p := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_x", URL: "http://" + ln.Addr().String()})
	ctx := context.Background()
	serve := func(status int, body string) {
		answer.Lock()
		answer.status, answer.body = status, body
		answer.Unlock()
	}
	pay := payments.Payment{Amount: 57800, Currency: "JPY", PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-A:prepay:1"}

	serve(http.StatusPaymentRequired, declined)
	res, err := p.Pay(ctx, pay)
	if err != nil || res.Status != payments.StatusDeclined || res.ID != "pi_declined" || res.Amount != 57800 ||
		res.Currency != "JPY" || res.Decline == nil || res.Decline.Code != "insufficient_funds" ||
		res.Decline.Message != "Your card has insufficient funds." {
		t.Errorf("declined: %+v %+v, %v", res, res.Decline, err)
	}

	serve(http.StatusOK, action)
	res, err = p.Pay(ctx, pay)
	if err != nil || res.Status != payments.StatusRequiresAction || res.ClientSecret != "pi_3ds_secret_abc" ||
		res.NextAction == nil || res.NextAction.Type != "use_stripe_sdk" {
		t.Errorf("requires action: %+v, %v", res, err)
	}

	serve(http.StatusPaymentRequired, offSessionAuth)
	res, err = p.ChargeSaved(ctx, payments.OffSession{Amount: 9000, Currency: "EUR", Customer: "cus_1",
		PaymentMethod: "pm_1", IdempotencyKey: "INK-A:no-show:1"})
	if err != nil || res.Status != payments.StatusDeclined || res.Decline.Code != "authentication_required" || res.ID != "pi_off" {
		t.Errorf("off-session authentication: %+v, %v", res, err)
	}

	for _, c := range []struct {
		status int
		body   string
		call   func() error
		want   error
	}{
		{http.StatusBadRequest, missing, func() error { _, err := p.Pay(ctx, pay); return err }, payments.ErrPaymentMethod},
		{http.StatusBadRequest, unexpected, func() error { return p.Cancel(ctx, "pi_1", "k") }, payments.ErrState},
		{http.StatusBadRequest, reused, func() error { _, err := p.Pay(ctx, pay); return err }, payments.ErrIdempotency},
		{http.StatusUnauthorized, badKey, func() error { _, err := p.Pay(ctx, pay); return err }, payments.ErrRejected},
		{http.StatusInternalServerError, outage, func() error { _, err := p.Pay(ctx, pay); return err }, payments.ErrUnavailable},
	} {
		serve(c.status, c.body)
		if err := c.call(); !errors.Is(err, c.want) {
			t.Errorf("%d %.60s: %v, want %v", c.status, c.body, err, c.want)
		}
	}
}

// The same booking retried 20 times at once sends one key, the same body
// every time, so Stripe runs the charge once and replays its answer.
func TestRetriedPaymentSendsOneKey(t *testing.T) {
	p, rec, _ := mockProvider(t)
	key := payments.IdempotencyKey("INK-ABC123", "prepay", 1)
	if key != "INK-ABC123:prepay:1" {
		t.Fatalf("key %q", key)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Pay(context.Background(), payments.Payment{Amount: 16150, Currency: "EUR",
				PaymentMethod: "pm_card_visa", IdempotencyKey: key, Reservation: "INK-ABC123"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	log := accepted(t, rec.take(), 20)
	for _, x := range log {
		if x.key != key || x.form.Encode() != log[0].form.Encode() {
			t.Errorf("request with key %q form %v; first had %v", x.key, x.form, log[0].form)
		}
	}
}
