package lambdalog

import (
	"strings"
	"testing"
	"time"
)

const reqID = "3f2c1a9e-5b7d-4c1e-9f0a-2b6d8e4c7a10"

func TestParseReport(t *testing.T) {
	base := "REPORT RequestId: " + reqID + "\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB"
	warm := Report{RequestID: reqID, Duration: 12300 * time.Microsecond, BilledDuration: 13 * time.Millisecond,
		MemorySizeMB: 128, MaxMemoryUsedMB: 31}
	with := func(change func(*Report)) Report {
		r := warm
		change(&r)
		return r
	}
	tests := []struct {
		name string
		line string
		want Report
	}{
		{"warm", base, warm},
		{"warm, as CloudWatch delivers it", base + "\t\n", warm},
		{"cold", base + "\tInit Duration: 42.00 ms",
			with(func(r *Report) { r.InitDuration = 42 * time.Millisecond })},
		{"timeout", base + "\tStatus: timeout",
			with(func(r *Report) { r.Status = "timeout" })},
		{"error with type", base + "\tStatus: error\tError Type: Runtime.ExitError",
			with(func(r *Report) { r.Status = "error" })},
		{"with X-Ray", base + "\tInit Duration: 42.00 ms\t\nXRAY TraceId: 1-6726f7a0-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t\n",
			with(func(r *Report) {
				r.InitDuration = 42 * time.Millisecond
				r.TraceID = "1-6726f7a0-0123456789abcdef01234567"
			})},
		{"microseconds", "REPORT RequestId: x\tDuration: 0.125 ms\tBilled Duration: 1 ms\tMemory Size: 10240 MB\tMax Memory Used: 0 MB",
			Report{RequestID: "x", Duration: 125 * time.Microsecond, BilledDuration: time.Millisecond, MemorySizeMB: 10240}},
		{"the emulator's line", "REPORT RequestId: " + reqID + "\tDuration: 54.30 ms\tBilled Duration: 55 ms\tMemory Size: 512 MB\tMax Memory Used: 61 MB\tInit Duration: 42.00 ms\tStatus: error",
			Report{RequestID: reqID, Duration: 54300 * time.Microsecond, BilledDuration: 55 * time.Millisecond,
				MemorySizeMB: 512, MaxMemoryUsedMB: 61, InitDuration: 42 * time.Millisecond, Status: "error"}},
		{"JSON log format", `{"time":"2026-11-02T10:00:00.013Z","type":"platform.report","record":{"requestId":"` + reqID +
			`","metrics":{"durationMs":12.3,"billedDurationMs":55,"memorySizeMB":128,"maxMemoryUsedMB":31,"initDurationMs":42.000000000000001},` +
			`"tracing":{"spanId":"0123456789abcdef","type":"X-Amzn-Trace-Id","value":"Root=1-6726f7a0-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1"},"status":"success"}}`,
			with(func(r *Report) {
				r.BilledDuration = 55 * time.Millisecond
				r.InitDuration = 42 * time.Millisecond
				r.TraceID = "1-6726f7a0-0123456789abcdef01234567"
			})},
		{"JSON log format, timeout", `{"type":"platform.report","record":{"requestId":"` + reqID +
			`","metrics":{"durationMs":12.30,"billedDurationMs":13,"memorySizeMB":128,"maxMemoryUsedMB":31},"status":"timeout"}}`,
			with(func(r *Report) { r.Status = "timeout" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseReport(tt.line)
			if !ok {
				t.Fatalf("ParseReport(%q): not a report", tt.line)
			}
			if got != tt.want {
				t.Errorf("ParseReport =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseReportRejects(t *testing.T) {
	tests := []struct {
		name string
		line string
	}{
		{"empty", ""},
		{"START", "START RequestId: " + reqID + " Version: $LATEST"},
		{"END", "END RequestId: " + reqID},
		{"only the word", "REPORT"},
		{"an application line", `{"level":"INFO","msg":"REPORT RequestId: x"}`},
		{"no billed duration", "REPORT RequestId: x\tDuration: 12.30 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB"},
		{"no request id", "REPORT Duration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB"},
		{"no memory size", "REPORT RequestId: x\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMax Memory Used: 31 MB"},
		{"duration not a number", "REPORT RequestId: x\tDuration: abc ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"},
		{"duration finer than a microsecond", "REPORT RequestId: x\tDuration: 12.3456 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"},
		{"duration without unit", "REPORT RequestId: x\tDuration: 12.30\tBilled Duration: 13 ms\tMemory Size: 128 MB"},
		{"duration in seconds", "REPORT RequestId: x\tDuration: 1.2 s\tBilled Duration: 13 ms\tMemory Size: 128 MB"},
		{"negative duration", "REPORT RequestId: x\tDuration: -1.00 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"},
		{"memory without unit", "REPORT RequestId: x\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 128"},
		{"memory in GB", "REPORT RequestId: x\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 1 GB"},
		{"a field twice", "REPORT RequestId: x\tDuration: 12.30 ms\tDuration: 1.00 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"},
		{"a field without a value", "REPORT RequestId: x\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tgarbage"},
		{"JSON of another platform record", `{"type":"platform.start","record":{"requestId":"x","version":"$LATEST"}}`},
		{"JSON report without metrics", `{"type":"platform.report","record":{"requestId":"x"}}`},
		{"JSON report with a duration not a number", `{"type":"platform.report","record":{"requestId":"x","metrics":{"durationMs":"abc","billedDurationMs":13,"memorySizeMB":128}}}`},
		{"broken JSON", `{"type":"platform.report",`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := ParseReport(tt.line); ok {
				t.Errorf("ParseReport(%q) = %+v, want not a report", tt.line, got)
			}
		})
	}
}

func TestReportStringRoundTrips(t *testing.T) {
	tests := []struct {
		name string
		r    Report
		line string
	}{
		{"warm", Report{RequestID: reqID, Duration: 12300 * time.Microsecond, BilledDuration: 13 * time.Millisecond, MemorySizeMB: 128, MaxMemoryUsedMB: 31},
			"REPORT RequestId: " + reqID + "\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB"},
		{"cold, timed out, traced", Report{RequestID: reqID, Duration: 12345 * time.Microsecond, BilledDuration: 55 * time.Millisecond,
			MemorySizeMB: 128, MaxMemoryUsedMB: 31, InitDuration: 42 * time.Millisecond, Status: "timeout", TraceID: "1-abc"},
			"REPORT RequestId: " + reqID + "\tDuration: 12.345 ms\tBilled Duration: 55 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tInit Duration: 42.00 ms\tStatus: timeout\t\nXRAY TraceId: 1-abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.String(); got != tt.line {
				t.Errorf("String =\n%q\nwant\n%q", got, tt.line)
			}
			back, ok := ParseReport(tt.r.String())
			if !ok || back != tt.r {
				t.Errorf("ParseReport(String()) = %+v, %v; want %+v", back, ok, tt.r)
			}
		})
	}
}

func BenchmarkParseReport(b *testing.B) {
	line := "REPORT RequestId: " + reqID + "\tDuration: 12.30 ms\tBilled Duration: 55 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tInit Duration: 42.00 ms\t\n"
	for b.Loop() {
		if _, ok := ParseReport(line); !ok {
			b.Fatal("not a report")
		}
	}
}

// TestReportAsAWSPrintsIt: REPORT lines as AWS's documentation prints
// them (tab-separated, each field followed by a tab, two decimals of a
// millisecond) read into a Report that the formatter writes back to the
// same bytes, less the tab and newline CloudWatch keeps at the end.
func TestReportAsAWSPrintsIt(t *testing.T) {
	lines := []string{
		"REPORT RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95\tDuration: 15.74 ms\tBilled Duration: 16 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\tInit Duration: 133.28 ms\t\n",
		"REPORT RequestId: bf5f58db-ef7d-4cb2-b3c6-266eba1bbedb\tDuration: 395.99 ms\tBilled Duration: 662 ms\tMemory Size: 512 MB\tMax Memory Used: 301 MB\tInit Duration: 265.72 ms\t",
		"REPORT RequestId: a0537bcb-712d-11e4-8c97-af075a3c0929\tDuration: 718.65 ms\tBilled Duration: 800 ms\tMemory Size: 128 MB\tMax Memory Used: 14 MB\t",
		"REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 0.10 ms\tBilled Duration: 1 ms\tMemory Size: 10240 MB\tMax Memory Used: 10240 MB\tStatus: timeout\t",
	}
	for _, line := range lines {
		r, ok := ParseReport(line)
		if !ok {
			t.Fatalf("ParseReport(%q): not a report", line)
		}
		if got, want := r.String(), strings.TrimRight(line, "\t\n"); got != want {
			t.Errorf("String =\n%q\nwant\n%q", got, want)
		}
		if r.Duration != Printed(r.Duration) || r.InitDuration != Printed(r.InitDuration) {
			t.Errorf("%+v: AWS's durations are already at the printed precision", r)
		}
		if r.BilledDuration%time.Millisecond != 0 {
			t.Errorf("billed %v: not whole milliseconds", r.BilledDuration)
		}
	}
}

func TestPrinted(t *testing.T) {
	tests := []struct {
		in, want time.Duration
	}{
		{0, 0},
		{4 * time.Microsecond, 0},
		{5 * time.Microsecond, 10 * time.Microsecond},
		{1234567 * time.Nanosecond, 1230 * time.Microsecond},
		{1235 * time.Microsecond, 1240 * time.Microsecond},
		{42 * time.Millisecond, 42 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Printed(tt.in); got != tt.want {
			t.Errorf("Printed(%v) = %v, want %v", tt.in, got, tt.want)
		}
		r := Report{RequestID: "r", Duration: Printed(tt.in), BilledDuration: time.Duration(CeilMillis(tt.in)) * time.Millisecond, MemorySizeMB: 128}
		if back, ok := ParseReport(r.String()); !ok || back != r {
			t.Errorf("round trip of %v: %+v, %v; want %+v", tt.in, back, ok, r)
		}
	}
}

func TestCeilMillis(t *testing.T) {
	for d, want := range map[time.Duration]int64{0: 0, time.Nanosecond: 1, time.Millisecond: 1, 1001 * time.Microsecond: 2, 55 * time.Millisecond: 55} {
		if got := CeilMillis(d); got != want {
			t.Errorf("CeilMillis(%v) = %d, want %d", d, got, want)
		}
	}
}
