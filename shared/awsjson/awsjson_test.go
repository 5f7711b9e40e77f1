package awsjson_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"innkeeper/shared/awsjson"
)

var (
	creds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "session")
	svc   = awsjson.Service{Name: "example", TargetPrefix: "Example_20260101", Version: "1.0",
		Header: http.Header{"X-Amzn-Query-Mode": {"true"}}}
)

func config() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: creds}
}

// recorded is a request a server got, with its body.
type recorded struct {
	req  *http.Request
	body []byte
}

// server answers each request with the next of answers (the last one
// repeats) and records the requests.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	calls []recorded
}

func newServer(t *testing.T, answers ...http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.calls)
		s.calls = append(s.calls, recorded{r.Clone(context.Background()), body})
		s.mu.Unlock()
		answers[min(n, len(answers)-1)](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) recorded() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.calls...)
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	c, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		c.Close()
	}
}

// hang answers when the client gives up.
func hang(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

const internalError = `{"__type":"com.amazonaws.example#InternalError","message":"We encountered an internal error."}`

// verifySignature checks the request's SigV4 signature as AWS does: it
// signs again the headers the request says it signed, at the time it
// says it signed them, and compares.
func verifySignature(t *testing.T, rec recorded, service string) {
	t.Helper()
	auth := rec.req.Header.Get("Authorization")
	var signed []string
	for _, part := range strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ", ") {
		if v, ok := strings.CutPrefix(part, "SignedHeaders="); ok {
			signed = strings.Split(v, ";")
		}
	}
	at, err := time.Parse("20060102T150405Z", rec.req.Header.Get("X-Amz-Date"))
	if err != nil || len(signed) == 0 {
		t.Fatalf("not a SigV4 request: Authorization %q, X-Amz-Date %q", auth, rec.req.Header.Get("X-Amz-Date"))
	}
	again, _ := http.NewRequest(rec.req.Method, "http://"+rec.req.Host+rec.req.URL.RequestURI(), bytes.NewReader(rec.body))
	for _, h := range signed {
		if h != "host" && h != "content-length" {
			again.Header[http.CanonicalHeaderKey(h)] = rec.req.Header.Values(h)
		}
	}
	c, _ := creds.Retrieve(context.Background())
	sum := sha256.Sum256(rec.body)
	if err := v4.NewSigner().SignHTTP(context.Background(), c, again, hex.EncodeToString(sum[:]), service, "eu-west-1", at); err != nil {
		t.Fatal(err)
	}
	if got := again.Header.Get("Authorization"); got != auth {
		t.Fatalf("signature does not verify:\nsent     %s\nexpected %s", auth, got)
	}
}

func TestCallSendsASignedJSONRequest(t *testing.T) {
	srv := newServer(t, answer(200, `{"TaskHandle":"h-1","Unknown":[1,2]}`))
	c := awsjson.New(config(), svc, srv.URL)
	in := map[string]any{"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/1/q", "Names": []string{"a", "b"}}
	var out struct{ TaskHandle string }
	if err := c.Call(context.Background(), "DoThing", in, &out); err != nil {
		t.Fatal(err)
	}
	if out.TaskHandle != "h-1" {
		t.Errorf("decoded %+v", out)
	}
	calls := srv.recorded()
	if len(calls) != 1 {
		t.Fatalf("%d requests, want 1", len(calls))
	}
	r := calls[0]
	for name, want := range map[string]string{
		"Content-Type":         "application/x-amz-json-1.0",
		"X-Amz-Target":         "Example_20260101.DoThing",
		"X-Amzn-Query-Mode":    "true",
		"X-Amz-Security-Token": "session",
	} {
		if got := r.req.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if r.req.Method != http.MethodPost || r.req.URL.Path != "/" {
		t.Errorf("%s %s, want POST /", r.req.Method, r.req.URL.Path)
	}
	var got any
	if err := json.Unmarshal(r.body, &got); err != nil || !reflect.DeepEqual(got, map[string]any{"QueueUrl": in["QueueUrl"], "Names": []any{"a", "b"}}) {
		t.Errorf("body %s (%v)", r.body, err)
	}
	if a := r.req.Header.Get("Authorization"); !strings.Contains(a, "/eu-west-1/example/aws4_request") {
		t.Errorf("signed for the wrong scope: %s", a)
	}
	verifySignature(t, r, "example")
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name    string
		answers []http.HandlerFunc
		// calls is how many requests the client should make.
		calls int
		// wantStatus is the *awsjson.Error's status the call fails
		// with; 0 for success.
		wantStatus int
		// wantMax is whether the retryer gave up at its maximum.
		wantMax bool
	}{
		{"500 then 200: retried, succeeds", []http.HandlerFunc{answer(500, internalError), answer(200, `{}`)}, 2, 0, false},
		{"503 with no body then 200", []http.HandlerFunc{answer(503, ``), answer(200, `{}`)}, 2, 0, false},
		{"throttled then 200", []http.HandlerFunc{answer(400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`), answer(200, `{}`)}, 2, 0, false},
		{"the connection drops, then 200", []http.HandlerFunc{hangUp, answer(200, `{}`)}, 2, 0, false},
		{"a client error is not retried", []http.HandlerFunc{answer(400, `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`), answer(200, `{}`)}, 1, 400, false},
		{"an access error is not retried", []http.HandlerFunc{answer(403, `{"__type":"AccessDeniedException","message":"no"}`), answer(200, `{}`)}, 1, 403, false},
		{"500 every time: three attempts", []http.HandlerFunc{answer(500, internalError)}, 3, 500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.answers...)
			err := awsjson.New(config(), svc, srv.URL).Call(context.Background(), "Op", struct{}{}, nil)
			if n := len(srv.recorded()); n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var ae *awsjson.Error
			if !errors.As(err, &ae) || ae.Status != tt.wantStatus {
				t.Fatalf("error %v, want an *awsjson.Error with status %d", err, tt.wantStatus)
			}
			var maxErr *retry.MaxAttemptsError
			if errors.As(err, &maxErr) != tt.wantMax {
				t.Errorf("error %v: gave up at the maximum: %v, want %v", err, !tt.wantMax, tt.wantMax)
			}
		})
	}
}

// backoff is a retryer whose every backoff is d, so a test knows it.
func backoff(d time.Duration) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return d, nil })
		})
	}
}

func TestCallEndsWithTheContext(t *testing.T) {
	tests := []struct {
		name    string
		answers []http.HandlerFunc
		backoff time.Duration
		// timeout ends the context; cancelAfter cancels it.
		timeout, cancelAfter time.Duration
		// within bounds how long the call may take.
		within time.Duration
		// wantIs is what the error must wrap; wantStatus the status of
		// the *awsjson.Error it must carry, if any.
		wantIs     error
		wantStatus int
		calls      int
	}{
		{name: "a server that hangs", answers: []http.HandlerFunc{hang}, backoff: time.Millisecond,
			timeout: 200 * time.Millisecond, within: time.Second, wantIs: context.DeadlineExceeded, calls: 1},
		// The backoff would end after the deadline: the call returns the
		// error at once rather than wait for a retry it cannot make.
		{name: "no sleeping past the deadline", answers: []http.HandlerFunc{answer(500, internalError)}, backoff: time.Hour,
			timeout: 10 * time.Second, within: time.Second, wantStatus: 500, calls: 1},
		{name: "cancelled during the backoff", answers: []http.HandlerFunc{answer(500, internalError)}, backoff: time.Hour,
			cancelAfter: 200 * time.Millisecond, within: time.Second, wantIs: context.Canceled, wantStatus: 500, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.answers...)
			cfg := config()
			cfg.Retryer = backoff(tt.backoff)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			if tt.cancelAfter > 0 {
				time.AfterFunc(tt.cancelAfter, cancel)
			}
			start := time.Now()
			err := awsjson.New(cfg, svc, srv.URL).Call(ctx, "Op", struct{}{}, nil)
			took := time.Since(start)
			if took > tt.within {
				t.Errorf("returned after %v, want within %v", took, tt.within)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			var ae *awsjson.Error
			if tt.wantStatus != 0 && (!errors.As(err, &ae) || ae.Status != tt.wantStatus) {
				t.Errorf("error %v, want the service's %d", err, tt.wantStatus)
			}
			if tt.wantIs == nil && tt.wantStatus == 0 && err != nil {
				t.Errorf("unexpected error %v", err)
			}
			if n := len(srv.recorded()); n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
		})
	}
}

func TestAnswersAreBounded(t *testing.T) {
	big := `{"Pad":"` + strings.Repeat("x", awsjson.MaxResponse) + `"}`
	srv := newServer(t, answer(200, big))
	var out struct{ Pad string }
	err := awsjson.New(config(), svc, srv.URL).Call(context.Background(), "Op", struct{}{}, &out)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("over %d bytes", awsjson.MaxResponse)) || out.Pad != "" {
		t.Fatalf("an answer over the bound: %v (decoded %d bytes)", err, len(out.Pad))
	}
	if n := len(srv.recorded()); n != 1 {
		t.Errorf("%d requests, want 1: an oversized answer is not retried", n)
	}
}

func TestAnswerThatIsNotJSON(t *testing.T) {
	srv := newServer(t, answer(200, `<html>hello</html>`))
	var out struct{ X string }
	err := awsjson.New(config(), svc, srv.URL).Call(context.Background(), "Op", struct{}{}, &out)
	var ae *awsjson.Error
	if err == nil || errors.As(err, &ae) || !strings.Contains(err.Error(), "not its JSON") {
		t.Fatalf("got %v", err)
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		cfg      aws.Config
		endpoint string
		want     string
	}{
		{"the region's", aws.Config{Region: "eu-west-1"}, "", "https://example.eu-west-1.amazonaws.com"},
		{"China's domain", aws.Config{Region: "cn-north-1"}, "", "https://example.cn-north-1.amazonaws.com.cn"},
		{"the configured one", aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String("http://localhost:4566")}, "", "http://localhost:4566"},
		{"the given one wins", aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String("http://localhost:4566")}, "http://127.0.0.1:9324/", "http://127.0.0.1:9324"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := awsjson.New(tt.cfg, svc, tt.endpoint).Endpoint(); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}

// A REST-JSON call goes to its own method and path, without
// X-Amz-Target, signed and retried as any other.
func TestCallRESTSendsASignedRequestToItsPath(t *testing.T) {
	srv := newServer(t, answer(500, `{"__type":"ServiceUnavailableException","message":"later"}`), answer(204, ""))
	c := awsjson.New(config(), svc, srv.URL)
	in := map[string]string{"ValidationStatus": "SUCCESSFUL"}
	if err := c.CallREST(context.Background(), "PutThing", http.MethodPut, "/things/a%2Fb/validations", in, nil); err != nil {
		t.Fatal(err)
	}
	calls := srv.recorded()
	if len(calls) != 2 {
		t.Fatalf("%d requests, want a retry after the 500", len(calls))
	}
	r := calls[1]
	if r.req.Method != http.MethodPut || r.req.URL.EscapedPath() != "/things/a%2Fb/validations" {
		t.Errorf("%s %s, want PUT /things/a%%2Fb/validations", r.req.Method, r.req.URL.EscapedPath())
	}
	if r.req.Header.Get("X-Amz-Target") != "" || r.req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v: want application/json and no X-Amz-Target", r.req.Header)
	}
	if string(r.body) != `{"ValidationStatus":"SUCCESSFUL"}` {
		t.Errorf("body %s", r.body)
	}
	verifySignature(t, r, "example")
}
