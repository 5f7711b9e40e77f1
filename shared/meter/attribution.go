package meter

import (
	"encoding/json"
	"strings"
	"time"
)

// AttributionMsg is the msg of the attribution line.
const AttributionMsg = "invocation"

// Attribution is the one log line every function prints per invocation
// to say who and what the invocation was for, e.g.
//
//	{"level":"INFO","msg":"invocation","request_id":"…","function":"api","trigger":"GET /v1/hotels/{slug}","trigger_kind":"http","hotel":"lisbon-riverside","reservation":"INK-ABC123","bytes_in":1234,"emails":0}
//
// The JSON names are the contract with the functions' loggers.
type Attribution struct {
	// Time is slog's "time"; Scan uses the log event's timestamp when the
	// line has none.
	Time      time.Time `json:"time,omitzero"`
	Level     string    `json:"level"`
	Msg       string    `json:"msg"`
	RequestID string    `json:"request_id"`
	Function  string    `json:"function"`
	// Trigger is the route key ("GET /v1/hotels/{slug}"), the WebSocket
	// route, the queue or the schedule's name.
	Trigger     string      `json:"trigger"`
	TriggerKind TriggerKind `json:"trigger_kind"`
	Hotel       string      `json:"hotel,omitempty"`
	// Reservations are the bookings the invocation worked on: one for
	// a booking request, several for a worker batch or a scheduled job.
	Reservations []string `json:"reservations,omitempty"`
	// Client is an opaque key of the caller (a hash of the source address
	// or the API key's id), which links a booking to the searches before it.
	Client string `json:"client,omitempty"`
	// BytesIn is the trigger's payload (Invocation.TriggerBytes).
	BytesIn int64 `json:"bytes_in"`
	Emails  int   `json:"emails"`
	// SQSMessages, EventsPut and ConnectedMs feed the Invocation fields
	// of the same names; functions that have none leave them out.
	// ConnectedMs is on a $disconnect's line: how long the connection
	// was open.
	SQSMessages int   `json:"sqs_messages,omitempty"`
	EventsPut   int   `json:"events_put,omitempty"`
	ConnectedMs int64 `json:"connected_ms,omitempty"`
	// SQSSendRequests is what the invocation's sends to SQS are billed
	// as: per SendMessage or SendMessageBatch call, one request per
	// SQSUnit of its payload, at least one.
	SQSSendRequests int64 `json:"sqs_send_requests,omitempty"`
	// WSPushes counts the messages the invocation posted to WebSocket
	// connections (@connections PostToConnection), and WSPushMessages
	// what they are billed as: one message per WebSocketUnit of each,
	// at least one.
	WSPushes       int   `json:"ws_pushes,omitempty"`
	WSPushMessages int64 `json:"ws_push_messages,omitempty"`
	// XRaySampled says the invocation's X-Ray trace was sampled
	// (Sampled=1 in the trace header Lambda gave it): a trace recorded.
	XRaySampled bool `json:"xray_sampled,omitempty"`
	// LogBytes, on the end line only, is what the function wrote to its
	// log from just before its start line to just before its end line
	// (shared/logging.Written): the end line's own size is its log
	// event's (Size), the platform's lines are not included.
	LogBytes int64 `json:"log_bytes,omitempty"`
	// Phase is PhaseStart for the line written as the invocation begins
	// and PhaseEnd for the one written as it returns; a line without one
	// is a whole attribution (PhaseEnd).
	Phase Phase `json:"phase,omitempty"`

	// EventID, Logged and Size are not on the line: they are the log
	// event's id, timestamp and message bytes, which the reader
	// (shared/lambdalog.Scan) sets.
	EventID string    `json:"-"`
	Logged  time.Time `json:"-"`
	Size    int64     `json:"-"`
}

// Phase says which of an invocation's two attribution lines a line is.
type Phase string

// The phases. A timeout or an out-of-memory kill ends an invocation
// without its end line; the start line still names what it was for.
const (
	PhaseStart Phase = "start"
	PhaseEnd   Phase = "end"
)

// ParseAttribution reads an attribution line. Any other line, JSON or
// not, is not one: the msg must be AttributionMsg, the request id set,
// the trigger kind empty (meaning direct) or known, the counts not
// negative.
func ParseAttribution(message string) (Attribution, bool) {
	message = strings.TrimSpace(message)
	if !strings.HasPrefix(message, "{") || !strings.Contains(message, `"`+AttributionMsg+`"`) {
		return Attribution{}, false
	}
	var a Attribution
	if json.Unmarshal([]byte(message), &a) != nil || a.Msg != AttributionMsg || a.RequestID == "" {
		return Attribution{}, false
	}
	if a.TriggerKind == "" {
		a.TriggerKind = TriggerDirect
	}
	if a.Phase == "" {
		a.Phase = PhaseEnd
	}
	if (a.Phase != PhaseStart && a.Phase != PhaseEnd) || !a.TriggerKind.Valid() || a.BytesIn < 0 || a.Emails < 0 || a.SQSMessages < 0 || a.EventsPut < 0 || a.ConnectedMs < 0 ||
		a.SQSSendRequests < 0 || a.WSPushes < 0 || a.WSPushMessages < 0 || a.LogBytes < 0 {
		return Attribution{}, false
	}
	return a, true
}

// TriggerKind is what invoked a function, which decides the charges
// besides Lambda's own.
type TriggerKind string

// The trigger kinds.
const (
	TriggerHTTP             TriggerKind = "http"              // an HTTP API request
	TriggerWebSocketMessage TriggerKind = "websocket-message" // a WebSocket message from a client
	TriggerWebSocketConnect TriggerKind = "websocket-connect" // a WebSocket $connect
	// TriggerWebSocketDisconnect is a WebSocket $disconnect, whose line
	// carries how long the connection was open (ConnectedMs).
	TriggerWebSocketDisconnect TriggerKind = "websocket-disconnect"
	TriggerSQS                 TriggerKind = "sqs"      // a batch from an SQS event source mapping
	TriggerSchedule            TriggerKind = "schedule" // an EventBridge scheduled rule
	TriggerDirect              TriggerKind = "direct"   // an Invoke call, or not known
)

// Valid reports whether k is one of the trigger kinds.
func (k TriggerKind) Valid() bool {
	switch k {
	case TriggerHTTP, TriggerWebSocketMessage, TriggerWebSocketConnect, TriggerWebSocketDisconnect, TriggerSQS,
		TriggerSchedule, TriggerDirect:
		return true
	}
	return false
}
