package lambdalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/decimal"
)

// Report is one invocation's platform REPORT line. Durations are exact
// to the microsecond the line gives, never via a float.
type Report struct {
	RequestID       string
	Duration        time.Duration
	BilledDuration  time.Duration
	MemorySizeMB    int
	MaxMemoryUsedMB int
	// InitDuration is the cold start; zero when warm.
	InitDuration time.Duration
	// Status is "" for a normal end, else "timeout", "error", ….
	Status string
	// TraceID is the X-Ray trace, when the line carries one.
	TraceID string

	// Function, Time, LogBytes and EventID are not on the line: Scan
	// sets them from the log group, the log event's timestamp, the bytes
	// of the batch's lines that name the request id, and the log event's
	// id (which tells an asynchronous retry, with the same request id,
	// from a redelivery of the same line).
	Function string
	Time     time.Time
	LogBytes int64
	EventID  string
}

// String is the line in Lambda's text format, as ParseReport reads it
// and the local emulator prints it.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %s ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.RequestID, formatMillis(r.Duration), CeilMillis(r.BilledDuration), r.MemorySizeMB, r.MaxMemoryUsedMB)
	if r.InitDuration > 0 {
		fmt.Fprintf(&b, "\tInit Duration: %s ms", formatMillis(r.InitDuration))
	}
	if r.Status != "" {
		fmt.Fprintf(&b, "\tStatus: %s", r.Status)
	}
	if r.TraceID != "" {
		fmt.Fprintf(&b, "\t\nXRAY TraceId: %s", r.TraceID)
	}
	return b.String()
}

// CeilMillis is d in whole milliseconds, rounded up, as Lambda bills
// and as the REPORT line's Billed Duration shows it.
func CeilMillis(d time.Duration) int64 { return int64((d + time.Millisecond - 1) / time.Millisecond) }

// Printed is d as Lambda's text REPORT line shows it: rounded half up to
// two decimals of a millisecond (10 µs). An emulator that prints what it
// measured gives its durations this precision first, so its line and
// its Report say the same.
func Printed(d time.Duration) time.Duration {
	const unit = 10 * time.Microsecond
	return (d + unit/2) / unit * unit
}

// formatMillis writes d in milliseconds with two decimals, as Lambda
// does, or three when the microsecond needs them.
func formatMillis(d time.Duration) string {
	us := d.Microseconds()
	if us%10 != 0 {
		return fmt.Sprintf("%d.%03d", us/1000, us%1000)
	}
	return fmt.Sprintf("%d.%02d", us/1000, us%1000/10)
}

// ParseReport reads Lambda's REPORT line, in the text format
//
//	REPORT RequestId: <id>\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tInit Duration: 42.00 ms
//
// (Init Duration only on a cold start; a "Status: timeout" field, an
// error type and an "XRAY TraceId: …" segment may follow), or the JSON
// log format's platform.report record. Fields it does not know are
// ignored; a line missing the request id, a duration, the billed
// duration or the memory size, or with a value it cannot read exactly,
// is not a report.
func ParseReport(line string) (Report, bool) {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "{") {
		return parseJSONReport(line)
	}
	rest, ok := strings.CutPrefix(line, "REPORT ")
	if !ok {
		return Report{}, false
	}
	var r Report
	seen := map[string]bool{}
	for _, field := range strings.FieldsFunc(rest, func(c rune) bool { return c == '\t' || c == '\n' }) {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		key, value, ok := strings.Cut(field, ": ")
		value = strings.TrimSpace(value)
		if !ok || value == "" {
			return Report{}, false
		}
		if seen[key] {
			return Report{}, false
		}
		seen[key] = true
		var err error
		switch key {
		case "RequestId":
			r.RequestID = value
		case "Duration":
			r.Duration, err = millisField(value, true)
		case "Billed Duration":
			r.BilledDuration, err = millisField(value, true)
		case "Init Duration":
			r.InitDuration, err = millisField(value, true)
		case "Memory Size":
			r.MemorySizeMB, err = megabytesField(value)
		case "Max Memory Used":
			r.MaxMemoryUsedMB, err = megabytesField(value)
		case "Status":
			r.Status = value
		case "XRAY TraceId":
			r.TraceID = value
		}
		if err != nil {
			return Report{}, false
		}
	}
	for _, k := range []string{"RequestId", "Duration", "Billed Duration", "Memory Size"} {
		if !seen[k] {
			return Report{}, false
		}
	}
	return r, true
}

// parseJSONReport reads a platform.report record of the JSON log format.
func parseJSONReport(line string) (Report, bool) {
	var doc struct {
		Type   string `json:"type"`
		Record struct {
			RequestID string `json:"requestId"`
			Status    string `json:"status"`
			Metrics   struct {
				DurationMs       *json.Number `json:"durationMs"`
				BilledDurationMs *json.Number `json:"billedDurationMs"`
				InitDurationMs   *json.Number `json:"initDurationMs"`
				MemorySizeMB     *json.Number `json:"memorySizeMB"`
				MaxMemoryUsedMB  json.Number  `json:"maxMemoryUsedMB"`
			} `json:"metrics"`
			Tracing struct {
				Value string `json:"value"`
			} `json:"tracing"`
		} `json:"record"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(line)))
	dec.UseNumber()
	if dec.Decode(&doc) != nil || doc.Type != "platform.report" {
		return Report{}, false
	}
	rec, m := doc.Record, doc.Record.Metrics
	if rec.RequestID == "" || m.DurationMs == nil || m.BilledDurationMs == nil || m.MemorySizeMB == nil {
		return Report{}, false
	}
	r := Report{RequestID: rec.RequestID, Status: rec.Status}
	if r.Status == "success" {
		r.Status = ""
	}
	if v, ok := strings.CutPrefix(rec.Tracing.Value, "Root="); ok {
		r.TraceID, _, _ = strings.Cut(v, ";")
	}
	var err error
	parse := func(n *json.Number, into *time.Duration) {
		if n != nil && err == nil {
			*into, err = millisField(n.String()+" ms", false)
		}
	}
	parse(m.DurationMs, &r.Duration)
	parse(m.BilledDurationMs, &r.BilledDuration)
	parse(m.InitDurationMs, &r.InitDuration)
	if err != nil {
		return Report{}, false
	}
	if r.MemorySizeMB, err = megabytesField(m.MemorySizeMB.String() + " MB"); err != nil {
		return Report{}, false
	}
	if m.MaxMemoryUsedMB != "" {
		if r.MaxMemoryUsedMB, err = megabytesField(m.MaxMemoryUsedMB.String() + " MB"); err != nil {
			return Report{}, false
		}
	}
	return r, true
}

// millisField reads "12.30 ms" into an exact duration. Strict: more than
// microsecond precision is an error; otherwise it rounds half up to the
// microsecond (the JSON format writes floats such as 12.300000000000001).
func millisField(s string, strict bool) (time.Duration, error) {
	v, ok := strings.CutSuffix(s, " ms")
	if !ok {
		return 0, fmt.Errorf("%q: not in ms", s)
	}
	num, scale, err := decimal.Parse(v)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	// num / 10^scale ms = num × 1000 / 10^scale µs.
	us := decimal.Rat(num, scale)
	us.Mul(us, big.NewRat(1000, 1))
	if strict && !us.IsInt() {
		return 0, fmt.Errorf("%q: finer than a microsecond", s)
	}
	n, err := decimal.Round(us)
	if err != nil || n > int64(time.Duration(1<<62)/time.Microsecond) {
		return 0, fmt.Errorf("%q: out of range", s)
	}
	return time.Duration(n) * time.Microsecond, nil
}

// megabytesField reads "128 MB".
func megabytesField(s string) (int, error) {
	v, ok := strings.CutSuffix(s, " MB")
	if !ok {
		return 0, fmt.Errorf("%q: not in MB", s)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || strings.HasPrefix(v, "+") {
		return 0, fmt.Errorf("%q: not a size", s)
	}
	return n, nil
}

// StartLine and EndLine are the platform's START and END lines of an
// invocation in the text format, as Lambda writes them around a
// function's output (the version is $LATEST for an unpublished
// function).
func StartLine(requestID string) string { return "START RequestId: " + requestID + " Version: $LATEST" }

// EndLine is the platform's END line; see StartLine.
func EndLine(requestID string) string { return "END RequestId: " + requestID }

// PlatformBytes is what the platform's own lines of the invocation r
// reports add to its log group: START, END and REPORT in the text
// format, each with the newline that ends it. START and END are sized
// from their format and the request id (a published version's number
// instead of $LATEST changes START by a few bytes); REPORT is r as
// Report.String writes it, which is the platform's format field for
// field, but for Duration's third decimal and the XRAY segment when r
// does not carry the trace id. The INIT_START line of a cold start
// (about 150 bytes, with the runtime version's ARN) is not counted.
func PlatformBytes(r Report) int64 {
	return int64(len(StartLine(r.RequestID)) + 1 + len(EndLine(r.RequestID)) + 1 + len(r.String()) + 1)
}
