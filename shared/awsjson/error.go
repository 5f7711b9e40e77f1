package awsjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Error is a service's answer that a call failed, decoded from its error
// document and headers. Callers test for it with errors.As and switch on
// Code.
//
// It carries the HTTP status and the code through HTTPStatusCode and
// ErrorCode, the methods the SDK's standard retryer reads: so 5xx
// statuses and throttling codes are retried, and other client errors
// are not, by the SDK's own rules rather than ours.
type Error struct {
	// Code is the error's shape without its namespace
	// (QueueDoesNotExist, ResourceNotFoundException); empty when the
	// answer named none, as a proxy's HTML error page does not.
	Code    string
	Message string
	// Status is the HTTP status of the answer.
	Status int
	// QueryCode and Fault are the parts of the x-amzn-query-error
	// header, which services that moved from the Query protocol (SQS)
	// send: the legacy code (AWS.SimpleQueueService.NonExistentQueue)
	// and Sender or Receiver.
	QueryCode string
	Fault     string
	// RequestID is the x-amzn-RequestId header, for AWS support.
	RequestID string
}

// Error reads "Code: Message (HTTP Status)".
func (e *Error) Error() string {
	switch {
	case e.Code == "":
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	case e.Message == "":
		return fmt.Sprintf("%s (HTTP %d)", e.Code, e.Status)
	}
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// ErrorCode is Code, under the name the SDK's retry checks and
// smithy.APIError use.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage is Message, under the name smithy.APIError uses.
func (e *Error) ErrorMessage() string { return e.Message }

// HTTPStatusCode is Status, under the name the SDK's retry checks use.
func (e *Error) HTTPStatusCode() int { return e.Status }

// Retryable reports whether the SDK's default retry checks would try the
// call again: a 5xx status, an unmodelled 429, or a throttling or
// timeout code.
func (e *Error) Retryable() bool {
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(e).Bool()
}

// snippetLen bounds how much of an answer that is not an error document
// an Error quotes.
const snippetLen = 200

// decodeError reads an error answer as the SDK's JSON protocols do: the
// code from the X-Amzn-ErrorType header, else the document's __type,
// else its code, stripped of its namespace (com.amazonaws.sqs#) and of
// any suffix after a colon; the message from message or Message.
func decodeError(status int, h http.Header, body []byte) *Error {
	e := &Error{Status: status, RequestID: h.Get("X-Amzn-Requestid")}
	if q := h.Get("X-Amzn-Query-Error"); q != "" {
		e.QueryCode, e.Fault, _ = strings.Cut(q, ";")
	}
	var doc struct {
		Type string `json:"__type"`
		// encoding/json matches field names case-insensitively: this is
		// message and Message, code and Code.
		Message string
		Code    any
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && json.Unmarshal(trimmed, &doc) != nil {
		doc.Message = "the answer is not a JSON error document: " + snippet(trimmed)
	}
	code := h.Get("X-Amzn-Errortype")
	if code == "" {
		code = doc.Type
	}
	if s, ok := doc.Code.(string); ok && code == "" {
		code = s
	}
	e.Code = sanitizeCode(code)
	e.Message = doc.Message
	if e.Code == "" && e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// sanitizeCode strips a code's namespace and suffix:
// "aws.example#Oops:http://internal/..." is "Oops".
func sanitizeCode(code string) string {
	code, _, _ = strings.Cut(code, ":")
	if i := strings.Index(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	return code
}

// snippet is the start of body as valid text.
func snippet(body []byte) string {
	s := string(body)
	if len(s) > snippetLen {
		s = s[:snippetLen] + "…"
	}
	return strings.ToValidUTF8(s, "")
}
