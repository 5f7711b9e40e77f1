package lambdalog

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

var innkeeperFunctions = []string{"api", "migrate", "worker", "scheduler", "ws"}

func readEvent(t *testing.T, path string) events.CloudwatchLogsEvent {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.CloudwatchLogsEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ev
}

// The fixture was gzipped and base64-encoded by another program than
// EncodeSubscription (Python's gzip and base64), from the decoded
// document next to it.
func TestDecodeSubscriptionFixture(t *testing.T) {
	data, err := DecodeSubscription(readEvent(t, "testdata/subscription-api.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/subscription-api.decoded.json")
	if err != nil {
		t.Fatal(err)
	}
	var want events.CloudwatchLogsData
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(data, want) {
		t.Errorf("decoded =\n%+v\nwant\n%+v", data, want)
	}
}

func TestEncodeSubscriptionRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 123_000_000, time.UTC)
	report := Report{RequestID: reqID, Duration: 12300 * time.Microsecond, BilledDuration: 55 * time.Millisecond,
		MemorySizeMB: 128, MaxMemoryUsedMB: 31, InitDuration: 42 * time.Millisecond}
	lines := []LogLine{
		{Time: at, Message: "START RequestId: " + reqID + " Version: $LATEST"},
		{Time: at.Add(5 * time.Millisecond), Message: `{"msg":"invocation","request_id":"` + reqID + `","function":"api","trigger_kind":"http","bytes_in":10}`},
		{Time: at.Add(13 * time.Millisecond), Message: report.String(), ID: "given-id"},
	}
	ev, err := EncodeSubscription("/aws/lambda/innkeeper-local-api", "2026/11/02/[$LATEST]local", lines)
	if err != nil {
		t.Fatal(err)
	}
	// The event is the JSON Lambda receives: {"awslogs":{"data":"…"}}.
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var back events.CloudwatchLogsEvent
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	// aws-lambda-go's own decoder reads it.
	data, err := back.AWSLogs.Parse()
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if data.MessageType != DataMessage || data.Owner != "000000000000" || !reflect.DeepEqual(data.SubscriptionFilters, []string{"innkeeper-cost"}) ||
		data.LogGroup != "/aws/lambda/innkeeper-local-api" || data.LogStream != "2026/11/02/[$LATEST]local" {
		t.Errorf("envelope = %+v", data)
	}
	if len(data.LogEvents) != len(lines) {
		t.Fatalf("%d events, want %d", len(data.LogEvents), len(lines))
	}
	digits := regexp.MustCompile(`^[0-9]{56}$`)
	for i, e := range data.LogEvents {
		if e.Message != lines[i].Message || e.Timestamp != lines[i].Time.UnixMilli() {
			t.Errorf("event %d = %+v, want %+v", i, e, lines[i])
		}
		if lines[i].ID == "" && !digits.MatchString(e.ID) {
			t.Errorf("event %d id %q: want 56 digits like CloudWatch's", i, e.ID)
		}
	}
	if data.LogEvents[2].ID != "given-id" {
		t.Errorf("given id not kept: %q", data.LogEvents[2].ID)
	}
	if data.LogEvents[0].ID == data.LogEvents[1].ID {
		t.Error("made-up ids repeat")
	}

	reports, attributions := Scan(data, innkeeperFunctions)
	if len(reports) != 1 || len(attributions) != 1 {
		t.Fatalf("Scan = %d reports, %d attributions; want 1, 1", len(reports), len(attributions))
	}
	got := reports[0]
	if got.Function != "api" || !got.Time.Equal(at.Add(13*time.Millisecond)) {
		t.Errorf("report function %q at %v", got.Function, got.Time)
	}
	wantBytes := int64(len(lines[0].Message) + len(lines[1].Message) + len(lines[2].Message))
	if got.LogBytes != wantBytes {
		t.Errorf("LogBytes = %d, want %d", got.LogBytes, wantBytes)
	}
	if got.EventID != data.LogEvents[2].ID {
		t.Errorf("report event id %q, want the log event's %q", got.EventID, data.LogEvents[2].ID)
	}
	got.Function, got.Time, got.LogBytes, got.EventID = "", time.Time{}, 0, ""
	if got != report {
		t.Errorf("report = %+v, want %+v", got, report)
	}
	if a := attributions[0]; a.EventID != data.LogEvents[1].ID || !a.Logged.Equal(at.Add(5*time.Millisecond)) {
		t.Errorf("attribution event %q logged %v, want the log event's", a.EventID, a.Logged)
	}
	if a := attributions[0]; !a.Time.Equal(at.Add(5*time.Millisecond)) || a.Function != "api" {
		t.Errorf("attribution = %+v: want the event's time", a)
	}
	if a := attributions[0]; a.Size != int64(len(lines[1].Message)) {
		t.Errorf("attribution size %d, want its message's %d bytes", a.Size, len(lines[1].Message))
	}
}

// The platform's lines, as the local emulator prints them and as
// PlatformBytes sizes them.
func TestPlatformBytes(t *testing.T) {
	r := Report{RequestID: reqID, Duration: 12300 * time.Microsecond, BilledDuration: 13 * time.Millisecond, MemorySizeMB: 128, MaxMemoryUsedMB: 31}
	if StartLine(reqID) != "START RequestId: "+reqID+" Version: $LATEST" || EndLine(reqID) != "END RequestId: "+reqID {
		t.Errorf("START %q, END %q", StartLine(reqID), EndLine(reqID))
	}
	// START: 17 + 36 + 17 + newline; END: 15 + 36 + newline; REPORT as
	// written + newline.
	if want := int64(71 + 52 + len(r.String()) + 1); PlatformBytes(r) != want {
		t.Errorf("PlatformBytes = %d, want %d", PlatformBytes(r), want)
	}
}

func TestEncodeSubscriptionNeedsGroupAndStream(t *testing.T) {
	if _, err := EncodeSubscription("", "s", nil); err == nil {
		t.Error("no log group: want an error")
	}
	if _, err := EncodeSubscription("/aws/lambda/x", "", nil); err == nil {
		t.Error("no log stream: want an error")
	}
}

func TestDecodeSubscriptionRejects(t *testing.T) {
	encode := func(messageType string) events.CloudwatchLogsEvent {
		return gzipEvent(t, `{"messageType":"`+messageType+`","owner":"123456789012","logGroup":"/aws/lambda/x","logStream":"s","subscriptionFilters":["f"],"logEvents":[]}`)
	}
	tests := []struct {
		name string
		ev   events.CloudwatchLogsEvent
	}{
		{"not base64", events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: "%%%"}}},
		{"not gzip", events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: "aGVsbG8="}}},
		{"unknown message type", encode("SOMETHING_ELSE")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeSubscription(tt.ev); err == nil {
				t.Error("want an error")
			}
		})
	}
	data, err := DecodeSubscription(encode(ControlMessage))
	if err != nil {
		t.Fatalf("a control message: %v", err)
	}
	if r, a := Scan(data, innkeeperFunctions); r != nil || a != nil {
		t.Errorf("Scan of a control message = %v, %v; want nothing", r, a)
	}
}

// gzipEvent packs a document as CloudWatch Logs does, without
// EncodeSubscription.
func gzipEvent(t *testing.T, doc string) events.CloudwatchLogsEvent {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return events.CloudwatchLogsEvent{AWSLogs: events.CloudwatchLogsRawData{Data: base64.StdEncoding.EncodeToString(buf.Bytes())}}
}

func TestScanFallsBackToTheDeployedName(t *testing.T) {
	data := events.CloudwatchLogsData{MessageType: DataMessage, LogGroup: "/aws/lambda/other-thing",
		LogEvents: []events.CloudwatchLogsLogEvent{{Timestamp: 1, Message: "REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB"}}}
	reports, _ := Scan(data, innkeeperFunctions)
	if len(reports) != 1 || reports[0].Function != "other-thing" {
		t.Errorf("Scan = %+v; want function other-thing", reports)
	}
}

func TestRequestIDOf(t *testing.T) {
	tests := []struct {
		name, message, want string
	}{
		{"START", "START RequestId: r1 Version: $LATEST", "r1"},
		{"END", "END RequestId: r1\n", "r1"},
		{"REPORT", "REPORT RequestId: r1\tDuration: 1.00 ms", "r1"},
		{"slog", `{"level":"INFO","msg":"x","request_id":"r1"}`, "r1"},
		{"Lambda JSON", `{"timestamp":"…","level":"INFO","requestId":"r1","message":"x"}`, "r1"},
		{"platform record", `{"type":"platform.start","record":{"requestId":"r1","version":"$LATEST"}}`, "r1"},
		{"string record", `{"type":"platform.extension","record":"x","request_id":"r1"}`, "r1"},
		{"INIT_START", "INIT_START Runtime Version: provided:al2023.v100", ""},
		{"plain text", "hello", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := requestIDOf(tt.message); got != tt.want {
				t.Errorf("requestIDOf(%q) = %q, want %q", tt.message, got, tt.want)
			}
		})
	}
}
