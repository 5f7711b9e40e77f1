package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/gateway"
	"innkeeper/local/sandbox"
	"innkeeper/local/testenv"
	"innkeeper/local/testsync"
	"innkeeper/shared/demo"
	"innkeeper/shared/topology"
)

const root = "../.."

// lockedBuffer collects the stack's log for assertions.
type lockedBuffer = testsync.Buffer

func testEnv(t testing.TB) map[string]string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return map[string]string{
		"APP_ENV":              "test",
		"LOG_LEVEL":            "warn",
		"DATABASE_URL":         testenv.DatabaseURL(),
		"REDIS_URL":            testenv.RedisURL(),
		"REDIS_KEY_PREFIX":     "test:" + hex.EncodeToString(b[:]) + ":",
		"DEV_ADMIN_KEY":        demo.SampleAdminKey,
		"CORS_ALLOWED_ORIGINS": "https://book.example.com",
	}
}

// startStack runs a whole devstack on a fresh schema and free ports,
// with a Mailpit of its own.
func startStack(t testing.TB, edits ...func(*Options)) (*Stack, *lockedBuffer) {
	t.Helper()
	env := testEnv(t)
	log := &lockedBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := Options{
		Root: root, BuildDir: t.TempDir(), Binaries: prebuilt(t), Getenv: func(k string) string { return env[k] },
		HTTPAddr: "127.0.0.1:0", SQSAddr: "127.0.0.1:0", ControlAddr: "127.0.0.1:0", WSAddr: "127.0.0.1:0",
		PaymentsAddr: "127.0.0.1:0", Log: log, SearchPath: testenv.Schema(t), DemoDays: 120,
		// Every request the functions send Stripe is one stripe-mock
		// takes.
		InspectPayments: testenv.StripeMockCheckAt(t, stripeMock, nil),
	}
	for _, e := range edits {
		e(&o)
	}
	if o.SMTPAddr == "" {
		o.SMTPAddr = testenv.StartMailpit(t).SMTPAddr
	}
	s, err := Start(ctx, o)
	if err != nil {
		t.Fatalf("devstack: %v\n%s", err, log.String())
	}
	t.Cleanup(s.Close)
	return s, log
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func call(t *testing.T, method, url string, body any, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, raw)
		}
	}
	return r
}

func TestBookThroughTheDevstack(t *testing.T) {
	// This stack builds its functions itself, as make dev does.
	s, log := startStack(t, func(o *Options) { o.Binaries = nil })
	// The payment's webhooks would reach the API beside the test's own
	// requests; held, the requests below are the API's only ones.
	s.payments.PauseWebhooks()
	ci := time.Now().UTC().AddDate(0, 0, 40).Format(time.DateOnly)
	co := time.Now().UTC().AddDate(0, 0, 42).Format(time.DateOnly)

	hotels := call(t, "GET", s.URL+"/v1/hotels", nil)
	if hotels.status != 200 || len(hotels.body["hotels"].([]any)) != 2 {
		t.Fatalf("hotels: %d %v", hotels.status, hotels.body)
	}
	if hotels.header.Get("Apigw-Requestid") == "" || hotels.header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("headers %v", hotels.header)
	}

	created := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "DLX", "rate_plan": "DLX-FLEX", "check_in": ci, "check_out": co,
		"adults": 2, "children": 0, "rooms": 1, "guest": map[string]any{"name": "Ana", "email": "ana@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "devstack-e2e-1")
	if created.status != 201 {
		t.Fatalf("create: %d %v\n%s", created.status, created.body, log.String())
	}
	ref := created.body["reservation"].(map[string]any)["reference"].(string)
	token := created.body["access_token"].(string)
	if created.header.Get("Location") != "/v1/reservations/"+ref {
		t.Fatalf("Location %q", created.header.Get("Location"))
	}

	got := call(t, "GET", s.URL+"/v1/reservations/"+ref, nil, "Authorization", "Bearer "+token)
	if got.status != 200 || got.body["reservation"].(map[string]any)["status"] != "confirmed" {
		t.Fatalf("get: %d %v", got.status, got.body)
	}
	cancelled := call(t, "POST", s.URL+"/v1/reservations/"+ref+"/cancel", nil, "Authorization", "Bearer "+token, "Idempotency-Key", "devstack-e2e-2")
	if cancelled.status != 200 || cancelled.body["reservation"].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("cancel: %d %v", cancelled.status, cancelled.body)
	}
	// An unknown path reaches the API through $default: its problem, not the gateway's.
	nf := call(t, "GET", s.URL+"/nowhere", nil)
	if nf.status != 404 || nf.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("unknown path: %d %v", nf.status, nf.header)
	}

	// Every invocation left Lambda's platform lines; the first a cold start.
	out := log.String()
	if strings.Count(out, "REPORT RequestId: ") < 5 || !strings.Contains(out, "Init Duration: ") {
		t.Fatalf("platform lines missing:\n%s", out)
	}
	// Warm processes served the requests: one api environment sufficed.
	if p, _ := s.Runtime().Pool("api"); p.Stats().Started != 1 {
		t.Fatalf("sequential requests started %d environments", p.Stats().Started)
	}
}

func TestFunctionEnvIsWhatTheManifestNames(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://x@h/db", "REDIS_URL": "redis://r:6379/0", "SECRET_ELSEWHERE": "no"}
	s := &Stack{getenv: func(k string) string { return env[k] }}
	fn, _ := topology.Innkeeper.Function("migrate")
	got := strings.Join(s.functionEnv(fn), " ")
	if got != "DATABASE_URL=postgres://x@h/db" {
		t.Fatalf("migrate gets %q", got)
	}
}

func TestSourceStateSeesChanges(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"functions/a", "shared/b"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "shared/b/b.go")
	_ = os.WriteFile(file, []byte("package b\n"), 0o644)
	before, _ := sourceState(dir)
	_ = os.WriteFile(filepath.Join(dir, "shared/b/b_test.go"), []byte("package b\n"), 0o644)
	if same, _ := sourceState(dir); same != before {
		t.Fatal("a test file is not part of a function's build")
	}
	time.Sleep(10 * time.Millisecond)
	_ = os.WriteFile(file, []byte("package b // edited\n"), 0o644)
	if after, _ := sourceState(dir); after == before {
		t.Fatal("an edit went unseen")
	}
}

// A function past its timeout: the gateway answers 503, and the next
// request is served by a fresh process.
func TestTimeoutThroughTheGateway(t *testing.T) {
	bin, err := sandbox.Build(context.Background(), "../sandbox", "./testdata/probe", filepath.Join(t.TempDir(), "probe"))
	if err != nil {
		t.Fatal(err)
	}
	fn := topology.Function{Name: "probe", MemoryMB: 128, Timeout: time.Second, Arch: "arm64"}
	rt := sandbox.NewRuntime(sandbox.Config{Function: fn, Binary: bin, Log: io.Discard})
	defer rt.Close()
	gw, err := gateway.New([]topology.Route{{Method: "POST", Path: "/probe", Function: "probe", Auth: topology.Public}}, rt, gateway.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gw)
	defer ts.Close()
	srv := ts.URL

	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(srv+"/probe", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, first := post(`{}`)
	if status != 200 {
		t.Fatalf("first: %d %v", status, first)
	}
	start := time.Now()
	status, body := post(`{"sleep_ms":4000}`)
	if status != 503 || body["message"] != "Service Unavailable" || time.Since(start) > 2500*time.Millisecond {
		t.Fatalf("timeout: %d %v after %v", status, body, time.Since(start))
	}
	status, next := post(`{}`)
	if status != 200 || next["pid"] == first["pid"] {
		t.Fatalf("after the timeout: %d pid %v (was %v)", status, next["pid"], first["pid"])
	}
	status, body = post(`{"error":"boom"}`)
	if status != 500 || body["message"] != "Internal Server Error" {
		t.Fatalf("function error: %d %v", status, body)
	}
}

// The aws-lambda-go module's own API Gateway v2 sample events run through
// functions/api's real binary, as make invoke runs them, without error.
func TestOfficialSampleEventsThroughInvoke(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "events", "testdata", "apigw-v2-request-*.json"))
	if len(files) < 3 {
		t.Fatalf("found %d samples", len(files))
	}
	env := testEnv(t)
	o := Options{Root: root, BuildDir: t.TempDir(), Getenv: func(k string) string { return env[k] }, SearchPath: testenv.Schema(t), DemoDays: 60}
	for _, f := range files {
		payload, _ := os.ReadFile(f)
		res, err := Invoke(context.Background(), o, "api", payload)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		var resp struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
		}
		if res.FunctionError != "" || json.Unmarshal(res.Payload, &resp) != nil || resp.StatusCode != 404 {
			t.Errorf("%s: %q %s", filepath.Base(f), res.FunctionError, res.Payload)
		}
		if !strings.Contains(res.Report.String(), "Init Duration") {
			t.Errorf("%s: a fresh environment per invoke, so a cold start: %s", filepath.Base(f), res.Report)
		}
	}
}

// Every sample event of every function runs through its real binary as
// make invoke runs it.
func TestProjectSampleEventsThroughInvoke(t *testing.T) {
	env := testEnv(t)
	o := Options{Root: root, BuildDir: t.TempDir(), Getenv: func(k string) string { return env[k] }, SearchPath: testenv.Schema(t), DemoDays: 60}
	for _, name := range []string{"events/api/livez.json", "events/api/list-hotels.json", "events/migrate/after-deploy.json"} {
		payload, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		fn := strings.Split(name, "/")[1]
		res, err := Invoke(context.Background(), o, fn, payload)
		if err != nil || res.FunctionError != "" {
			t.Fatalf("%s: %v %s", name, err, res.Payload)
		}
		if fn == "api" && !bytes.Contains(res.Payload, []byte(`"statusCode":200`)) {
			t.Fatalf("%s: %s", name, res.Payload)
		}
	}
}

var (
	builtOnce sync.Once
	built     map[string]string
	buildErr  error
)

// prebuilt builds every function once for the whole test binary: the
// stacks the tests start share the binaries instead of linking seven
// each (TestBookThroughTheDevstack's stack builds its own, as make dev
// does).
func prebuilt(t testing.TB) map[string]string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "devstack-bin-")
		if err != nil {
			buildErr = err
			return
		}
		out := map[string]string{}
		for _, fn := range topology.Innkeeper.Functions {
			bin, err := sandbox.Build(context.Background(), root, "./"+fn.Handler(), filepath.Join(dir, fn.Name, "bootstrap"), "-X innkeeper/shared/config.Version=devstack")
			if err != nil {
				buildErr = err
				return
			}
			out[fn.Name] = bin
		}
		built = out
	})
	if buildErr != nil {
		t.Fatalf("build the functions: %v", buildErr)
	}
	return built
}
