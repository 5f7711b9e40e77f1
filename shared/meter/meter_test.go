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

	"github.com/aws/aws-lambda-go/lambdacontext"

	"innkeeper/shared/emf"
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
