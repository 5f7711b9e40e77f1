package awsjson

import (
	"net/http"
	"strings"
	"testing"
)

func TestDecodeError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
		// wantInMessage, when set, is checked with strings.Contains
		// instead of comparing Message.
		wantInMessage string
		retryable     bool
	}{
		{
			name: "SQS: namespaced __type, lower-case message, the query error header", status: 400,
			header: http.Header{"X-Amzn-Query-Error": {"AWS.SimpleQueueService.NonExistentQueue;Sender"}, "X-Amzn-Requestid": {"req-1"}},
			body:   `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`,
			want: Error{Code: "QueueDoesNotExist", Message: "The specified queue does not exist.", Status: 400,
				QueryCode: "AWS.SimpleQueueService.NonExistentQueue", Fault: "Sender", RequestID: "req-1"},
		},
		{
			name: "__type without a namespace, capitalised Message", status: 400,
			body: `{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`,
			want: Error{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret.", Status: 400},
		},
		{
			name: "__type with a namespace and a URI suffix", status: 400,
			body: `{"__type":"com.amazon.coral.validate#ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/","message":"bad"}`,
			want: Error{Code: "ValidationException", Message: "bad", Status: 400},
		},
		{
			name: "the X-Amzn-ErrorType header wins over the body", status: 400,
			header: http.Header{"X-Amzn-Errortype": {"AccessDeniedException:http://internal.amazon.com/"}},
			body:   `{"__type":"com.amazonaws.sqs#Other","message":"denied"}`,
			want:   Error{Code: "AccessDeniedException", Message: "denied", Status: 400},
		},
		{
			name: "a code member instead of __type", status: 400,
			body: `{"code":"InvalidParameterValue","message":"nope"}`,
			want: Error{Code: "InvalidParameterValue", Message: "nope", Status: 400},
		},
		{
			name: "throttling is retryable", status: 400,
			body:      `{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}`,
			want:      Error{Code: "ThrottlingException", Message: "Rate exceeded", Status: 400},
			retryable: true,
		},
		{
			name: "a server error is retryable", status: 500,
			header:    http.Header{"X-Amzn-Query-Error": {"InternalError;Receiver"}},
			body:      `{"__type":"com.amazonaws.sqs#InternalError","message":"We encountered an internal error."}`,
			want:      Error{Code: "InternalError", Message: "We encountered an internal error.", Status: 500, QueryCode: "InternalError", Fault: "Receiver"},
			retryable: true,
		},
		{
			name: "not JSON: a proxy's error page", status: 502,
			body:          "<html><body>Bad Gateway</body></html>",
			want:          Error{Status: 502},
			wantInMessage: "not a JSON error document: <html><body>Bad Gateway",
			retryable:     true,
		},
		{
			name: "JSON but not an object", status: 400,
			body:          `["QueueDoesNotExist"]`,
			want:          Error{Status: 400},
			wantInMessage: "not a JSON error document",
		},
		{
			name: "an empty body", status: 503,
			want:      Error{Status: 503, Message: "Service Unavailable"},
			retryable: true,
		},
		{
			name: "an unmodelled 429", status: 429,
			body:      `{"message":"slow down"}`,
			want:      Error{Status: 429, Message: "slow down"},
			retryable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := decodeError(tt.status, h, []byte(tt.body))
			want := tt.want
			if tt.wantInMessage != "" {
				if !strings.Contains(got.Message, tt.wantInMessage) {
					t.Errorf("message %q does not contain %q", got.Message, tt.wantInMessage)
				}
				want.Message = got.Message
			}
			if *got != want {
				t.Errorf("decoded\n%+v\nwant\n%+v", *got, want)
			}
			if got.Retryable() != tt.retryable {
				t.Errorf("Retryable() = %v, want %v", got.Retryable(), tt.retryable)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{"code and message", Error{Code: "ResourceNotFoundException", Message: "gone", Status: 400}, "ResourceNotFoundException: gone (HTTP 400)"},
		{"code only", Error{Code: "QueueDoesNotExist", Status: 400}, "QueueDoesNotExist (HTTP 400)"},
		{"no code", Error{Message: "Bad Gateway", Status: 502}, "HTTP 502: Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}

func TestSnippetIsBounded(t *testing.T) {
	body := "a" + strings.Repeat("é", snippetLen) // two bytes each: the cut splits one
	s := snippet([]byte(body))
	if len(s) > snippetLen+len("…") || !strings.HasSuffix(s, "…") || !strings.HasPrefix(s, "aé") {
		t.Fatalf("snippet of %d bytes: %q", len(s), s)
	}
	if strings.ContainsRune(s, '\uFFFD') || !strings.HasSuffix(strings.TrimSuffix(s, "…"), "é") {
		t.Fatalf("snippet is not valid text: %q", s)
	}
}
