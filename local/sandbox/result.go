package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxPayload is Lambda's limit on a synchronous invocation's request and
// response payloads.
const MaxPayload = 6 * 1024 * 1024

// Errors of Invoke that mean the function never ran.
var (
	// ErrUnknownFunction: no function of that name.
	ErrUnknownFunction = errors.New("sandbox: unknown function")
	// ErrPayloadTooLarge: the request payload is over MaxPayload.
	ErrPayloadTooLarge = errors.New("sandbox: request payload too large")
	// ErrClosed: the pool is shut down.
	ErrClosed = errors.New("sandbox: closed")
)

// Result is the outcome of one invocation, as Lambda's Invoke API gives it.
type Result struct {
	RequestID string
	// Payload is the function's response, or, when FunctionError is set,
	// the error document {"errorMessage","errorType",…}.
	Payload []byte
	// FunctionError is "" on success and "Unhandled" when the function
	// returned an error, crashed or timed out (Lambda's
	// X-Amz-Function-Error header).
	FunctionError string
	// Timeout is set when the function ran past its timeout and its
	// execution environment was killed.
	Timeout bool
	// Report is what the platform's REPORT line says of the invocation.
	Report Report
}

// ErrorSummary is "errorType: errorMessage" of a failed invocation's
// error document.
func (r Result) ErrorSummary() string {
	var doc struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	if json.Unmarshal(r.Payload, &doc) != nil || doc.Type+doc.Message == "" {
		return "no error document"
	}
	return doc.Type + ": " + doc.Message
}

// Report is one invocation's platform report, as Lambda logs it.
type Report struct {
	RequestID       string
	Duration        time.Duration
	BilledDuration  time.Duration
	MemorySizeMB    int
	MaxMemoryUsedMB int
	// InitDuration is the cold start (process start to its first request
	// for work); zero for a warm invocation.
	InitDuration time.Duration
	// Status is "" for a normal end, "timeout" or "error" otherwise.
	Status string
}

// billed rounds a duration up to the next millisecond, as Lambda bills.
func billed(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

// String is the REPORT line, in Lambda's format.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %s ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.RequestID, ms(r.Duration), r.BilledDuration.Milliseconds(), r.MemorySizeMB, r.MaxMemoryUsedMB)
	if r.InitDuration > 0 {
		fmt.Fprintf(&b, "\tInit Duration: %s ms", ms(r.InitDuration))
	}
	if r.Status != "" {
		fmt.Fprintf(&b, "\tStatus: %s", r.Status)
	}
	return b.String()
}
