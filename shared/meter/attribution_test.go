package meter

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

func TestParseAttribution(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Attribution
	}{
		{
			name: "the documented line",
			line: `{"level":"INFO","msg":"invocation","request_id":"r1","function":"api","trigger":"GET /v1/hotels/{slug}","trigger_kind":"http","hotel":"lisbon-riverside","reservations":["INK-ABC123"],"client":"c-9f2","bytes_in":1234,"emails":0}`,
			want: Attribution{Level: "INFO", Msg: "invocation", RequestID: "r1", Function: "api", Trigger: "GET /v1/hotels/{slug}",
				TriggerKind: TriggerHTTP, Hotel: "lisbon-riverside", Reservations: []string{"INK-ABC123"}, Client: "c-9f2", BytesIn: 1234, Phase: PhaseEnd},
		},
		{
			name: "a worker batch, with slog's time and a trailing newline",
			line: `{"time":"2026-11-02T10:00:00.123456789Z","level":"INFO","msg":"invocation","request_id":"r2","function":"worker","trigger":"events","trigger_kind":"sqs","bytes_in":2048,"emails":2,"sqs_messages":3}` + "\n",
			want: Attribution{Time: time.Date(2026, 11, 2, 10, 0, 0, 123456789, time.UTC), Level: "INFO", Msg: "invocation", RequestID: "r2",
				Function: "worker", Trigger: "events", TriggerKind: TriggerSQS, BytesIn: 2048, Emails: 2, SQSMessages: 3, Phase: PhaseEnd},
		},
		{
			name: "no trigger kind is direct",
			line: `{"msg":"invocation","request_id":"r3","function":"migrate"}`,
			want: Attribution{Msg: "invocation", RequestID: "r3", Function: "migrate", TriggerKind: TriggerDirect, Phase: PhaseEnd},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseAttribution(tt.line)
			if !ok {
				t.Fatalf("ParseAttribution(%q): not an attribution", tt.line)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAttribution =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseAttributionIgnoresOtherLines(t *testing.T) {
	tests := []struct {
		name string
		line string
	}{
		{"text", "invocation"},
		{"another msg", `{"level":"INFO","msg":"request","request_id":"r1","path":"/invocation"}`},
		{"msg mentioned elsewhere", `{"level":"INFO","msg":"request","note":"invocation","request_id":"r1"}`},
		{"no request id", `{"level":"INFO","msg":"invocation","function":"api","trigger_kind":"http"}`},
		{"unknown trigger kind", `{"msg":"invocation","request_id":"r1","trigger_kind":"fax"}`},
		{"unknown phase", `{"msg":"invocation","request_id":"r1","trigger_kind":"http","phase":"middle"}`},
		{"negative bytes", `{"msg":"invocation","request_id":"r1","trigger_kind":"http","bytes_in":-1}`},
		{"broken JSON", `{"msg":"invocation","request_id":`},
		{"a REPORT line", "REPORT RequestId: r1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := ParseAttribution(tt.line); ok {
				t.Errorf("ParseAttribution(%q) = %+v, want not an attribution", tt.line, got)
			}
		})
	}
}

// The line a function's slog JSON logger writes is one ParseAttribution
// reads: the JSON names are the contract.
func TestParseAttributionReadsSlog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.LogAttrs(context.Background(), slog.LevelInfo, AttributionMsg,
		slog.String("request_id", "r9"), slog.String("function", "ws"), slog.String("trigger", "subscribe"),
		slog.String("trigger_kind", string(TriggerWebSocketMessage)), slog.String("hotel", "porto-ribeira"),
		slog.Int64("bytes_in", 87), slog.Int("emails", 0))
	got, ok := ParseAttribution(buf.String())
	if !ok {
		t.Fatalf("ParseAttribution(%q): not an attribution", buf.String())
	}
	if got.Time.IsZero() || got.RequestID != "r9" || got.TriggerKind != TriggerWebSocketMessage || got.BytesIn != 87 || got.Hotel != "porto-ribeira" {
		t.Errorf("ParseAttribution = %+v", got)
	}
	// And the struct writes the same names back.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if again, ok := ParseAttribution(string(b)); !ok || !reflect.DeepEqual(again, got) {
		t.Errorf("round trip = %+v, %v; want %+v", again, ok, got)
	}
}
