package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

func TestRequestIDOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "info").With("function", "api")
	ctx := WithRequestID(context.Background(), "req-1")
	log.InfoContext(ctx, "hello", "n", 1)
	log.DebugContext(ctx, "hidden")
	log.Info("no context")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("want 2 lines (debug filtered), got %d:\n%s", len(lines), buf.Bytes())
	}
	var first, second map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(lines[1], &second)
	if first["request_id"] != "req-1" || first["function"] != "api" || first["msg"] != "hello" {
		t.Fatalf("first line %v", first)
	}
	if _, ok := second["request_id"]; ok {
		t.Fatalf("a line without a request id got one: %v", second)
	}
}

func TestWrittenCountsWhatReachesTheWriter(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "info")
	derived := log.With("function", "api")
	if n, ok := Written(log); !ok || n != 0 {
		t.Fatalf("a new logger has written %d (%v)", n, ok)
	}
	log.Info("one")
	derived.InfoContext(WithRequestID(context.Background(), "req-1"), "two", "n", 2)
	derived.Debug("filtered, not written")
	got, ok := Written(derived)
	if !ok || got != int64(buf.Len()) {
		t.Errorf("Written = %d (%v), the writer holds %d bytes", got, ok, buf.Len())
	}
	if n, _ := Written(log); n != got {
		t.Errorf("a logger and one derived from it count apart: %d, %d", n, got)
	}
	if _, ok := Written(Discard()); ok {
		t.Error("a logger that is not New's says it counts")
	}
	if _, ok := Written(nil); ok {
		t.Error("nil counts")
	}
}
