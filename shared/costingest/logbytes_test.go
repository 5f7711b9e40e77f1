package costingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"innkeeper/shared/lambdalog"
	"innkeeper/shared/logging"
	"innkeeper/shared/meter"
)

// A function that logs 50 KB in an invocation: the ledger's logs line
// counts those bytes, the start and end lines and the platform's lines,
// even when the subscription filter delivers only the REPORT and
// attribution lines; and prices them too. An invocation whose end line
// never came is priced from what its delivery saw.
func TestLogsLineCountsWhatTheFunctionWrote(t *testing.T) {
	in, st := newIngester(t)
	const id = "5d6e7f80-0002-4c2a-8b3c-00000000109b"
	var out bytes.Buffer
	log := logging.New(&out, "info")
	h := meter.Wrap(log, "api", func(string) (meter.TriggerKind, string, int64) { return meter.TriggerHTTP, "GET /v1/hotels", 0 },
		func(ctx context.Context, _ string) (string, error) {
			for range 50 {
				log.InfoContext(ctx, "work", slog.String("pad", strings.Repeat("x", 1000)))
			}
			return "", nil
		})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
	if _, err := h(ctx, ""); err != nil {
		t.Fatal(err)
	}
	written := int64(out.Len())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	report := lambdalog.Report{RequestID: id, Duration: 30 * time.Millisecond, BilledDuration: 30 * time.Millisecond,
		MemorySizeMB: 512, MaxMemoryUsedMB: 60}
	// What the subscription filter passes: the start and end lines and
	// the REPORT line, not the 50 lines of work.
	deliver(t, in, "api", []lambdalog.LogLine{
		{ID: "lb-start", Time: at, Message: lines[0]},
		{ID: "lb-end", Time: at.Add(30 * time.Millisecond), Message: lines[len(lines)-1]},
		{ID: "lb-report", Time: at.Add(31 * time.Millisecond), Message: report.String()},
	})
	var qty int64
	var note string
	if err := st.Pool().QueryRow(context.Background(), `
		SELECT (i->>'quantity')::bigint, i->>'note' FROM invocation_costs, jsonb_array_elements(breakdown) i
		WHERE request_id = $1 AND i->>'line' = 'logs'`, id).Scan(&qty, &note); err != nil {
		t.Fatal(err)
	}
	// Each line as its log event holds it: without the newline the
	// writer wrote after it, which the count of the function's bytes
	// includes for every line before the end line.
	want := written - 1 + lambdalog.PlatformBytes(report)
	if qty != want || qty < 50_000 {
		t.Errorf("logs quantity %d, want %d: the function wrote %d bytes (%s)", qty, want, written, note)
	}
	var peak int
	if err := st.Pool().QueryRow(context.Background(), `SELECT max_memory_mb FROM invocation_costs WHERE request_id = $1`, id).Scan(&peak); err != nil || peak != 60 {
		t.Errorf("max memory used stored as %d (%v), want 60", peak, err)
	}

	// The end line is the only line that carries log_bytes.
	var end map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &end); err != nil || end["log_bytes"] == nil {
		t.Fatalf("end line %v (%v)", end, err)
	}
}
