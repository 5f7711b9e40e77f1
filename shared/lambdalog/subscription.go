package lambdalog

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/meter"
)

// Message types of a CloudWatch Logs subscription delivery.
const (
	// DataMessage carries log events.
	DataMessage = "DATA_MESSAGE"
	// ControlMessage only checks that the destination is reachable.
	ControlMessage = "CONTROL_MESSAGE"
)

// What EncodeSubscription writes for the parts of a delivery the local
// emulator has no real value for: the devstack's account and a filter.
const (
	localOwner  = "000000000000"
	localFilter = "innkeeper-cost"
)

// LogLine is one log event: its message and when it was logged. ID is
// CloudWatch's event id; EncodeSubscription makes one up when empty.
type LogLine struct {
	ID      string
	Time    time.Time
	Message string
}

// eventSeq numbers the event ids EncodeSubscription makes up, so that no
// two events it encodes share one (the cost ledger keys REPORT lines on
// their event id), even in the same millisecond in two log groups.
var eventSeq atomic.Uint64

// EncodeSubscription is the CloudWatch Logs subscription event that
// delivers lines from a log stream, in the real format: a DATA_MESSAGE
// document (owner, logGroup, logStream, subscriptionFilters, logEvents
// with millisecond timestamps), gzipped, then base64. The local emulator
// feeds its REPORT and attribution lines to the cost consumer this way,
// so the consumer cannot tell it from the cloud. The owner is the
// devstack's account 000000000000, the filter "innkeeper-cost"; event
// ids, when not given, are 56 digits made of the timestamp and a
// sequence number, unique in the process.
func EncodeSubscription(logGroup, logStream string, lines []LogLine) (events.CloudwatchLogsEvent, error) {
	if logGroup == "" || logStream == "" {
		return events.CloudwatchLogsEvent{}, errors.New("lambdalog: encode subscription: log group and stream are required")
	}
	data := events.CloudwatchLogsData{
		Owner:               localOwner,
		LogGroup:            logGroup,
		LogStream:           logStream,
		SubscriptionFilters: []string{localFilter},
		MessageType:         DataMessage,
		LogEvents:           make([]events.CloudwatchLogsLogEvent, len(lines)),
	}
	for i, l := range lines {
		id := l.ID
		if id == "" {
			id = fmt.Sprintf("%020d%036d", max(l.Time.UnixMilli(), 0), eventSeq.Add(1))
		}
		data.LogEvents[i] = events.CloudwatchLogsLogEvent{ID: id, Timestamp: l.Time.UnixMilli(), Message: l.Message}
	}
	doc, err := json.Marshal(data)
	if err != nil {
		return events.CloudwatchLogsEvent{}, fmt.Errorf("lambdalog: encode subscription %s: %w", logGroup, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(doc); err != nil {
		return events.CloudwatchLogsEvent{}, fmt.Errorf("lambdalog: encode subscription %s: gzip: %w", logGroup, err)
	}
	if err := zw.Close(); err != nil {
		return events.CloudwatchLogsEvent{}, fmt.Errorf("lambdalog: encode subscription %s: gzip: %w", logGroup, err)
	}
	return events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{
		Data: base64.StdEncoding.EncodeToString(buf.Bytes()),
	}}, nil
}

// DecodeSubscription unpacks a subscription event (base64, gzip, JSON).
// A CONTROL_MESSAGE decodes too; Scan finds nothing in it.
func DecodeSubscription(ev events.CloudwatchLogsEvent) (events.CloudwatchLogsData, error) {
	data, err := ev.AWSLogs.Parse()
	if err != nil {
		return events.CloudwatchLogsData{}, fmt.Errorf("lambdalog: decode subscription: %w", err)
	}
	if data.MessageType != DataMessage && data.MessageType != ControlMessage {
		return events.CloudwatchLogsData{}, fmt.Errorf("lambdalog: decode subscription: message type %q", data.MessageType)
	}
	return data, nil
}

// Scan finds the REPORT and attribution lines of a delivery. Reports get
// their Function from the log group (FunctionFromLogGroup among known,
// else the deployed name), their Time from the log event, and their
// LogBytes: the bytes of every message in the delivery that names their
// request id (START, END, REPORT and the function's own JSON lines) — a
// lower bound of what the invocation ingested, since lines without a
// request id and lines in other deliveries are not counted.
// Attributions without a time or function get the log event's and the
// log group's, and every attribution its message's bytes (Size). Both
// get the log event's id (EventID) and timestamp (Time for a report,
// Logged for an attribution); an event without an
// id gets one made of its timestamp and message.
func Scan(data events.CloudwatchLogsData, known []string) ([]Report, []meter.Attribution) {
	if data.MessageType != DataMessage {
		return nil, nil
	}
	function, ok := FunctionFromLogGroup(data.LogGroup, known)
	if !ok {
		function = strings.TrimPrefix(data.LogGroup, lambdaLogGroups)
	}
	var reports []Report
	var attributions []meter.Attribution
	logged := map[string]int64{}
	for _, ev := range data.LogEvents {
		at := time.UnixMilli(ev.Timestamp).UTC()
		if id := requestIDOf(ev.Message); id != "" {
			logged[id] += int64(len(ev.Message))
		}
		if r, ok := ParseReport(ev.Message); ok {
			r.Function, r.Time, r.EventID = function, at, eventID(ev)
			reports = append(reports, r)
			continue
		}
		if a, ok := meter.ParseAttribution(ev.Message); ok {
			a.EventID, a.Logged, a.Size = eventID(ev), at, int64(len(ev.Message))
			if a.Time.IsZero() {
				a.Time = at
			}
			if a.Function == "" {
				a.Function = function
			}
			attributions = append(attributions, a)
		}
	}
	for i := range reports {
		reports[i].LogBytes = logged[reports[i].RequestID]
	}
	return reports, attributions
}

// eventID is the log event's id, or, for an event without one, a digest
// of its timestamp and message: the same line delivered twice keeps it.
func eventID(ev events.CloudwatchLogsLogEvent) string {
	if ev.ID != "" {
		return ev.ID
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%d\n%s", ev.Timestamp, ev.Message))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// requestIDOf is the request id a log message names, if any: the
// platform's START, END and REPORT lines, a JSON line's request_id (slog)
// or requestId (Lambda's JSON format), or a platform record's requestId.
func requestIDOf(message string) string {
	for _, prefix := range []string{"START RequestId: ", "END RequestId: ", "REPORT RequestId: "} {
		if rest, ok := strings.CutPrefix(message, prefix); ok {
			id, _, _ := strings.Cut(rest, "\t")
			id, _, _ = strings.Cut(id, " ")
			return strings.TrimSpace(id)
		}
	}
	if !strings.HasPrefix(strings.TrimSpace(message), "{") {
		return ""
	}
	var doc struct {
		Slog   string          `json:"request_id"`
		Lambda string          `json:"requestId"`
		Record json.RawMessage `json:"record"` // an object or, for some records, a string
	}
	if json.Unmarshal([]byte(message), &doc) != nil {
		return ""
	}
	var record struct {
		RequestID string `json:"requestId"`
	}
	_ = json.Unmarshal(doc.Record, &record) // not an object: no id there
	for _, id := range []string{doc.Slog, doc.Lambda, record.RequestID} {
		if id != "" {
			return id
		}
	}
	return ""
}
