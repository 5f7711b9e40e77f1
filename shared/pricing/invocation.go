package pricing

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
)

// Invocation is what one invocation consumed, as its REPORT and
// attribution lines tell it.
type Invocation struct {
	Function string
	// Arch is arm64 or x86_64.
	Arch     string
	MemoryMB int
	// Duration is the invoke phase; InitDuration the cold start before
	// it, zero when warm.
	Duration     time.Duration
	InitDuration time.Duration
	// BilledDuration is the REPORT line's, when known: it is then the
	// authority on what was billed (for provided.al2023 it includes the
	// INIT phase). Zero computes it: Duration (+ InitDuration when the
	// prices bill INIT) rounded up to the millisecond.
	BilledDuration time.Duration

	Trigger meter.TriggerKind
	// TriggerBytes is the size of what triggered the invocation: the HTTP
	// request, the WebSocket message, or the SQS batch's message bodies
	// together.
	TriggerBytes int64
	// SQSMessages is the number of messages in an SQS batch (1 if zero).
	SQSMessages int
	// Connected is, for a websocket-disconnect, how long the connection
	// stayed open, when known; zero leaves connection minutes out.
	Connected time.Duration
	// EventsPut is the number of custom events the invocation put on an
	// EventBridge bus; Emails the number it sent through SES; LogBytes
	// the bytes of log it ingested into CloudWatch Logs.
	EventsPut int
	Emails    int
	LogBytes  int64
	// LogNote says how LogBytes was measured (see Pricer.Join).
	LogNote string
	// SQSSendRequests is what the invocation's own sends to SQS are
	// billed as (64 KB chunks per call, meter.Attribution).
	SQSSendRequests int64
	// WSPushes is the number of messages the invocation posted to
	// WebSocket connections, WSPushMessages what they are billed as
	// (32 KB each, at least one per post).
	WSPushes       int
	WSPushMessages int64
	// XRaySampled: the invocation's trace was sampled, so recorded.
	XRaySampled bool
}

// Line names a line item of a Breakdown.
type Line string

// The line items, in the order a Breakdown lists them.
const (
	LineLambdaRequests Line = "lambda_requests"
	LineLambdaCompute  Line = "lambda_compute"
	LineLambdaInit     Line = "lambda_init"
	// LineAPIGateway is what the trigger costs at API Gateway: the HTTP
	// request, the client's WebSocket message, the connection minutes.
	LineAPIGateway Line = "apigateway"
	// LineWebSocketMessages is the messages the invocation pushed to
	// WebSocket connections (@connections).
	LineWebSocketMessages Line = "websocket_messages"
	// LineSQS is the queue's cost of the batch an SQS invocation was
	// given (receive and delete); LineSQSSend the requests of the
	// invocation's own sends.
	LineSQS         Line = "sqs"
	LineSQSSend     Line = "sqs_send"
	LineEventBridge Line = "eventbridge"
	LineSES         Line = "ses"
	LineLogs        Line = "logs"
	// LineXRay is the invocation's trace, when sampled.
	LineXRay Line = "xray"
)

// Lines is every Line, in order.
var Lines = []Line{
	LineLambdaRequests, LineLambdaCompute, LineLambdaInit, LineAPIGateway, LineWebSocketMessages,
	LineSQS, LineSQSSend, LineEventBridge, LineSES, LineLogs, LineXRay,
}

// Units of a LineItem's Quantity.
const (
	UnitRequests = "requests"
	UnitMBms     = "MB-ms"
	UnitMessages = "messages"
	UnitMinutes  = "connection-minutes"
	UnitEvents   = "events"
	UnitEmails   = "emails"
	UnitBytes    = "bytes"
	UnitTraces   = "traces"
)

// LineItem is one charge: Quantity metered units, Amount rounded once.
type LineItem struct {
	Line     Line   `json:"line"`
	Quantity int64  `json:"quantity"`
	Unit     string `json:"unit"`
	Amount   Nanos  `json:"amount"`
	// Note says how the quantity was metered, or why there is none.
	Note string `json:"note,omitempty"`
}

// Breakdown is the cost of one invocation: a LineItem for every Line, in
// the order of Lines, and their sum.
type Breakdown struct {
	Items []LineItem `json:"items"`
	Total Nanos      `json:"total"`
}

// Item is the breakdown's line item l (zero if absent).
func (b Breakdown) Item(l Line) LineItem {
	for _, it := range b.Items {
		if it.Line == l {
			return it
		}
	}
	return LineItem{Line: l}
}

// Usage is a month's usage so far in one region: where each tiered price
// stands. Compute counts per architecture, as AWS tiers it.
type Usage struct {
	ComputeARM64      MBms
	ComputeX86        MBms
	HTTPRequests      int64
	WebSocketMessages int64
	LogBytes          int64
}

// Plus is the usage after an invocation of arch priced as b.
func (u Usage) Plus(arch string, b Breakdown) Usage {
	compute := b.Item(LineLambdaCompute).Quantity + b.Item(LineLambdaInit).Quantity
	switch arch {
	case ARM64:
		u.ComputeARM64 += compute
	case X8664:
		u.ComputeX86 += compute
	}
	switch gw := b.Item(LineAPIGateway); gw.Unit {
	case UnitRequests:
		u.HTTPRequests += gw.Quantity
	case UnitMessages:
		u.WebSocketMessages += gw.Quantity
	}
	u.WebSocketMessages += b.Item(LineWebSocketMessages).Quantity
	u.LogBytes += b.Item(LineLogs).Quantity
	return u
}

// minus is u less what v counted, never below zero.
func (u Usage) minus(v Usage) Usage {
	sub := func(a, b int64) int64 { return max(a-b, 0) }
	return Usage{
		ComputeARM64: sub(u.ComputeARM64, v.ComputeARM64), ComputeX86: sub(u.ComputeX86, v.ComputeX86),
		HTTPRequests: sub(u.HTTPRequests, v.HTTPRequests), WebSocketMessages: sub(u.WebSocketMessages, v.WebSocketMessages),
		LogBytes: sub(u.LogBytes, v.LogBytes),
	}
}

func (u Usage) compute(arch string) MBms {
	if arch == X8664 {
		return u.ComputeX86
	}
	return u.ComputeARM64
}

// Options are the caller's inputs to pricing besides the invocation.
type Options struct {
	// Used is the month's usage before this invocation; the zero value
	// prices everything in the first tier.
	Used Usage
	// Overrides are negotiated prices, applied to the table's.
	Overrides Overrides
}

// Price is what the invocation cost at the prices p.
//
// Lambda duration: the billed milliseconds B are BilledDuration when
// given, else Duration (+ InitDuration when p.BillsInit) rounded up to
// the millisecond. The INIT line gets what B holds beyond the invoke
// phase rounded up (B − ceil(Duration)), the compute line the rest; each
// is MemoryMB × ms MB-milliseconds priced exactly at the tiers from
// where the month stands (INIT first, as it ran first) and rounded once.
// An SQS batch carries the queue's cost of consuming it: the poller's
// receive and the batch delete (see the sqs line's note); the sends are
// the sending invocation's (the sqs_send line: per call, one request
// per 64 KB of payload). Pushes to WebSocket connections are WebSocket
// messages (32 KB each), tiered after the trigger's own message. A
// sampled trace is one trace recorded (X-Ray's free tier, like every
// monthly free tier, is not applied: see regions.go).
func Price(p Prices, inv Invocation, opt Options) (Breakdown, error) {
	p, err := p.Apply(opt.Overrides)
	if err != nil {
		return Breakdown{}, err
	}
	if err := inv.validate(); err != nil {
		return Breakdown{}, fmt.Errorf("pricing: price %s: %w", inv.Function, err)
	}
	compute, err := p.Compute(inv.Arch)
	if err != nil {
		return Breakdown{}, fmt.Errorf("pricing: price %s: %w", inv.Function, err)
	}
	kind := inv.Trigger
	if kind == "" {
		kind = meter.TriggerDirect
	}

	var b Breakdown
	add := func(it LineItem, err error) error {
		if err != nil {
			return fmt.Errorf("pricing: price %s: %s: %w", inv.Function, it.Line, err)
		}
		b.Items = append(b.Items, it)
		b.Total += it.Amount
		return nil
	}

	// Lambda: one request, then INIT and invoke duration.
	errs := []error{add(rateItem(LineLambdaRequests, 1, UnitRequests, p.LambdaRequests, ""))}
	billedMs, initMs := billedMillis(inv, p.BillsInit)
	mem := int64(inv.MemoryMB)
	used := opt.Used.compute(inv.Arch)
	initQty, computeQty := mem*initMs, mem*(billedMs-initMs)
	initNote := ""
	if inv.InitDuration > 0 && initMs == 0 {
		initNote = "INIT not billed"
	}
	if initMs > 0 {
		initNote = durationNote(inv.MemoryMB, initMs, initQty)
	}
	errs = append(errs,
		add(tierItem(LineLambdaCompute, computeQty, UnitMBms, compute, used+initQty,
			durationNote(inv.MemoryMB, billedMs-initMs, computeQty))),
		add(tierItem(LineLambdaInit, initQty, UnitMBms, compute, used, initNote)))

	// API Gateway.
	switch kind {
	case meter.TriggerHTTP:
		n := chunks(inv.TriggerBytes, httpUnit)
		errs = append(errs, add(tierItem(LineAPIGateway, n, UnitRequests, p.HTTPRequests, opt.Used.HTTPRequests,
			fmt.Sprintf("HTTP API: %d bytes in %d × 512 KB", inv.TriggerBytes, n))))
	case meter.TriggerWebSocketMessage:
		n := chunks(inv.TriggerBytes, websocketUnit)
		errs = append(errs, add(tierItem(LineAPIGateway, n, UnitMessages, p.WebSocketMessages, opt.Used.WebSocketMessages,
			fmt.Sprintf("WebSocket: %d bytes in %d × 32 KB", inv.TriggerBytes, n))))
	case meter.TriggerWebSocketConnect:
		errs = append(errs, add(rateItem(LineAPIGateway, 0, UnitMinutes, p.WebSocketMinutes,
			"WebSocket: connection minutes are priced at $disconnect")))
	case meter.TriggerWebSocketDisconnect:
		// One rounding: the connection's whole time, rounded up to the
		// minute once, on the invocation that ends it.
		minutes := int64((inv.Connected + time.Minute - 1) / time.Minute)
		note := fmt.Sprintf("WebSocket: connected %s, rounded up to %d minutes", inv.Connected, minutes)
		if inv.Connected == 0 {
			note = "WebSocket: connection time not known at $disconnect"
		}
		errs = append(errs, add(rateItem(LineAPIGateway, minutes, UnitMinutes, p.WebSocketMinutes, note)))
	default:
		errs = append(errs, add(LineItem{Line: LineAPIGateway, Unit: UnitRequests, Note: "not behind API Gateway"}, nil))
	}

	// WebSocket pushes, tiered after the trigger's own message.
	wsUsed := opt.Used.WebSocketMessages
	if kind == meter.TriggerWebSocketMessage {
		wsUsed += b.Item(LineAPIGateway).Quantity
	}
	errs = append(errs, add(tierItem(LineWebSocketMessages, inv.WSPushMessages, UnitMessages, p.WebSocketMessages, wsUsed,
		pushNote(inv.WSPushes, inv.WSPushMessages))))

	// SQS: the batch consumed (its sends were priced where they were
	// made), then the invocation's own sends.
	if kind == meter.TriggerSQS {
		msgs := int64(max(inv.SQSMessages, 1))
		receive, del := chunks(inv.TriggerBytes, sqsUnit), (msgs+sqsBatch-1)/sqsBatch
		errs = append(errs, add(rateItem(LineSQS, receive+del, UnitRequests, p.SQSRequests,
			fmt.Sprintf("%d messages, %d bytes: %d receive (64 KB chunks) + %d delete; the sends are the sender's sqs_send",
				msgs, inv.TriggerBytes, receive, del))))
	} else {
		errs = append(errs, add(LineItem{Line: LineSQS, Unit: UnitRequests, Note: "not an SQS batch"}, nil))
	}
	sendNote := ""
	if inv.SQSSendRequests > 0 {
		sendNote = "SendMessage(Batch) calls: one request per 64 KB of each call's payload"
	}
	errs = append(errs, add(rateItem(LineSQSSend, inv.SQSSendRequests, UnitRequests, p.SQSRequests, sendNote)))

	// EventBridge: scheduled events are free; custom events are not.
	note := ""
	if kind == meter.TriggerSchedule {
		note = "scheduled rule event on the default bus: free"
	}
	errs = append(errs, add(rateItem(LineEventBridge, int64(inv.EventsPut), UnitEvents, p.EventBridgeEvents,
		joinNotes(note, countNote(inv.EventsPut, "custom event put", "custom events put")))))

	traces, traceNote := int64(0), "trace not sampled"
	if inv.XRaySampled {
		traces, traceNote = 1, "sampled: one trace recorded (a trace several functions continue is counted by each); free tier not applied"
	}
	errs = append(errs,
		add(rateItem(LineSES, int64(inv.Emails), UnitEmails, p.SESEmails, "")),
		add(tierItem(LineLogs, inv.LogBytes, UnitBytes, p.LogsIngestion, opt.Used.LogBytes, inv.LogNote)),
		add(rateItem(LineXRay, traces, UnitTraces, p.XRayTracesRecorded, traceNote)))
	if err := errors.Join(errs...); err != nil {
		return Breakdown{}, err
	}
	return b, nil
}

func (inv Invocation) validate() error {
	switch {
	case inv.MemoryMB < 128 || inv.MemoryMB > 10240:
		return fmt.Errorf("memory %d MB outside Lambda's 128–10240", inv.MemoryMB)
	case inv.Duration < 0 || inv.InitDuration < 0 || inv.BilledDuration < 0 || inv.Connected < 0:
		return errors.New("negative duration")
	case inv.TriggerBytes < 0 || inv.SQSMessages < 0 || inv.EventsPut < 0 || inv.Emails < 0 || inv.LogBytes < 0 ||
		inv.SQSSendRequests < 0 || inv.WSPushes < 0 || inv.WSPushMessages < 0:
		return errors.New("negative count")
	case inv.Trigger != "" && !inv.Trigger.Valid():
		return fmt.Errorf("unknown trigger kind %q", inv.Trigger)
	}
	return nil
}

// billedMillis is the billed milliseconds and the part of them that is
// the INIT phase.
func billedMillis(inv Invocation, billsInit bool) (billed, init int64) {
	invoke := lambdalog.CeilMillis(inv.Duration)
	switch {
	case inv.BilledDuration > 0:
		billed = lambdalog.CeilMillis(inv.BilledDuration)
	case billsInit:
		billed = lambdalog.CeilMillis(inv.Duration + inv.InitDuration)
	default:
		billed = invoke
	}
	if inv.InitDuration > 0 && billed > invoke {
		init = billed - invoke
	}
	return billed, init
}

// chunks is how many size-byte units n bytes are metered as: at least one.
func chunks(n, size int64) int64 { return max(1, (n+size-1)/size) }

func rateItem(l Line, qty int64, unit string, r Rate, note string) (LineItem, error) {
	amount, err := r.Cost(qty)
	return LineItem{Line: l, Quantity: qty, Unit: unit, Amount: amount, Note: note}, err
}

func tierItem(l Line, qty int64, unit string, t Tiers, used int64, note string) (LineItem, error) {
	amount, err := t.Cost(used, qty)
	if err == nil && t.crossings(used, qty) > 1 {
		note = joinNotes(note, fmt.Sprintf("straddles %d price tiers", t.crossings(used, qty)))
	}
	return LineItem{Line: l, Quantity: qty, Unit: unit, Amount: amount, Note: note}, err
}

// durationNote is "128 MB × 13 ms = 0.001625 GB-s".
func durationNote(memMB int, ms int64, qty MBms) string {
	return fmt.Sprintf("%d MB × %d ms = %s GB-s", memMB, ms, gbSeconds(qty))
}

// gbSeconds writes MB-ms as exact decimal GB-seconds: 1,024,000 is
// 2^13 × 5^3, so thirteen decimals always suffice.
func gbSeconds(qty MBms) string {
	s := new(big.Rat).SetFrac64(qty, MBmsPerGBSecond).FloatString(13)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// pushNote is "3 pushes: 4 × 32 KB messages".
func pushNote(pushes int, messages int64) string {
	if pushes == 0 && messages == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %d × 32 KB messages", countNote(pushes, "push", "pushes"), messages)
}

func countNote(n int, one, many string) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
