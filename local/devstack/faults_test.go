package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/local/clock"
	"innkeeper/local/testenv"
	"innkeeper/shared/httpapi"
)

// withEnv overrides some of the stack's settings.
func withEnv(kv map[string]string) func(*Options) {
	return func(o *Options) {
		base := o.Getenv
		o.Getenv = func(k string) string {
			if v, ok := kv[k]; ok {
				return v
			}
			return base(k)
		}
	}
}

// behindProxy puts a proxy in front of the service rawURL names and
// returns the URL that reaches it through the proxy.
func behindProxy(t *testing.T, rawURL string) (*testenv.Proxy, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		port := map[string]string{"postgres": "5432", "postgresql": "5432", "redis": "6379", "rediss": "6379"}[u.Scheme]
		target = net.JoinHostPort(u.Hostname(), port)
	}
	p := testenv.NewProxy(t, target)
	u.Host = p.Addr()
	return p, u.String()
}

// faultClient bounds every request, so a hang is a failed request, not a
// stuck test.
var faultClient = &http.Client{Timeout: 15 * time.Second}

// try is call for goroutines: no t, and it reports how long it took.
func try(method, url string, body any, headers ...string) (reply, time.Duration, error) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return reply{}, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	start := time.Now()
	resp, err := faultClient.Do(req)
	if err != nil {
		return reply{}, time.Since(start), err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	if err != nil {
		return reply{}, took, err
	}
	r := reply{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			return r, took, fmt.Errorf("%s %s: %d, not JSON: %.200s", method, url, resp.StatusCode, raw)
		}
	}
	return r, took, nil
}

// stayBody is a booking of a Queen Room in New York (20 units a night),
// days from today for nights nights, paid with the test card that succeeds.
func stayBody(days, nights int, email string) map[string]any {
	ci := time.Now().UTC().AddDate(0, 0, days)
	return map[string]any{
		"hotel": "nyc-midtown", "room_type": "QUEEN", "rate_plan": "QUEEN-FLEX",
		"check_in": ci.Format(time.DateOnly), "check_out": ci.AddDate(0, 0, nights).Format(time.DateOnly),
		"adults": 2, "rooms": 1, "guest": map[string]any{"name": "Fault Tester", "email": email},
		"payment": card("pm_card_visa"),
	}
}

func searchURL(s *Stack, days int) string {
	ci := time.Now().UTC().AddDate(0, 0, days)
	return s.URL + "/v1/hotels/nyc-midtown/availability?adults=2&check_in=" + ci.Format(time.DateOnly) +
		"&check_out=" + ci.AddDate(0, 0, 2).Format(time.DateOnly)
}

func reference(r reply) string {
	if res, ok := r.body["reservation"].(map[string]any); ok {
		ref, _ := res["reference"].(string)
		return ref
	}
	return ""
}

// isPaymentUnavailable reports whether r is the 503 of a booking held
// whose payment did not complete: the client retries it with the same
// Idempotency-Key.
func isPaymentUnavailable(r reply) bool {
	return r.status == http.StatusServiceUnavailable &&
		r.header.Get("Content-Type") == "application/problem+json" &&
		r.header.Get("Retry-After") != "" &&
		strings.HasSuffix(fmt.Sprint(r.body["type"]), "/payment-unavailable")
}

// isUnavailable reports whether r is the 503 problem a client can retry.
func isUnavailable(r reply) bool {
	return r.status == http.StatusServiceUnavailable &&
		r.header.Get("Content-Type") == "application/problem+json" &&
		r.header.Get("Retry-After") != "" &&
		strings.HasSuffix(fmt.Sprint(r.body["type"]), "/unavailable")
}

// failingChecks is what a /readyz problem names.
func failingChecks(r reply) []string {
	var out []string
	list, _ := r.body["failing"].([]any)
	for _, v := range list {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// stackDB connects straight to the stack's schema, past any proxy.
func stackDB(t *testing.T, s *Stack) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, withSearchPath(testenv.DatabaseURL(), s.opts.SearchPath))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func queryInt(t *testing.T, db *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%v\n%s", err, sql)
	}
	return n
}

// checkNoHalfWrites fails t on any trace of a booking written in part:
// a night sold without a reservation holding it or the other way round,
// an event without its reservation or a reservation without its event,
// a stored 201 without its reservation.
func checkNoHalfWrites(t *testing.T, db *pgx.Conn, appKeys []string) (receipted map[string]bool) {
	t.Helper()
	rows, err := db.Query(context.Background(), `
		WITH held AS (
			SELECT r.room_type_id, n::date AS night, sum(r.rooms)::int AS rooms
			FROM reservations r,
				generate_series(r.check_in::timestamp, (r.check_out - 1)::timestamp, interval '1 day') AS n
			WHERE r.status IN ('held', 'confirmed')
			GROUP BY 1, 2)
		SELECT coalesce(i.room_type_id, h.room_type_id), coalesce(i.night, h.night)::text,
			coalesce(i.sold, 0), coalesce(h.rooms, 0)
		FROM inventory i FULL JOIN held h ON h.room_type_id = i.room_type_id AND h.night = i.night
		WHERE coalesce(i.sold, 0) <> coalesce(h.rooms, 0)
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var roomType int64
		var night string
		var sold, held int
		if err := rows.Scan(&roomType, &night, &sold, &held); err != nil {
			t.Fatal(err)
		}
		t.Errorf("room type %d, night %s: inventory says %d sold, reservations hold %d", roomType, night, sold, held)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, sql string }{
		{"events without their reservation", `SELECT count(*) FROM outbox o
			WHERE NOT EXISTS (SELECT 1 FROM reservations r WHERE r.reference = o.aggregate_id)`},
		{"reservations without an event", `SELECT count(*) FROM reservations r
			WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = r.reference)`},
	}
	for _, c := range checks {
		if n := queryInt(t, db, c.sql); n != 0 {
			t.Errorf("%d %s", n, c.name)
		}
	}
	return checkReceiptsHaveReservations(t, db, appKeys)
}

// checkReceiptsHaveReservations fails t on a stored 201 whose reservation
// is not in the database, and returns the references the stored 201s
// name. Receipt bodies are sealed, so they are opened here with the
// stack's keys, as the API opens them to replay.
func checkReceiptsHaveReservations(t *testing.T, db *pgx.Conn, appKeys []string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Query(ctx, `SELECT scope, key, fingerprint, body FROM idempotency_receipts WHERE status = 201`)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for rows.Next() {
		var scope, key string
		var fp, body []byte
		if err := rows.Scan(&scope, &key, &fp, &body); err != nil {
			t.Fatal(err)
		}
		plain, err := httpapi.OpenReceiptBody(appKeys, scope, key, fp, body)
		if err != nil {
			t.Errorf("stored 201 %s/%s cannot be opened: %v", scope, key, err)
			continue
		}
		var stored struct {
			Reservation struct {
				Reference string `json:"reference"`
			} `json:"reservation"`
		}
		if err := json.Unmarshal(plain, &stored); err != nil || stored.Reservation.Reference == "" {
			t.Errorf("stored 201 %s/%s has no reservation reference: %v %q", scope, key, err, plain)
			continue
		}
		refs = append(refs, stored.Reservation.Reference)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	n := queryInt(t, db, `SELECT count(DISTINCT reference) FROM reservations WHERE reference = ANY($1)`, refs)
	set := distinct(refs)
	if n != len(set) {
		t.Errorf("%d stored 201s without their reservation", len(set)-n)
	}
	return set
}

func distinct(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

// faultStack is one devstack with its dependencies behind proxies the
// test controls: PostgreSQL, Redis and SQS behind proxies it can cut, the
// mail server behind one it can stall. Starting a stack is most of a
// fault test's time (every function built and linked, on two cores), so
// the faults share one and take turns.
type faultStack struct {
	*Stack
	log                  *lockedBuffer
	toPG, toRedis, toSQS *testenv.Proxy
	toSMTP               *testenv.StallProxy
	// stallPG sits behind toPG: it can make PostgreSQL go silent, its
	// connections open and no reply coming back.
	stallPG *testenv.StallProxy
	toWS    *testenv.StallProxy // the @connections endpoint, as the functions reach it
	mail    *testenv.Mailpit
	clock   *clock.Clock
	db      *pgx.Conn // straight to the stack's schema, past the proxy
}

func startFaultStack(t *testing.T) *faultStack {
	t.Helper()
	f := &faultStack{mail: testenv.StartMailpit(t), clock: &clock.Clock{}}
	var dbURL, redisURL string
	var pgURL string
	f.stallPG, pgURL = testenv.StallDatabase(t)
	f.toPG, dbURL = behindProxy(t, pgURL)
	f.toRedis, redisURL = behindProxy(t, testenv.RedisURL())
	sqsAddr := testenv.FreeAddr(t)
	f.toSQS = testenv.NewProxy(t, sqsAddr)
	f.toSMTP = testenv.NewStallProxy(t, f.mail.SMTPAddr)
	wsAddr := testenv.FreeAddr(t)
	f.toWS = testenv.NewStallProxy(t, wsAddr)
	// RATE_LIMITS=off: no rate limit gets in the way of the load.
	env := map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": redisURL, "RATE_LIMITS": "off", "METRICS_TOKEN": faultMetricsToken}
	f.Stack, f.log = startStack(t, withEnv(env), func(o *Options) {
		o.SQSAddr, o.SQSEndpoint = sqsAddr, "http://"+f.toSQS.Addr()
		o.WSAddr, o.WSManagementAddr = wsAddr, f.toWS.Addr()
		o.SMTPAddr, o.Clock, o.NoSchedules = f.toSMTP.Addr(), f.clock, true
	})
	f.db = stackDB(t, f.Stack)
	return f
}

// outage cuts p until restore is called, or until t ends, so a fault
// that fails midway leaves the next one a whole stack.
func outage(t *testing.T, p *testenv.Proxy) (restore func()) {
	p.Cut()
	restored := false
	restore = func() {
		if !restored {
			restored = true
			p.Restore()
		}
	}
	t.Cleanup(restore)
	return restore
}

// fireSweep runs the outbox-sweep schedule now, through the control
// endpoint.
func (f *faultStack) fireSweep(t *testing.T) map[string]any {
	t.Helper()
	r := call(t, "POST", f.ControlURL+"/_devstack/schedules/outbox-sweep/fire", nil)
	if r.status != http.StatusOK {
		t.Fatalf("fire outbox-sweep: %d %v", r.status, r.body)
	}
	return r.body
}

// expectOnce fails t unless each reference's confirmation and staff note
// arrived exactly once.
func (f *faultStack) expectOnce(t *testing.T, refs []string) {
	t.Helper()
	for _, ref := range refs {
		for _, subject := range []string{"Booking confirmed: " + ref, "New booking " + ref} {
			if n := f.mail.Count(t, subject); n != 1 {
				t.Errorf("%q arrived %d times", subject, n)
			}
		}
	}
}

// TestFaults runs each fault against one stack, in turn.
func TestFaults(t *testing.T) {
	f := startFaultStack(t)
	t.Run("PostgresCutMidLoad", func(t *testing.T) { faultPostgresCutMidLoad(t, f) })
	t.Run("SilentDatabase", func(t *testing.T) { faultSilentDatabase(t, f) })
	t.Run("RedisDown", func(t *testing.T) { faultRedisDown(t, f) })
	t.Run("SQSUnreachableWhileBooking", func(t *testing.T) { faultSQSUnreachable(t, f) })
	t.Run("WorkerKilledMidBatch", func(t *testing.T) { faultWorkerKilledMidBatch(t, f) })
	t.Run("WebSocketFlood", func(t *testing.T) { faultWebSocketFlood(t, f) })
}

// outcome is one request of the load.
type outcome struct {
	op         string
	start, end time.Time
	r          reply
	err        error
	// body and key are a booking's, to send it again.
	body map[string]any
	key  string
}

// PostgreSQL goes away under load and comes back: every request answers
// fast with a 503 the client can retry, readiness names the database,
// the stack recovers by itself, and no booking is left half-written.
func faultPostgresCutMidLoad(t *testing.T, f *faultStack) {
	mark := len(f.log.String())
	// Warm: one api environment per client of the load, so cold starts
	// on a busy machine are not what the 2 s bound measures.
	var warm sync.WaitGroup
	for range 5 {
		warm.Go(func() { _, _, _ = try("GET", searchURL(f.Stack, 9), nil) })
	}
	warm.Wait()

	// Load: three guests booking, two searching, until stopped.
	var mu sync.Mutex
	var results []outcome
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 5 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				o := outcome{op: "search", start: time.Now()}
				if g < 3 {
					o.op, o.body, o.key = "book", stayBody(5+rand.IntN(100), 1+rand.IntN(3), "load@example.com"), fmt.Sprintf("fault-pg-%d-%d", g, i)
					o.r, _, o.err = try("POST", f.URL+"/v1/reservations", o.body, "Idempotency-Key", o.key)
				} else {
					o.r, _, o.err = try("GET", searchURL(f.Stack, 5+rand.IntN(100)), nil)
				}
				o.end = time.Now()
				mu.Lock()
				results = append(results, o)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	stopLoad := func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}
	defer stopLoad()
	time.Sleep(2 * time.Second)

	cutAt := time.Now()
	restore := outage(t, f.toPG)
	time.Sleep(1500 * time.Millisecond)
	ready, took, err := try("GET", f.URL+"/readyz", nil)
	if err != nil || !isUnavailable(ready) || !slices.Contains(failingChecks(ready), "postgres") || took > 2*time.Second {
		t.Errorf("/readyz with PostgreSQL cut: %d %v %v after %v", ready.status, ready.body, err, took)
	}
	time.Sleep(1500 * time.Millisecond)
	restoredAt := time.Now()
	restore()

	// Back without restarting anything: a booking and a search succeed.
	var recoveredAt time.Time
	for deadline := time.Now().Add(10 * time.Second); recoveredAt.IsZero(); time.Sleep(100 * time.Millisecond) {
		b, _, berr := try("POST", f.URL+"/v1/reservations", stayBody(7, 1, "back@example.com"),
			"Idempotency-Key", fmt.Sprintf("fault-pg-back-%d", time.Now().UnixNano()))
		q, _, qerr := try("GET", searchURL(f.Stack, 7), nil)
		if berr == nil && qerr == nil && b.status == http.StatusCreated && q.status == http.StatusOK {
			recoveredAt = time.Now()
		} else if time.Now().After(deadline) {
			t.Fatalf("not back 10 s after PostgreSQL returned: book %d %v %v, search %d %v", b.status, b.body, berr, q.status, qerr)
		}
	}
	t.Logf("back %v after the restore", recoveredAt.Sub(restoredAt).Round(time.Millisecond))
	time.Sleep(time.Second)
	stopLoad()
	if r := call(t, "GET", f.URL+"/readyz", nil); r.status != http.StatusOK {
		t.Errorf("/readyz after the restore: %d %v", r.status, r.body)
	}

	// Every request: an answer within 2 s; during the cut, the retryable
	// 503; never a 500.
	var duringCut, unavailable, booked int
	var slowest time.Duration
	var refs []string
	var unpaid []outcome // holds whose payment the cut interrupted
	for _, o := range results {
		took := o.end.Sub(o.start)
		slowest = max(slowest, took)
		at := o.start.Sub(cutAt).Round(time.Millisecond)
		if o.err != nil {
			t.Errorf("%s at %v from the cut: %v after %v", o.op, at, o.err, took)
			continue
		}
		if took > 2*time.Second {
			t.Errorf("%s at %v from the cut took %v: %d", o.op, at, took, o.r.status)
		}
		inCut := o.start.After(cutAt) && o.end.Before(restoredAt)
		if inCut {
			duringCut++
		}
		switch {
		case isUnavailable(o.r):
			unavailable++
			if o.end.Before(cutAt) || o.start.After(recoveredAt) {
				t.Errorf("%s at %v from the cut: 503 outside the outage", o.op, at)
			}
		case o.op == "book" && isPaymentUnavailable(o.r):
			// Held, and the cut came before its payment was recorded:
			// the retryable 503 naming the hold. Sent again below.
			unavailable++
			unpaid = append(unpaid, o)
			if o.end.Before(cutAt) || o.start.After(recoveredAt) {
				t.Errorf("%s at %v from the cut: 503 outside the outage", o.op, at)
			}
		case inCut && o.op == "search" && o.r.status == http.StatusOK:
			// A search can be answered without the database: from the
			// availability cache, or on a connection the cut had not
			// reached yet. A booking never can.
		case inCut:
			t.Errorf("%s at %v from the cut: %d %v", o.op, at, o.r.status, o.r.body)
		case o.op == "book" && o.r.status == http.StatusCreated:
			booked++
			refs = append(refs, reference(o.r))
		case o.op == "book" && o.r.status == http.StatusConflict:
		case o.op == "search" && o.r.status == http.StatusOK:
		default:
			t.Errorf("%s at %v from the cut: %d %v", o.op, at, o.r.status, o.r.body)
		}
	}
	// A hold whose payment the cut interrupted: the same request again,
	// as its 503 says, pays it once and books it.
	for _, o := range unpaid {
		r, _, err := try("POST", f.URL+"/v1/reservations", o.body, "Idempotency-Key", o.key)
		if err != nil || r.status != http.StatusCreated || !strings.Contains(fmt.Sprint(o.r.body["detail"]), reference(r)) {
			t.Errorf("the booking %s again after the cut's 503 (%v): %d %v %v", o.key, o.r.body["detail"], r.status, r.body, err)
			continue
		}
		booked++
		refs = append(refs, reference(r))
	}
	t.Logf("%d requests, %d during the cut, %d answered 503 (%d holds paid again), %d booked; slowest %v",
		len(results), duringCut, unavailable, len(unpaid), booked, slowest)
	if duringCut < 10 || booked < 3 {
		t.Fatalf("the load missed the outage: %d requests during the cut, %d bookings", duringCut, booked)
	}
	for _, line := range strings.Split(f.log.String()[mark:], "\n") {
		if strings.HasPrefix(line, "api ") && strings.Contains(line, "\tStatus: ") {
			t.Errorf("an api invocation failed or timed out: %s", line)
		}
	}

	receipted := checkNoHalfWrites(t, f.db, []string{f.cfg.AppKey, f.cfg.AppKeyNext})
	for _, ref := range refs {
		if !receipted[ref] {
			t.Errorf("booking %s answered 201 but no stored 201 names it", ref)
		}
	}
	if n := queryInt(t, f.db, `SELECT count(*) FROM reservations WHERE reference = ANY($1) AND status = 'confirmed'`, refs); n != len(refs) {
		t.Errorf("%d of the %d bookings answered 201 are confirmed in the database", n, len(refs))
	}
}

// PostgreSQL stops answering without closing anything (a network that
// drops packets, a frozen instance): every request that needs it is a
// retryable 503 within 2 s, not a wait for the request timeout, no
// function invocation times out, and the stack recovers by itself.
func faultSilentDatabase(t *testing.T, f *faultStack) {
	warm := stayBody(40, 1, "silent-db@example.com")
	first := call(t, "POST", f.URL+"/v1/reservations", warm, "Idempotency-Key", "fault-silent-0")
	if first.status != http.StatusCreated {
		t.Fatalf("book before: %d %v", first.status, first.body)
	}
	mark := len(f.log.String())
	f.stallPG.Stall()
	stalled := true
	resume := func() {
		if stalled {
			stalled = false
			f.stallPG.Resume()
		}
	}
	t.Cleanup(resume)

	requests := []struct {
		what, method, url string
		body              any
		headers           []string
	}{
		{"book", "POST", f.URL + "/v1/reservations", stayBody(41, 1, "silent-db@example.com"), []string{"Idempotency-Key", "fault-silent-1"}},
		{"staff list", "GET", f.URL + "/v1/admin/hotels/nyc-midtown/reservations", nil, []string{"Authorization", "Bearer " + f.AdminKey}},
		{"book again", "POST", f.URL + "/v1/reservations", stayBody(42, 1, "silent-db@example.com"), []string{"Idempotency-Key", "fault-silent-2"}},
	}
	for _, rq := range requests {
		r, took, err := try(rq.method, rq.url, rq.body, rq.headers...)
		if err != nil {
			t.Errorf("%s with the database silent: %v after %v", rq.what, err, took)
			continue
		}
		if !isUnavailable(r) {
			t.Errorf("%s with the database silent: %d %v %v", rq.what, r.status, r.header, r.body)
		}
		if took > 2*time.Second {
			t.Errorf("%s with the database silent took %v", rq.what, took)
		}
	}
	resume()

	// Recovered: the same booking goes through once the database answers.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, _, err := try("POST", f.URL+"/v1/reservations", stayBody(41, 1, "silent-db@example.com"), "Idempotency-Key", "fault-silent-1")
		if err == nil && r.status == http.StatusCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no booking 10 s after the database answers again: %d %v %v", r.status, r.body, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, line := range strings.Split(f.log.String()[mark:], "\n") {
		if strings.HasPrefix(line, "api ") && strings.Contains(line, "\tStatus: ") {
			t.Errorf("an api invocation failed or timed out: %s", line)
		}
	}
	checkNoHalfWrites(t, f.db, []string{f.cfg.AppKey, f.cfg.AppKeyNext})
}

// Redis is an accelerator: with it gone, guests still book, search and
// retry safely, health says it is failing, and mail still goes out.
func faultRedisDown(t *testing.T, f *faultStack) {
	if r := call(t, "GET", f.URL+"/readyz", nil); r.status != http.StatusOK {
		t.Fatalf("/readyz before: %d %v", r.status, r.body)
	}
	mark := len(f.log.String())
	restore := outage(t, f.toRedis)
	timed := func(what string, method, url string, body any, headers ...string) reply {
		t.Helper()
		r, took, err := try(method, url, body, headers...)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if took > 2*time.Second {
			t.Errorf("%s took %v with Redis down", what, took)
		}
		return r
	}
	body := stayBody(20, 2, "redis-down@example.com")
	first := timed("book", "POST", f.URL+"/v1/reservations", body, "Idempotency-Key", "fault-redis-1")
	if first.status != http.StatusCreated {
		t.Fatalf("book with Redis down: %d %v", first.status, first.body)
	}
	ref := reference(first)
	again := timed("replay", "POST", f.URL+"/v1/reservations", body, "Idempotency-Key", "fault-redis-1")
	if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || reference(again) != ref {
		t.Errorf("replay with Redis down: %d %v %v", again.status, again.header, again.body)
	}
	other := stayBody(21, 1, "redis-down@example.com")
	if r := timed("same key, other body", "POST", f.URL+"/v1/reservations", other, "Idempotency-Key", "fault-redis-1"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("same key, other body with Redis down: %d %v", r.status, r.body)
	}
	if r := timed("search", "GET", searchURL(f.Stack, 20), nil); r.status != http.StatusOK || len(r.body["offers"].([]any)) == 0 {
		t.Errorf("search with Redis down: %d %v", r.status, r.body)
	}

	// Readiness names Redis and not the database (README: 200 only if
	// PostgreSQL and Redis both answer); /health warns without failing,
	// Redis not being a critical check. (PostgreSQL may warn too: slow
	// on a busy machine.)
	ready := timed("readyz", "GET", f.URL+"/readyz", nil)
	if failing := failingChecks(ready); !isUnavailable(ready) || !slices.Contains(failing, "redis") || slices.Contains(failing, "postgres") {
		t.Errorf("/readyz with Redis down: %d %v", ready.status, ready.body)
	}
	health := timed("health", "GET", f.URL+"/health", nil, "Authorization", "Bearer "+faultMetricsToken)
	checkPublicHealth(t, timed("public health", "GET", f.URL+"/health", nil))
	checks := map[string]string{}
	list, _ := health.body["checks"].([]any)
	for _, c := range list {
		if c, ok := c.(map[string]any); ok {
			checks[fmt.Sprint(c["name"])] = fmt.Sprint(c["status"])
		}
	}
	if health.status != http.StatusOK || health.body["status"] != "warning" || checks["redis"] != "failed" || checks["postgres"] == "failed" {
		t.Errorf("/health with Redis down: %d %v", health.status, health.body)
	}

	// The worker, which pushes through Redis before it mails, still mails.
	f.mail.WaitFor(t, "Booking confirmed: "+ref, 1, 15*time.Second)
	out := f.log.String()[mark:]
	at := strings.Index(strings.ToLower(out), "redis")
	if at < 0 {
		t.Errorf("no log line about Redis while it was down:\n%s", out)
	} else {
		line, _, _ := strings.Cut(out[strings.LastIndex(out[:at], "\n")+1:], "\n")
		t.Logf("logged: %.300s", line)
	}

	restore()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r, _, err := try("GET", f.URL+"/readyz", nil)
		if err == nil && r.status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz 10 s after Redis returned: %d %v %v", r.status, r.body, err)
		}
	}
	if n := f.mail.Count(t, "Booking confirmed: "+ref); n != 1 {
		t.Errorf("confirmation arrived %d times", n)
	}
}

// SQS cannot be reached while guests book: the bookings succeed, their
// events wait in the outbox, and once SQS is back the sweep sends them,
// so every guest gets their confirmation exactly once.
func faultSQSUnreachable(t *testing.T, f *faultStack) {
	// Stripe's webhooks of the bookings' payments are events of their
	// own, written whenever Stripe sends them: held back, they cannot
	// land between the last sweep and the count of what it left.
	f.payments.PauseWebhooks()
	defer f.payments.ResumeWebhooks()
	restore := outage(t, f.toSQS)
	var refs []string
	for i := range 3 {
		r, took, err := try("POST", f.URL+"/v1/reservations", stayBody(30+i, 1, fmt.Sprintf("sqs-%d@example.com", i)),
			"Idempotency-Key", fmt.Sprintf("fault-sqs-%d", i))
		if err != nil || r.status != http.StatusCreated {
			t.Fatalf("book %d with SQS unreachable: %d %v %v", i, r.status, r.body, err)
		}
		if took > 2*time.Second {
			t.Errorf("book %d took %v with SQS unreachable", i, took)
		}
		refs = append(refs, reference(r))
	}
	// Every event of the three bookings waits in the outbox: each has
	// its creation and its payment's.
	waiting := `SELECT count(*) FROM outbox WHERE aggregate_id = ANY($1) AND published_at IS NULL`
	events := queryInt(t, f.db, `SELECT count(*) FROM outbox WHERE aggregate_id = ANY($1)`, refs)
	if n := queryInt(t, f.db, waiting, refs); n < 3 || n != events {
		t.Fatalf("%d of the 3 bookings' %d events wait in the outbox", n, events)
	}
	if r := call(t, "GET", f.URL+"/readyz", nil); !isUnavailable(r) || !slices.Contains(failingChecks(r), "sqs") {
		t.Errorf("/readyz with SQS unreachable: %d %v", r.status, r.body)
	}
	// The sweep cannot send them either, and loses nothing trying. The
	// clock moves past the sweep's 30 s grace for fresh events.
	f.clock.Advance(time.Minute)
	f.fireSweep(t)
	if n := queryInt(t, f.db, waiting, refs); n != events {
		t.Fatalf("a sweep with SQS unreachable left %d of %d events in the outbox", n, events)
	}
	for _, ref := range refs {
		if n := f.mail.Count(t, ref); n != 0 {
			t.Fatalf("%d mails for %s while SQS was unreachable", n, ref)
		}
	}

	restore()
	if res := f.fireSweep(t); res["function_error"] != "" {
		t.Fatalf("outbox-sweep after the restore: %v", res)
	}
	for _, ref := range refs {
		f.mail.WaitFor(t, "Booking confirmed: "+ref, 1, 15*time.Second)
		f.mail.WaitFor(t, "New booking "+ref, 1, 15*time.Second)
	}
	// The bookings' events, that is: the worker writes events too (a
	// hold confirmed by a late webhook of an earlier fault), and those
	// wait for a sweep past their grace.
	if n := queryInt(t, f.db, waiting, refs); n != 0 {
		var left string
		_ = f.db.QueryRow(context.Background(), `SELECT string_agg(event_type || ' ' || aggregate_id, '; ')
			FROM outbox WHERE published_at IS NULL AND aggregate_id = ANY($1)`, refs).Scan(&left)
		t.Errorf("%d events still unpublished after the sweep: %s", n, left)
	}
	// Nothing comes twice: another sweep and a redelivery window later.
	f.fireSweep(t)
	f.clock.Advance(4 * time.Minute)
	time.Sleep(time.Second)
	f.expectOnce(t, refs)
}

// drainEvents lets the worker empty the events queue (the clock moved
// past any visibility timeout), so what a test watches next is its own.
func (f *faultStack) drainEvents(t *testing.T) {
	t.Helper()
	f.clock.Advance(4 * time.Minute)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		v, fl, _, _ := f.Stack.sqs.Depth("events")
		if v+fl == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue never drained: %d messages", v+fl)
		}
	}
}

// The worker's process is killed in the middle of a batch, while the mail
// server is too slow to answer: the batch fails as a whole, its messages
// come back after their visibility timeout, and each email arrives
// exactly once.
//
// A worker past its timeout is killed the same way by the sandbox (the
// poller then logs "timeout" rather than "function error");
// TestTimeoutThroughTheGateway covers the timeout itself, and the
// worker's 30 s timeout is too long to wait for here.
func faultWorkerKilledMidBatch(t *testing.T, f *faultStack) {
	worker, _ := f.Runtime().Pool("worker")
	// Start from a drained queue, so the batch killed is this test's.
	f.drainEvents(t)
	mark := len(f.log.String())

	f.toSMTP.Stall()
	defer f.toSMTP.Resume()
	var refs []string
	for i := range 3 {
		r := call(t, "POST", f.URL+"/v1/reservations", stayBody(40+i, 1, fmt.Sprintf("kill-%d@example.com", i)),
			"Idempotency-Key", fmt.Sprintf("fault-kill-%d", i))
		if r.status != http.StatusCreated {
			t.Fatalf("book %d: %d %v", i, r.status, r.body)
		}
		refs = append(refs, reference(r))
	}
	// The worker is mid-batch: connected to the mail server, waiting on
	// it (each send gives up after 5 s, so the kill must come before).
	for deadline := time.Now().Add(3 * time.Second); f.toSMTP.Held() < 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the worker never reached the mail server")
		}
	}
	for deadline := time.Now().Add(time.Second); f.toSMTP.Held() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	held := f.toSMTP.Held()
	if n := worker.Kill(); n == 0 {
		t.Fatal("no worker process to kill")
	}
	for _, ref := range refs {
		if n := f.mail.Count(t, ref); n != 0 {
			t.Fatalf("%d mails for %s from a worker killed before the server answered", n, ref)
		}
	}
	t.Logf("killed the worker with %d sends waiting on the mail server", held)
	f.toSMTP.Resume()
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(f.log.String()[mark:], `"outcome":"function error"`); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no batch failed with the kill:\n%s", f.log.String()[mark:])
		}
	}

	// The killed batches' messages come back after the visibility timeout.
	f.clock.Advance(4 * time.Minute)
	for _, ref := range refs {
		f.mail.WaitFor(t, "Booking confirmed: "+ref, 1, 15*time.Second)
		f.mail.WaitFor(t, "New booking "+ref, 1, 15*time.Second)
	}
	f.clock.Advance(4 * time.Minute)
	time.Sleep(time.Second)
	f.expectOnce(t, refs)
	if n := queryInt(t, f.db, `SELECT count(*) FROM notifications n JOIN reservations r ON r.id = n.reservation_id
		WHERE r.reference = ANY($1) AND n.sent_at IS NOT NULL`, refs); n != 2*len(refs) {
		t.Errorf("%d notifications recorded as sent, want %d", n, 2*len(refs))
	}
	if v, fl, _, _ := f.Stack.sqs.Depth("events-dlq"); v+fl != 0 {
		t.Errorf("%d dead letters", v+fl)
	}
}
