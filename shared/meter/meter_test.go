package meter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"innkeeper/shared/emf"
	"innkeeper/shared/logging"
)

func TestWrapWritesALineCostIngestionReads(t *testing.T) {
	var buf bytes.Buffer
	// At warn, as the tests and a quiet deployment run: the line is
	// written all the same.
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	describe := func(in string) (TriggerKind, string, int64) {
		return TriggerHTTP, "POST /v1/reservations", int64(len(in))
	}
	var startLine string
	h := Wrap(log, "api", describe, func(ctx context.Context, in string) (string, error) {
		// What a timeout or an out-of-memory kill would leave.
		startLine = strings.TrimSpace(buf.String())
		inv := From(ctx)
		inv.Hotel("lisbon-riverside")
		inv.Reservation("INK-AAA111")
		inv.Reservation("INK-AAA111")
		inv.Reservation("INK-BBB222")
		inv.Client("c-1")
		inv.Emails(2)
		return "", errors.New("handler failed")
	})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	if _, err := h(ctx, `{"body":"12345"}`); err == nil {
		t.Fatal("the handler's error was lost")
	}
	start, ok := ParseAttribution(startLine)
	if !ok {
		t.Fatalf("no start line before the handler ran: %q", startLine)
	}
	if start.Phase != PhaseStart || start.RequestID != "req-1" || start.Function != "api" ||
		start.Trigger != "POST /v1/reservations" || start.TriggerKind != TriggerHTTP || start.BytesIn != 16 {
		t.Errorf("start line = %+v", start)
	}
	if strings.Contains(startLine, "_aws") {
		t.Errorf("the start line is EMF, so the invocation would count twice: %s", startLine)
	}
	line := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(buf.String()), startLine))
	a, ok := ParseAttribution(line)
	if !ok {
		t.Fatalf("not an attribution line: %s", line)
	}
	if a.Phase != PhaseEnd || a.RequestID != "req-1" || a.Function != "api" || a.Trigger != "POST /v1/reservations" || a.TriggerKind != TriggerHTTP ||
		a.BytesIn != 16 || a.Hotel != "lisbon-riverside" || !slices.Equal(a.Reservations, []string{"INK-AAA111", "INK-BBB222"}) ||
		a.Client != "c-1" || a.Emails != 2 {
		t.Errorf("attribution = %+v", a)
	}
}

func TestOutsideAnInvocationEverythingIsANoOp(t *testing.T) {
	inv := From(context.Background())
	if inv != nil {
		t.Fatal("a record outside an invocation")
	}
	inv.Hotel("x")
	inv.Reservation("y")
	inv.Emails(1)
	inv.Log(context.Background(), slog.Default())
	if got := inv.Attribution(); got.Hotel != "" {
		t.Errorf("nil record holds %+v", got)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	_, inv := Start(context.Background(), "worker", TriggerSQS, "events", 0)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inv.Emails(1)
			inv.SQSMessages(1)
		}()
	}
	wg.Wait()
	if a := inv.Attribution(); a.Emails != 50 || a.SQSMessages != 50 {
		t.Errorf("emails %d, messages %d, want 50 each", a.Emails, a.SQSMessages)
	}
}

// TestTheLineIsAlsoEMF: the attribution line carries the request's
// metrics in CloudWatch's Embedded Metric Format, and cost ingestion
// still reads it.
func TestTheLineIsAlsoEMF(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	lctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-2"})
	ctx, inv := Start(lctx, "api", TriggerHTTP, "POST /v1/reservations", 10)
	inv.Status(503)
	inv.Count("BookingsCreated", 1)
	inv.Log(ctx, log)
	var doc struct {
		AWS             emf.Metadata `json:"_aws"`
		Function        string
		Route           string
		Invocations     float64
		Errors5xx       float64
		BookingsCreated float64
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if err := emf.Check(bytes.TrimSpace(buf.Bytes())); err != nil {
		t.Errorf("not EMF: %v: %s", err, buf.String())
	}
	if len(doc.AWS.CloudWatchMetrics) != 1 || doc.AWS.CloudWatchMetrics[0].Namespace != EMFNamespace {
		t.Fatalf("no EMF directive: %s", buf.String())
	}
	names := map[string]bool{}
	for _, m := range doc.AWS.CloudWatchMetrics[0].Metrics {
		names[m.Name] = true
	}
	for _, want := range []string{"Invocations", "DurationMs", "Errors5xx", "BookingsCreated"} {
		if !names[want] {
			t.Errorf("EMF lacks %s: %s", want, buf.String())
		}
	}
	if doc.Function != "api" || doc.Route != "POST /v1/reservations" || doc.Invocations != 1 || doc.Errors5xx != 1 || doc.BookingsCreated != 1 {
		t.Errorf("EMF values %+v", doc)
	}
	if a, ok := ParseAttribution(strings.TrimSpace(buf.String())); !ok || a.Function != "api" || a.Trigger != "POST /v1/reservations" {
		t.Errorf("cost ingestion no longer reads the line: %+v %v", a, ok)
	}
}

// TestEndLineCarriesTheBytesLogged: the end line says how many bytes the
// function wrote from its start line to its end line, the start line
// and the handler's own lines included, read from the logger's count.
func TestEndLineCarriesTheBytesLogged(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, "info")
	log.Info("before the invocation: not its bytes")
	before := buf.Len()
	var endAt int
	h := Wrap(log, "api", func(string) (TriggerKind, string, int64) { return TriggerHTTP, "GET /x", 0 },
		func(ctx context.Context, _ string) (string, error) {
			for range 10 {
				log.InfoContext(ctx, "work", slog.String("pad", strings.Repeat("x", 1000)))
			}
			endAt = buf.Len()
			return "", nil
		})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-logs"})
	if _, err := h(ctx, ""); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	end, ok := ParseAttribution(lines[len(lines)-1])
	if !ok || end.Phase != PhaseEnd {
		t.Fatalf("last line is not the end line: %s", lines[len(lines)-1])
	}
	if want := int64(endAt - before); end.LogBytes != want || want < 10_000 {
		t.Errorf("log_bytes = %d, want %d (start line and ten 1 KB lines)", end.LogBytes, want)
	}
	start, _ := ParseAttribution(lines[1])
	if start.Phase != PhaseStart || start.LogBytes != 0 {
		t.Errorf("the start line carries log bytes: %+v", start)
	}
}

func TestEndLineWithoutACountingLoggerHasNoLogBytes(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	ctx, inv := Begin(context.Background(), log, "api", TriggerHTTP, "GET /x", 0)
	inv.Log(ctx, log)
	if strings.Contains(buf.String(), "log_bytes") {
		t.Errorf("log_bytes made up for a logger that does not count: %s", buf.String())
	}
}

func TestCountsOfPushesSendsEventsAndTraces(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		do      func(*Invocation)
		check   func(Attribution) bool
		wantDoc string
	}{
		{"pushes in 32 KB messages", "", func(i *Invocation) {
			i.Pushed(10)
			i.Pushed(32 << 10)
			i.Pushed(32<<10 + 1)
			i.Pushed(0)
		}, func(a Attribution) bool { return a.WSPushes == 4 && a.WSPushMessages == 5 }, `"ws_push_messages":5`},
		{"sqs sends in 64 KB requests", "", func(i *Invocation) {
			i.SQSSent(100)
			i.SQSSent(64<<10*2 + 1)
		}, func(a Attribution) bool { return a.SQSSendRequests == 4 }, `"sqs_send_requests":4`},
		{"events put", "", func(i *Invocation) { i.EventsPut(3); i.EventsPut(-1) },
			func(a Attribution) bool { return a.EventsPut == 3 }, `"events_put":3`},
		{"connection minutes", "", func(i *Invocation) { i.Connected(90*time.Second + 5*time.Millisecond) },
			func(a Attribution) bool { return a.ConnectedMs == 90_005 }, `"connected_ms":90005`},
		{"sampled trace", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", func(*Invocation) {},
			func(a Attribution) bool { return a.XRaySampled }, `"xray_sampled":true`},
		{"trace not sampled", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0", func(*Invocation) {},
			func(a Attribution) bool { return !a.XRaySampled }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, nil))
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-c"})
			//nolint:staticcheck // aws-lambda-go keys the trace header by this string
			ctx = context.WithValue(ctx, traceHeaderKey, tt.header)
			ctx, inv := Start(ctx, "worker", TriggerSQS, "events", 0)
			tt.do(inv)
			inv.Log(ctx, log)
			a, ok := ParseAttribution(strings.TrimSpace(buf.String()))
			if !ok || !tt.check(a) {
				t.Errorf("read back %+v (%v) from %s", a, ok, buf.String())
			}
			if tt.wantDoc != "" && !strings.Contains(buf.String(), tt.wantDoc) {
				t.Errorf("line lacks %s: %s", tt.wantDoc, buf.String())
			}
		})
	}
}

func TestSampled(t *testing.T) {
	for header, want := range map[string]bool{
		"Root=1-a-b;Parent=c;Sampled=1":           true,
		"Root=1-a-b;Parent=c;Sampled=0":           false,
		"Root=1-a-b;Sampled=1;Lineage=a:1":        true,
		"Root=1-a-b;Parent=c;Sampled=?":           false,
		"":                                        false,
		"Root=1-a-b; Sampled=1":                   true,
		"Root=1-a-b;Parent=c;Sampled=1;Sampled=0": true,
	} {
		if got := Sampled(header); got != want {
			t.Errorf("Sampled(%q) = %v, want %v", header, got, want)
		}
	}
}
