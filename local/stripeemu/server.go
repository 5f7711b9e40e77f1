package stripeemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"innkeeper/local/clock"
	"innkeeper/local/loopback"
)

// APIVersion is the version the emulator's objects and events are shaped
// by: stripe-go v82's, so webhook.ConstructEvent accepts the events.
const APIVersion = "2025-08-27.basil"

// Options tune the server.
type Options struct {
	// APIKey, when set, is the only secret key accepted; empty accepts any
	// sk_test_ key.
	APIKey string
	// WebhookURL receives the events; empty records them without sending.
	WebhookURL string
	// WebhookSecret signs the events (whsec_…).
	WebhookSecret string
	// RetryBackoff is the wait before the first retry of a failed
	// delivery, doubled for each next one up to a minute; 1 s when zero.
	RetryBackoff time.Duration
	// MaxAttempts bounds the deliveries of one event (Stripe goes on for
	// three days); 8 when zero.
	MaxAttempts int
	Clock       *clock.Clock // the time objects are created at; nil: real time
	Logger      *slog.Logger // nil: discard
	// Inspect, when set, sees every API request before it is answered,
	// with its body: tests have stripe-mock check that each is one
	// Stripe's published API takes.
	Inspect func(r *http.Request, body []byte)
}

func (o Options) withDefaults() Options {
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Clock == nil {
		o.Clock = &clock.Clock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// ErrClosed is returned by Start on a closed server.
var ErrClosed = errors.New("stripeemu: closed")

// Server is a Stripe test-mode endpoint keeping its objects in memory.
type Server struct {
	o Options

	mu             sync.Mutex
	seq            int64
	paymentIntents map[string]*paymentIntent
	setupIntents   map[string]*setupIntent
	customers      map[string]*customer
	paymentMethods map[string]*paymentMethod // made from test ids
	charges        map[string]*charge
	refunds        map[string]*refund
	events         map[string]*event
	eventOrder     []string
	idem           map[string]*idemEntry
	webhookURL     string
	paused         bool     // events wait in held until ResumeWebhooks
	held           []*event // in the order they happened

	base   string
	srv    *http.Server
	closed bool

	ctx    context.Context // ends the deliveries on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	client *http.Client
}

// New returns a server with no objects; it serves nothing until Start,
// though ServeHTTP may be used as a handler directly.
func New(o Options) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		o:              o.withDefaults(),
		paymentIntents: map[string]*paymentIntent{},
		setupIntents:   map[string]*setupIntent{},
		customers:      map[string]*customer{},
		paymentMethods: map[string]*paymentMethod{},
		charges:        map[string]*charge{},
		refunds:        map[string]*refund{},
		events:         map[string]*event{},
		idem:           map[string]*idemEntry{},
		webhookURL:     o.WebhookURL,
		base:           "http://localhost",
		ctx:            ctx,
		cancel:         cancel,
		client:         &http.Client{Timeout: 10 * time.Second},
	}
}

// Start listens on addr (a loopback address; port 0 picks one) and serves
// in the background; it returns the base URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := loopback.Listen(addr)
	if err != nil {
		return "", fmt.Errorf("stripeemu: %w", err)
	}
	if err := s.listen(ln); err != nil {
		ln.Close()
		return "", err
	}
	loopback.Serve(s.srv, ln, func(err error) {
		s.o.Logger.Error("stripeemu: serve", slog.String("error", err.Error()))
	})
	return s.URL(), nil
}

func (s *Server) listen(ln net.Listener) error {
	addr, err := loopback.Addr(ln)
	if err != nil {
		return fmt.Errorf("stripeemu: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.srv != nil:
		return errors.New("stripeemu: already serving")
	}
	s.base = "http://" + addr.String()
	s.srv = loopback.NewServer(s)
	return nil
}

// URL is the base URL to give stripe-go's backend.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// Close stops serving and ends the deliveries still waiting to retry.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.srv
	s.mu.Unlock()
	s.cancel()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	s.wg.Wait()
	return err
}

// SetWebhookURL points the events from now on (and resends) at url; the
// devstack knows its API's address only once the API listens, after the
// functions were given this server's.
func (s *Server) SetWebhookURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = url
}

// newID makes an id with Stripe's prefix; the counter keeps ids unique
// and sortable within one run.
func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s_emu%014d", prefix, s.seq)
}

func (s *Server) now() int64 { return s.o.Clock.Now().Unix() }

// maxRequestBody bounds a request: Stripe's parameters are small.
const maxRequestBody = 1 << 20

// ServeHTTP routes the API under /v1/ and the controls under /_emulator/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	path := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(path, "/")
	s.o.Logger.Debug("stripeemu: request", slog.String("method", r.Method), slog.String("path", r.URL.Path))
	switch {
	case len(parts) > 0 && parts[0] == "_emulator":
		s.control(w, r, parts[1:])
	case len(parts) > 0 && parts[0] == "v1":
		s.api(w, r, parts[1:])
	default:
		writeError(w, http.StatusNotFound, apiError{Type: typeInvalidRequest, Message: "Unrecognized request URL (" + r.Method + ": " + r.URL.Path + ")."})
	}
}

// api checks the key, reads the form and answers through the idempotency
// cache for writes.
func (s *Server) api(w http.ResponseWriter, r *http.Request, parts []string) {
	key, ok := bearer(r)
	switch {
	case !ok:
		writeError(w, http.StatusUnauthorized, apiError{Type: typeInvalidRequest, Message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."})
		return
	case !strings.HasPrefix(key, "sk_test_") || (s.o.APIKey != "" && key != s.o.APIKey):
		writeError(w, http.StatusUnauthorized, apiError{Type: typeInvalidRequest, Message: "Invalid API Key provided: " + redact(key)})
		return
	}
	if s.o.Inspect != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, http.StatusBadRequest, apiError{Type: typeInvalidRequest, Message: "Invalid request body: " + err.Error()})
			return
		}
		s.o.Inspect(r, body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, apiError{Type: typeInvalidRequest, Message: "Invalid request body: " + err.Error()})
		return
	}
	if r.Method != http.MethodPost {
		status, body := s.route(r, parts)
		writeRaw(w, status, body, false)
		return
	}
	ik := r.Header.Get("Idempotency-Key")
	if ik == "" {
		status, body := s.route(r, parts)
		writeRaw(w, status, body, false)
		return
	}
	status, body, replayed := s.idempotent(key+"\x00"+ik, ik, r.Method+" "+r.URL.Path+"?"+r.PostForm.Encode(), func() (int, []byte) {
		return s.route(r, parts)
	})
	writeRaw(w, status, body, replayed)
}

// route answers one API request with its status and JSON body.
func (s *Server) route(r *http.Request, parts []string) (int, []byte) {
	f := form(r.PostForm)
	if r.Method == http.MethodGet {
		f = form(r.URL.Query())
	}
	n := len(parts)
	resource := ""
	if n > 0 {
		resource = parts[0]
	}
	switch {
	case resource == "payment_intents" && n == 1 && r.Method == http.MethodPost:
		return s.createPaymentIntent(f)
	case resource == "payment_intents" && n == 2 && r.Method == http.MethodGet:
		return s.getPaymentIntent(parts[1])
	case resource == "payment_intents" && n == 3 && parts[2] == "confirm" && r.Method == http.MethodPost:
		return s.confirmPaymentIntent(parts[1], f)
	case resource == "payment_intents" && n == 3 && parts[2] == "cancel" && r.Method == http.MethodPost:
		return s.cancelPaymentIntent(parts[1], f)
	case resource == "setup_intents" && n == 1 && r.Method == http.MethodPost:
		return s.createSetupIntent(f)
	case resource == "setup_intents" && n == 3 && parts[2] == "confirm" && r.Method == http.MethodPost:
		return s.confirmSetupIntent(parts[1], f)
	case resource == "setup_intents" && n == 2 && r.Method == http.MethodGet:
		return s.getSetupIntent(parts[1])
	case resource == "customers" && n == 1 && r.Method == http.MethodPost:
		return s.createCustomer(f)
	case resource == "customers" && n == 2 && r.Method == http.MethodGet:
		return s.getCustomer(parts[1])
	case resource == "refunds" && n == 1 && r.Method == http.MethodPost:
		return s.createRefund(f)
	case resource == "refunds" && n == 2 && r.Method == http.MethodGet:
		return s.getRefund(parts[1])
	case resource == "charges" && n == 2 && r.Method == http.MethodGet:
		return s.getCharge(parts[1])
	case resource == "payment_methods" && n == 2 && r.Method == http.MethodGet:
		return s.getPaymentMethod(parts[1])
	case resource == "events" && n == 2 && r.Method == http.MethodGet:
		return s.getEvent(parts[1])
	}
	return errorBody(http.StatusNotFound, apiError{Type: typeInvalidRequest, Message: "Unrecognized request URL (" + r.Method + ": " + r.URL.Path + ")."})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if k, ok := strings.CutPrefix(h, "Bearer "); ok && k != "" {
		return strings.TrimSpace(k), true
	}
	if u, _, ok := r.BasicAuth(); ok && u != "" {
		return u, true
	}
	return "", false
}

// redact shows a key as Stripe does in its error: the start and the end.
func redact(k string) string {
	if len(k) <= 12 {
		return strings.Repeat("*", len(k))
	}
	return k[:8] + strings.Repeat("*", len(k)-12) + k[len(k)-4:]
}

func writeRaw(w http.ResponseWriter, status int, body []byte, replayed bool) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Stripe-Version", APIVersion)
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"type":"api_error","message":"encode"}}`)
	}
	writeRaw(w, status, b, false)
}

// form reads Stripe's form encoding: scalars by name, hashes as
// name[key].
type form url.Values

func (f form) get(k string) string { return url.Values(f).Get(k) }

func (f form) has(k string) bool { _, ok := f[k]; return ok }

// hash collects name[key]=value pairs (metadata).
func (f form) hash(name string) map[string]string {
	m := map[string]string{}
	for k, v := range f {
		if inner, ok := strings.CutPrefix(k, name+"["); ok && strings.HasSuffix(inner, "]") && len(v) > 0 {
			m[strings.TrimSuffix(inner, "]")] = v[0]
		}
	}
	return m
}
