// Package meter records what each invocation worked on, so finance can
// attribute its cost: the trigger (route key, queue, schedule,
// WebSocket route), the hotel and reservations it touched, the caller,
// the emails it sent; and what it consumed beyond Lambda that the
// platform does not report: its pushes to WebSocket connections (in
// 32 KB messages), its sends to SQS (in 64 KB requests), custom
// EventBridge events, a $disconnect's connection time, whether its
// X-Ray trace was sampled, and the bytes it logged (counted by the
// logger of shared/logging). It writes two JSON log lines, msg "invocation",
// with the Lambda request id: one as the invocation begins (phase
// "start": function and trigger), one as it returns (phase "end":
// everything). A timeout or an out-of-memory kill leaves only the
// first. The cost ingestion (shared/costingest) joins them to the
// platform's REPORT line of the same attempt. The lines are this
// package's: their type (Attribution), the trigger kinds, the writer
// (Invocation.LogStart, Invocation.Log) and the reader
// (ParseAttribution) live here, together, and a test reads back what the
// writer wrote. The end line is also CloudWatch EMF (shared/emf) for the
// operational metrics.
//
// Handlers reach the record through the context (From); outside an
// invocation From returns nil and every method is a no-op, so the code
// that touches hotels and reservations needs no test double.
package meter

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"innkeeper/shared/emf"
	"innkeeper/shared/logging"
)

// The sizes AWS meters in, which the counts the line carries are made
// of.
const (
	// WebSocketUnit is the size of one billed API Gateway WebSocket
	// message: a longer message is billed as one per 32 KB.
	WebSocketUnit = 32 << 10
	// SQSUnit is the size of one billed SQS request: each 64 KB chunk
	// of a request's payload is billed as one request.
	SQSUnit = 64 << 10
)

// Invocation is the attribution of one invocation, filled in as the
// handler works. Its methods are safe for concurrent use and on nil.
type Invocation struct {
	mu      sync.Mutex
	a       Attribution
	start   time.Time
	status  int
	metrics map[string]float64
	// logged is what the logger had written (logging.Written) just
	// before the start line, when it counts; counted says it does.
	logged  int64
	counted bool
}

type key struct{}

// Start begins the record of an invocation of function, triggered by
// trigger (kind and name) with a payload of bytesIn bytes, and returns
// the context handlers find it in.
func Start(ctx context.Context, function string, kind TriggerKind, trigger string, bytesIn int64) (context.Context, *Invocation) {
	inv := &Invocation{start: time.Now(), a: Attribution{
		Msg: AttributionMsg, Function: function, TriggerKind: kind, Trigger: trigger, BytesIn: bytesIn,
	}}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		inv.a.RequestID = lc.AwsRequestID
	}
	inv.a.XRaySampled = Sampled(traceHeader(ctx))
	return context.WithValue(ctx, key{}, inv), inv
}

// traceHeaderKey is where aws-lambda-go puts the invocation's X-Ray
// trace header in the context (a string key, as it sets it).
const traceHeaderKey = "x-amzn-trace-id"

// traceHeader is the invocation's X-Ray trace header: the context's, as
// aws-lambda-go sets it per invocation, else _X_AMZN_TRACE_ID.
func traceHeader(ctx context.Context) string {
	if h, _ := ctx.Value(traceHeaderKey).(string); h != "" {
		return h
	}
	return os.Getenv("_X_AMZN_TRACE_ID")
}

// Sampled reports whether an X-Ray trace header
// ("Root=1-…;Parent=…;Sampled=1") says the trace is sampled: recorded,
// and billed as a trace recorded.
func Sampled(header string) bool {
	for _, field := range strings.Split(header, ";") {
		if k, v, ok := strings.Cut(strings.TrimSpace(field), "="); ok && k == "Sampled" {
			return v == "1"
		}
	}
	return false
}

// From is the invocation the context carries, or nil.
func From(ctx context.Context) *Invocation {
	inv, _ := ctx.Value(key{}).(*Invocation)
	return inv
}

func (i *Invocation) update(f func(a *Attribution)) {
	if i == nil {
		return
	}
	i.mu.Lock()
	f(&i.a)
	i.mu.Unlock()
}

// Hotel records the hotel (its slug) the invocation worked on.
func (i *Invocation) Hotel(slug string) {
	i.update(func(a *Attribution) {
		if slug != "" {
			a.Hotel = slug
		}
	})
}

// Reservation records a reservation (its reference) the invocation
// worked on; each once.
func (i *Invocation) Reservation(ref string) {
	i.update(func(a *Attribution) {
		if ref != "" && !slices.Contains(a.Reservations, ref) {
			a.Reservations = append(a.Reservations, ref)
		}
	})
}

// Client records the opaque key of the caller.
func (i *Invocation) Client(key string) {
	i.update(func(a *Attribution) { a.Client = key })
}

// Emails counts emails sent.
func (i *Invocation) Emails(n int) {
	i.update(func(a *Attribution) { a.Emails += n })
}

// SQSMessages counts the queue messages the invocation was delivered.
func (i *Invocation) SQSMessages(n int) {
	i.update(func(a *Attribution) { a.SQSMessages += n })
}

// EventsPut counts custom events put on an EventBridge bus
// (PutEvents entries).
func (i *Invocation) EventsPut(n int) {
	i.update(func(a *Attribution) { a.EventsPut += max(n, 0) })
}

// Connected records, on a $disconnect, how long the connection was
// open.
func (i *Invocation) Connected(d time.Duration) {
	i.update(func(a *Attribution) { a.ConnectedMs = max(d.Milliseconds(), 0) })
}

// Pushed counts a message of size bytes posted to a WebSocket
// connection: billed as one message per WebSocketUnit, at least one.
func (i *Invocation) Pushed(size int) {
	i.update(func(a *Attribution) {
		a.WSPushes++
		a.WSPushMessages += units(int64(size), WebSocketUnit)
	})
}

// SQSSent counts one SendMessage or SendMessageBatch call that SQS
// answered, with payload bytes in all (bodies and attributes): billed as
// one request per SQSUnit, at least one.
func (i *Invocation) SQSSent(payload int64) {
	i.update(func(a *Attribution) { a.SQSSendRequests += units(payload, SQSUnit) })
}

// units is how many size-byte units n bytes are billed as: at least one.
func units(n, size int64) int64 { return max(1, (n+size-1)/size) }

// Trigger replaces the trigger, for handlers that learn it late (the
// WebSocket route of a message).
func (i *Invocation) Trigger(kind TriggerKind, trigger string) {
	i.update(func(a *Attribution) { a.TriggerKind, a.Trigger = kind, trigger })
}

// Status records an HTTP invocation's response status.
func (i *Invocation) Status(code int) {
	if i == nil {
		return
	}
	i.mu.Lock()
	i.status = code
	i.mu.Unlock()
}

// Count adds n to a business metric of the invocation (BookingsCreated,
// BookingsCancelled), which the line carries as CloudWatch EMF.
func (i *Invocation) Count(metric string, n float64) {
	if i == nil {
		return
	}
	i.mu.Lock()
	if i.metrics == nil {
		i.metrics = map[string]float64{}
	}
	i.metrics[metric] += n
	i.mu.Unlock()
}

// Attribution is what was recorded so far.
func (i *Invocation) Attribution() Attribution {
	if i == nil {
		return Attribution{}
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	a := i.a
	a.Reservations = slices.Clone(i.a.Reservations)
	return a
}

// Begin is Start followed by LogStart: the invocation's start line is
// written before the handler runs, so an invocation that never returns
// (a timeout, an out-of-memory kill) is still attributed.
func Begin(ctx context.Context, log *slog.Logger, function string, kind TriggerKind, trigger string, bytesIn int64) (context.Context, *Invocation) {
	ctx, inv := Start(ctx, function, kind, trigger, bytesIn)
	inv.LogStart(ctx, log)
	return ctx, inv
}

// LogStart writes the invocation's start line: what is known before the
// handler runs (request id, function, trigger, payload size). It is not
// an EMF document, so an invocation is counted once, by its end line.
func (i *Invocation) LogStart(ctx context.Context, log *slog.Logger) {
	if i == nil || log == nil {
		return
	}
	if n, ok := logging.Written(log); ok {
		i.mu.Lock()
		i.logged, i.counted = n, true
		i.mu.Unlock()
	}
	write(ctx, log, i.attrs(PhaseStart))
}

// Log writes the invocation's end line: everything recorded, and the
// invocation's metrics as EMF.
func (i *Invocation) Log(ctx context.Context, log *slog.Logger) {
	if i == nil || log == nil {
		return
	}
	attrs := i.attrs(PhaseEnd)
	i.mu.Lock()
	from, counted := i.logged, i.counted
	i.mu.Unlock()
	if n, ok := logging.Written(log); ok && counted && n >= from {
		attrs = append(attrs, slog.Int64("log_bytes", n-from))
	}
	write(ctx, log, append(attrs, i.emf()...))
}

// write writes an attribution line. The line is billing data, not a
// diagnostic: it is written whatever the log level, so the handler is
// called without its level check.
func write(ctx context.Context, log *slog.Logger, attrs []slog.Attr) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, AttributionMsg, 0)
	r.AddAttrs(attrs...)
	_ = log.Handler().Handle(ctx, r)
}

// attrs are the attribution line's fields as recorded so far.
func (i *Invocation) attrs(phase Phase) []slog.Attr {
	a := i.Attribution()
	attrs := []slog.Attr{
		slog.String("phase", string(phase)),
		slog.String("request_id", a.RequestID),
		slog.String("function", a.Function),
		slog.String("trigger", a.Trigger),
		slog.String("trigger_kind", string(a.TriggerKind)),
		slog.Int64("bytes_in", a.BytesIn),
		slog.Int("emails", a.Emails),
	}
	if a.Hotel != "" {
		attrs = append(attrs, slog.String("hotel", a.Hotel))
	}
	if len(a.Reservations) > 0 {
		attrs = append(attrs, slog.Any("reservations", a.Reservations))
	}
	if a.Client != "" {
		attrs = append(attrs, slog.String("client", a.Client))
	}
	if a.SQSMessages > 0 {
		attrs = append(attrs, slog.Int("sqs_messages", a.SQSMessages))
	}
	if a.EventsPut > 0 {
		attrs = append(attrs, slog.Int("events_put", a.EventsPut))
	}
	if a.ConnectedMs > 0 {
		attrs = append(attrs, slog.Int64("connected_ms", a.ConnectedMs))
	}
	if a.SQSSendRequests > 0 {
		attrs = append(attrs, slog.Int64("sqs_send_requests", a.SQSSendRequests))
	}
	if a.WSPushes > 0 {
		attrs = append(attrs, slog.Int("ws_pushes", a.WSPushes), slog.Int64("ws_push_messages", a.WSPushMessages))
	}
	if a.XRaySampled {
		attrs = append(attrs, slog.Bool("xray_sampled", true))
	}
	return attrs
}

// Wrap meters a Lambda handler: describe names the trigger of each
// event; the start line is written before the handler runs; the handler
// finds the record with From; the end line is written when it returns,
// whatever it returns.
func Wrap[In, Out any](log *slog.Logger, function string, describe func(In) (TriggerKind, string, int64),
	h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		kind, trigger, size := describe(in)
		ctx, inv := Begin(ctx, log, function, kind, trigger, size)
		defer inv.Log(ctx, log)
		return h(ctx, in)
	}
}

// EMFNamespace is the CloudWatch namespace of the operational metrics.
const EMFNamespace = "Innkeeper"

// emf makes the attribution line a CloudWatch Embedded Metric Format
// document too, so the same figures /metrics shows (requests by route
// and status class, latency, bookings) reach CloudWatch for alarms and
// the dashboard without a line or a call more: Invocations, DurationMs,
// Errors5xx for HTTP, and the business counts, by Function and by
// Function and Route.
func (i *Invocation) emf() []slog.Attr {
	i.mu.Lock()
	defer i.mu.Unlock()
	metrics := []emf.Metric{{Name: "Invocations", Unit: "Count"}, {Name: "DurationMs", Unit: "Milliseconds"}}
	attrs := []slog.Attr{
		slog.String("Function", i.a.Function),
		slog.String("Route", i.a.Trigger),
		slog.Int("Invocations", 1),
		slog.Float64("DurationMs", float64(time.Since(i.start).Microseconds())/1000),
	}
	if i.status > 0 {
		errs := 0
		if i.status >= 500 {
			errs = 1
		}
		metrics = append(metrics, emf.Metric{Name: "Errors5xx", Unit: "Count"})
		attrs = append(attrs, slog.Int("Errors5xx", errs), slog.Int("status", i.status))
	}
	names := make([]string, 0, len(i.metrics))
	for name := range i.metrics {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		metrics = append(metrics, emf.Metric{Name: name, Unit: "Count"})
		attrs = append(attrs, slog.Float64(name, i.metrics[name]))
	}
	return append(attrs, slog.Any("_aws", emf.New(time.Now(), EMFNamespace, [][]string{{"Function"}, {"Function", "Route"}}, metrics)))
}
