package sandbox

import (
	"encoding/json"
	"errors"

	"innkeeper/shared/lambdalog"
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
	// Report is what the platform's REPORT line says of the invocation;
	// the pool prints it with Report.String, the one REPORT formatter.
	Report lambdalog.Report
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
