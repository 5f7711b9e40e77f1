package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeStage answers as the API, its /metrics, Mailpit and the WebSocket
// API would, from one server, and checks what the smoke test sends.
type fakeStage struct {
	// uncounted leaves the request counter alone, as a broken metrics
	// pipeline would.
	uncounted bool
	// unrecorded: the worker never records the confirmation as sent.
	unrecorded bool

	mu        sync.Mutex
	requests  int
	posted    int // bookings sent, paid or not
	created   int
	guest     string
	mail      []string
	worker    bool // the confirmation is queued for the worker
	cancelled bool
	tickets   int             // WebSocket tickets sold
	reads     int             // desk records read
	used      map[string]bool // tickets spent
}

const (
	fakeRef   = "INK-SMOKE1"
	fakeToken = "rat_fake-token"
	fakeKey   = "metrics-token"
	// fakeStaffKey buys WebSocket tickets.
	fakeStaffKey = "ink_staff_fake-staff-key"
)

func (f *fakeStage) handler() http.Handler {
	mux := http.NewServeMux()
	js := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintln(w, body)
	}
	ok := func(w http.ResponseWriter, r *http.Request) { js(w, 200, `{"status":"ok"}`) }
	mux.HandleFunc("GET /livez", ok)
	mux.HandleFunc("GET /readyz", ok)
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		js(w, 200, `{"status":"warning","version":"v9.9.9","warnings":["outbox lag 40s"]}`)
	})
	mux.HandleFunc("GET /v1/hotels", func(w http.ResponseWriter, r *http.Request) {
		js(w, 200, `{"hotels":[{"slug":"new-york-midtown"},{"slug":"lisbon-riverside"}]}`)
	})
	mux.HandleFunc("GET /v1/hotels/{slug}/availability", func(w http.ResponseWriter, r *http.Request) {
		want := time.Now().UTC().AddDate(0, 0, 45).Format(time.DateOnly)
		if r.PathValue("slug") != "lisbon-riverside" || r.URL.Query().Get("check_in") != want || r.URL.Query().Get("adults") != "2" {
			js(w, 422, `{"title":"Invalid request","detail":"unexpected search `+r.URL.RawQuery+`"}`)
			return
		}
		// The demo's policies: the refundable guarantee is the one to
		// book (nothing charged); a deposit moves money, a prepayment is
		// not refunded.
		js(w, 200, `{"offers":[
			{"room_type":"STD","rate_plan":"STD-NR","available":3,"refundable":false,"payment":{"policy":"prepay"}},
			{"room_type":"DLX","rate_plan":"DLX-FLEX","available":2,"refundable":true,"payment":{"policy":"deposit"}},
			{"room_type":"FAM","rate_plan":"FAM-FLEX","available":0,"refundable":true,"payment":{"policy":"guarantee"}},
			{"room_type":"STD","rate_plan":"STD-FLEX","available":3,"refundable":true,"payment":{"policy":"guarantee"}}]}`)
	})
	mux.HandleFunc("POST /v1/reservations", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			RoomType string `json:"room_type"`
			RatePlan string `json:"rate_plan"`
			Guest    struct {
				Name, Email string
			} `json:"guest"`
			Payment *struct {
				PaymentMethod string `json:"payment_method"`
			} `json:"payment"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.mu.Lock()
		f.posted++
		f.mu.Unlock()
		// The stage takes payments: a booking without a card is a 422,
		// as the API's.
		if req.Payment == nil || req.Payment.PaymentMethod != TestCard {
			js(w, 422, `{"title":"Invalid request","detail":"payment.payment_method is required"}`)
			return
		}
		if len(r.Header.Get("Idempotency-Key")) != 36 || req.RatePlan != "STD-FLEX" || req.Guest.Name != "Smoke Test" ||
			!strings.HasPrefix(req.Guest.Email, "smoke+") {
			js(w, 422, `{"title":"Invalid request","detail":"unexpected booking"}`)
			return
		}
		f.mu.Lock()
		f.created++
		f.guest = req.Guest.Email
		f.worker = true
		f.mu.Unlock()
		js(w, 201, `{"reservation":{"reference":"`+fakeRef+`","status":"confirmed"},"access_token":"`+fakeToken+`"}`)
	})
	mux.HandleFunc("GET /v1/reservations/{ref}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeToken {
			js(w, 404, `{"title":"Not found","detail":"no such reservation"}`)
			return
		}
		js(w, 200, `{"reservation":{"reference":"`+fakeRef+`","status":"confirmed"}}`)
	})
	mux.HandleFunc("POST /v1/reservations/{ref}/cancel", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeToken || r.Header.Get("Idempotency-Key") == "" {
			js(w, 404, `{"title":"Not found","detail":"no such reservation"}`)
			return
		}
		f.mu.Lock()
		f.cancelled = true
		f.mail = append(f.mail, "Booking cancelled: "+fakeRef+" at Riverside")
		f.mu.Unlock()
		js(w, 200, `{"reservation":{"reference":"`+fakeRef+`","status":"cancelled"}}`)
	})
	// The desk record lists the emails the worker recorded as sent: the
	// confirmation from the second read on, as a worker a moment behind.
	mux.HandleFunc("GET /v1/admin/reservations/{ref}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeStaffKey {
			js(w, 401, `{"title":"Unauthorized","detail":"a staff key is required"}`)
			return
		}
		if r.PathValue("ref") != fakeRef {
			js(w, 404, `{"title":"Not found","detail":"no such reservation"}`)
			return
		}
		f.mu.Lock()
		f.reads++
		recorded := f.created > 0 && f.reads > 1 && !f.unrecorded
		f.mu.Unlock()
		emails := `[{"kind":"staff-booking","message_id":"<s@x>","sent_at":"2026-12-01T10:00:01Z"}]`
		if recorded {
			emails = `[{"kind":"confirmation","message_id":"<c@x>","sent_at":"2026-12-01T10:00:02Z"},` + emails[1:]
		}
		js(w, 200, `{"reservation":{"reference":"`+fakeRef+`","status":"confirmed"},"emails":`+emails+`}`)
	})
	api := f.counted(mux)

	outer := http.NewServeMux()
	outer.Handle("/", api)
	outer.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeKey {
			js(w, 401, `{"title":"Unauthorized","detail":"GET /metrics needs the bearer token METRICS_TOKEN."}`)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE hotel_http_requests_total counter\n"+
			"hotel_http_requests_total{method=\"GET\",route=\"GET /livez\",status=\"200\"} 1000\n"+
			"hotel_http_requests_total{method=\"GET\",route=\"GET /v1/hotels\",status=\"200\"} %d\n"+
			"# TYPE hotel_bookings_total counter\n"+
			"hotel_bookings_total{hotel=\"lisbon-riverside\",status=\"created\"} %d\n"+
			"hotel_bookings_total{hotel=\"lisbon-riverside\",status=\"cancelled\"} 7\n", f.requests, 40+f.created)
	})
	outer.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		// The worker gets to the confirmation late, and, as the real one,
		// sends nothing for a booking already cancelled.
		if f.worker {
			f.worker = false
			if !f.cancelled {
				f.mail = append(f.mail, "Booking confirmed: "+fakeRef+" at Riverside", "New booking "+fakeRef+" at Riverside")
			}
		}
		var msgs []map[string]string
		if f.guest != "" && r.URL.Query().Get("query") == "to:"+f.guest {
			for _, s := range f.mail {
				if !strings.HasPrefix(s, "New booking") { // the staff note goes elsewhere
					msgs = append(msgs, map[string]string{"Subject": s})
				}
			}
		}
		raw, _ := json.Marshal(map[string]any{"messages": msgs})
		js(w, 200, string(raw))
	})
	outer.HandleFunc("POST /v1/ws-tickets", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeStaffKey {
			js(w, 401, `{"title":"Unauthorized"}`)
			return
		}
		f.mu.Lock()
		f.tickets++
		ticket := fmt.Sprintf("wst_fake-%d", f.tickets)
		f.mu.Unlock()
		js(w, 201, `{"ticket":"`+ticket+`","expires_at":"2026-12-01T10:00:30Z"}`)
	})
	outer.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		staff := false
		if t := q.Get("ticket"); t != "" {
			f.mu.Lock()
			if f.used == nil {
				f.used = map[string]bool{}
			}
			staff = strings.HasPrefix(t, "wst_fake-") && !f.used[t]
			f.used[t] = true
			f.mu.Unlock()
		}
		// Anyone may connect with nothing (functions/ws: guest token,
		// staff ticket or nobody); what is given must be right.
		anonymous := len(q) == 0
		if !staff && !anonymous && (q.Get("reference") != fakeRef || q.Get("token") != fakeToken) {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			if string(data) == `{"action":"ping"}` {
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribed"}`))
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
			}
		}
	})
	return outer
}

// counted counts the API's requests as the metrics middleware does.
func (f *fakeStage) counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if !f.uncounted {
			f.mu.Lock()
			f.requests++
			f.mu.Unlock()
		}
	})
}

func startFake(t *testing.T, f *fakeStage) Config {
	srv := httptest.NewServer(f.handler())
	t.Cleanup(srv.Close)
	return Config{
		URL: srv.URL, WSURL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws", MailpitURL: srv.URL,
		MetricsToken: fakeKey, StaffKey: fakeStaffKey, Timeout: 2 * time.Second,
	}
}

// lines splits the output and checks every line is a check's or the
// summary.
func lines(t *testing.T, out string) []string {
	t.Helper()
	ls := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range ls {
		last := i == len(ls)-1
		if last != strings.HasPrefix(l, "smoke: ") ||
			!last && !strings.HasPrefix(l, "PASS ") && !strings.HasPrefix(l, "FAIL ") && !strings.HasPrefix(l, "SKIP ") {
			t.Errorf("line %d is neither a check nor the summary: %q", i+1, l)
		}
	}
	return ls
}

var allChecks = []string{"livez", "readyz", "health", "hotels", "metrics-before", "availability", "create-reservation",
	"read-reservation", "email-confirmation", "notice-confirmation", "cancel-reservation", "email-cancellation", "metrics-after", "websocket", "websocket-staff"}

func TestSmokePassesAgainstAWorkingStage(t *testing.T) {
	t.Parallel()
	cfg := startFake(t, &fakeStage{})
	var out bytes.Buffer
	if !Run(context.Background(), cfg, &out) {
		t.Fatalf("Run failed:\n%s", out.String())
	}
	t.Logf("output:\n%s", out.String())
	ls := lines(t, out.String())
	if len(ls) != len(allChecks)+1 {
		t.Fatalf("%d lines, want %d:\n%s", len(ls), len(allChecks)+1, out.String())
	}
	for i, name := range allChecks {
		if !strings.HasPrefix(ls[i], "PASS "+name+" ") || !strings.HasSuffix(ls[i], " ms)") {
			t.Errorf("line %d: %q, want PASS %s … (N ms)", i+1, ls[i], name)
		}
	}
	for _, want := range []string{
		"PASS health 200 warning (outbox lag 40s), version v9.9.9",
		"using lisbon-riverside",
		"using STD/STD-FLEX (3 left, guarantee)",
		"PASS metrics-after 200, hotel_http_requests_total +6 (≥ 6), hotel_bookings_total{status=\"created\"} +1 (≥ 1)",
		"PASS notice-confirmation confirmation of INK-SMOKE1 to smoke+",
		"recorded as sent at 2026-12-01T10:00:02Z (message <c@x>)",
		"PASS websocket pong as guest of INK-SMOKE1",
		"PASS websocket-staff pong as staff with a ticket; the ticket used again is 401",
		"PASS email-confirmation \"Booking confirmed: INK-SMOKE1 at Riverside\" to smoke+",
		"smoke: 15 passed, 0 failed, 0 skipped against " + cfg.URL,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// With NoBooking (production, Stripe live mode) nothing is booked: no
// booking request is sent, and the checks that need one are skipped.
func TestSmokeBooksNothingWithNoBooking(t *testing.T) {
	t.Parallel()
	f := &fakeStage{}
	cfg := startFake(t, f)
	cfg.NoBooking = true
	var out bytes.Buffer
	if !Run(context.Background(), cfg, &out) {
		t.Fatalf("Run failed:\n%s", out.String())
	}
	f.mu.Lock()
	posted := f.posted
	f.mu.Unlock()
	if posted != 0 {
		t.Errorf("%d booking requests sent with NoBooking", posted)
	}
	for _, want := range []string{
		"SKIP create-reservation: NoBooking: this stage takes real money (Stripe live mode); nothing is booked",
		"SKIP read-reservation: no reservation",
		"SKIP cancel-reservation: no reservation",
		"PASS availability ",
		"PASS websocket pong as anonymous (no reservation)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// A stage whose counters do not move fails metrics-after, within its
// wait.
func TestSmokeFailsWhenMetricsDoNotCount(t *testing.T) {
	t.Parallel()
	cfg := startFake(t, &fakeStage{uncounted: true})
	var out bytes.Buffer
	start := time.Now()
	if Run(context.Background(), cfg, &out) {
		t.Fatalf("Run passed:\n%s", out.String())
	}
	if took := time.Since(start); took > metricsWait+5*time.Second {
		t.Errorf("took %v", took)
	}
	want := "FAIL metrics-after: after 5s, hotel_http_requests_total +0 (want ≥ 6), hotel_bookings_total{status=\"created\"} +1 (want ≥ 1)"
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "smoke: 14 passed, 1 failed, 0 skipped") {
		t.Fatalf("want %q:\n%s", want, out.String())
	}
}

// A stage that is not ready and otherwise does not answer at all: readyz
// fails with the problem, every request gives up at its timeout, the
// checks that need an earlier one are skipped, and Run returns.
func TestSmokeFailsFastWhenNotReady(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/livez":
			w.WriteHeader(200)
		case "/readyz":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(500)
			fmt.Fprintln(w, `{"title":"Internal error","status":500,"detail":"redis not answering."}`)
		default:
			select { // hang
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })

	cfg := Config{URL: srv.URL, WSURL: "ws" + strings.TrimPrefix(srv.URL, "http"), MetricsToken: "t", StaffKey: "k",
		Timeout: 300 * time.Millisecond}
	var out bytes.Buffer
	done := make(chan bool)
	go func() { done <- Run(context.Background(), cfg, &out) }()
	select {
	case ok := <-done:
		if ok {
			t.Fatalf("Run passed:\n%s", out.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run hangs")
	}
	ls := lines(t, out.String())
	want := []string{
		"PASS livez 200",
		"FAIL readyz: 500 Internal error: redis not answering.",
		"FAIL health: ",
		"FAIL hotels: ",
		"FAIL metrics-before: ",
		"SKIP availability: no hotel to search (hotels did not pass)",
		"SKIP create-reservation: nothing to book (availability did not pass)",
		"SKIP read-reservation: no reservation",
		"SKIP email-confirmation: no MailpitURL; notice-confirmation reads the worker's record of the mail",
		"SKIP notice-confirmation: no reservation (create-reservation did not pass)",
		"SKIP cancel-reservation: no reservation",
		"SKIP email-cancellation: no MailpitURL; notice-confirmation reads the worker's record of the mail",
		"SKIP metrics-after: no first scrape",
		"FAIL websocket: connect as anonymous (no reservation)",
		"FAIL websocket-staff: POST /v1/ws-tickets: ",
		"smoke: 1 passed, 6 failed, 8 skipped against " + srv.URL,
	}
	if len(ls) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(ls), len(want), out.String())
	}
	for i := range want {
		if !strings.HasPrefix(ls[i], want[i]) {
			t.Errorf("line %d: %q, want %q…", i+1, ls[i], want[i])
		}
	}
}

// A stage without a Mailpit, as deployed: the emails cannot be read, and
// the worker's record of the confirmation is the check, which fails,
// within its wait and saying what the worker recorded, when it never
// shows; without a staff key it is skipped.
func TestSmokeReadsTheWorkersNotice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		unrecorded bool
		staffKey   string
		want       string
	}{
		{"recorded", false, fakeStaffKey, "PASS notice-confirmation confirmation of INK-SMOKE1"},
		{"never recorded", true, fakeStaffKey,
			"FAIL notice-confirmation: no confirmation email of INK-SMOKE1 recorded as sent after 1s (the worker's notices: [\"staff-booking\"])"},
		{"a key the API refuses", false, "ink_wrong", "FAIL notice-confirmation: GET /v1/admin/reservations/INK-SMOKE1: 401 Unauthorized"},
		{"no staff key", false, "", "SKIP notice-confirmation: no StaffKey to read the booking's desk record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := startFake(t, &fakeStage{unrecorded: tt.unrecorded})
			cfg.MailpitURL, cfg.StaffKey, cfg.WSURL, cfg.NoticeWait = "", tt.staffKey, "", time.Second
			var out bytes.Buffer
			start := time.Now()
			Run(context.Background(), cfg, &out)
			if !strings.Contains(out.String(), tt.want) {
				t.Fatalf("want %q:\n%s", tt.want, out.String())
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %v", took)
			}
			if !strings.Contains(out.String(), "SKIP email-confirmation: no MailpitURL") {
				t.Errorf("the Mailpit check ran without a Mailpit:\n%s", out.String())
			}
		})
	}
}

func TestSmokeRefusesABadURL(t *testing.T) {
	var out bytes.Buffer
	if Run(context.Background(), Config{URL: "127.0.0.1:3000"}, &out) {
		t.Fatal("Run passed")
	}
	if want := "FAIL config: URL \"127.0.0.1:3000\" is not an http(s) URL\nsmoke: 0 passed, 1 failed, 0 skipped"; !strings.HasPrefix(out.String(), want) {
		t.Fatalf("got %q", out.String())
	}
}

func TestSmokeParsesCounters(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "metrics.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		text    string
		want    counters
		wantErr bool
	}{
		{name: "an exposition as the metrics function serves it", text: string(golden), want: counters{requests: 57, created: 12}},
		{name: "a fresh stage has neither family", text: "# TYPE hotel_queue_depth gauge\nhotel_queue_depth 0\n"},
		{name: "untyped samples count too", text: "hotel_http_requests_total{route=\"a\"} 2\nhotel_bookings_total{hotel=\"h\",status=\"created\"} 3\n",
			want: counters{requests: 2, created: 3}},
		{name: "not the text format", text: `{"title":"Not found"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCounters([]byte(tt.text))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestSmokeGuestAddress(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"", "smoke+ab12@example.com"},
		{"success@simulator.amazonses.com", "success+smoke-ab12@simulator.amazonses.com"},
		{"success+old@simulator.amazonses.com", "success+smoke-ab12@simulator.amazonses.com"},
		{"not an address", "smoke+ab12@example.com"},
	} {
		if got := guestAddress(tc.base, "ab12"); got != tc.want {
			t.Errorf("guestAddress(%q) = %q, want %q", tc.base, got, tc.want)
		}
	}
}
