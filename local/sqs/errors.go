package sqs

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrQueueDoesNotExist is what the Go API's errors wrap when the queue
// named is not there.
var ErrQueueDoesNotExist = errors.New("sqs: queue does not exist")

// ErrClosed is returned by Serve and the Go API once the server is closed.
var ErrClosed = errors.New("sqs: server closed")

// apiError is an error as SQS answers it: the shape the JSON protocol
// names in __type, the legacy code of the x-amzn-query-error header, the
// HTTP status and a message for people.
type apiError struct {
	status  int
	shape   string // com.amazonaws.sqs#<shape>
	code    string // x-amzn-query-error code, and Code in batch results
	message string
	// is lets errors.Is match a sentinel of the Go API.
	is error
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func (e *apiError) Unwrap() error { return e.is }

// newError is an error whose query code is the shape's name, as it is
// for the errors SQS's model gives no legacy code.
func newError(shape, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, shape: shape, code: shape, message: fmt.Sprintf(format, args...)}
}

func errNoQueue() *apiError {
	return &apiError{
		status: http.StatusBadRequest, shape: "QueueDoesNotExist",
		code:    "AWS.SimpleQueueService.NonExistentQueue",
		message: "The specified queue does not exist.", is: ErrQueueDoesNotExist,
	}
}

func errQueueNameExists(attr string) *apiError {
	return &apiError{
		status: http.StatusBadRequest, shape: "QueueNameExists", code: "QueueAlreadyExists",
		message: "A queue already exists with the same name and a different value for attribute " + attr,
	}
}

func errInvalidParameter(format string, args ...any) *apiError {
	return newError("InvalidParameterValue", format, args...)
}

func errMissingParameter(name string) *apiError {
	return newError("MissingParameter", "The request must contain the parameter %s.", name)
}

func errReceiptHandle(handle string) *apiError {
	return newError("ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", handle)
}

func errAttributeName(name string) *apiError {
	return newError("InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errAttributeValue(name string) *apiError {
	return newError("InvalidAttributeValue", "Invalid value for the parameter %s.", name)
}

func errUnsupported(format string, args ...any) *apiError {
	e := newError("UnsupportedOperation", format, args...)
	e.code = "AWS.SimpleQueueService.UnsupportedOperation"
	return e
}

func errEmptyBatch() *apiError {
	e := newError("EmptyBatchRequest", "There should be at least one entry in the request.")
	e.code = "AWS.SimpleQueueService.EmptyBatchRequest"
	return e
}

func errTooManyEntries(n int) *apiError {
	e := newError("TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", n)
	e.code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
	return e
}

func errIDsNotDistinct(id string) *apiError {
	e := newError("BatchEntryIdsNotDistinct", "Id %s repeated.", id)
	e.code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
	return e
}

func errBatchEntryID(id string) *apiError {
	e := newError("InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long; %q is not.", id)
	e.code = "AWS.SimpleQueueService.InvalidBatchEntryId"
	return e
}

func errBatchTooLong(size, limit int) *apiError {
	e := newError("BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", limit, size)
	e.code = "AWS.SimpleQueueService.BatchRequestTooLong"
	return e
}

func errNotInflight() *apiError {
	e := newError("MessageNotInflight", "The message referred to is not in flight.")
	e.code = "AWS.SimpleQueueService.MessageNotInflight"
	return e
}

func errPurgeInProgress(name string) *apiError {
	e := newError("PurgeQueueInProgress", "Only one PurgeQueue operation on %s is allowed every 60 seconds.", name)
	e.code = "AWS.SimpleQueueService.PurgeQueueInProgress"
	return e
}

func errResourceNotFound(format string, args ...any) *apiError {
	e := newError("ResourceNotFoundException", format, args...)
	e.status = http.StatusNotFound
	return e
}

func errMessageContents() *apiError {
	return newError("InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
}

// errSerialization answers a body that is not the JSON of the action's
// input, with the JSON protocol's own exception.
func errSerialization(err error) *apiError {
	return &apiError{
		status: http.StatusBadRequest, shape: "com.amazon.coral.service#SerializationException",
		code: "SerializationException", message: "Request body is not valid JSON for this action: " + err.Error(),
	}
}
