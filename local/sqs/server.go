package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"innkeeper/local/awsid"
	"innkeeper/local/clock"
	"innkeeper/local/loopback"
)

// Options tune the server.
type Options struct {
	Region  string       // "eu-west-1" when empty
	Account string       // "000000000000" when empty
	Clock   *clock.Clock // nil: real time
	Logger  *slog.Logger // nil: discard
}

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "eu-west-1"
	}
	if o.Account == "" {
		o.Account = "000000000000"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Server is an SQS endpoint holding its queues in memory. It serves the
// JSON protocol over HTTP and a small Go API (Ensure, Depth) for the
// devstack and the Poller.
type Server struct {
	o     Options
	clock *clock.Clock

	mu     sync.Mutex
	queues map[string]*queue
	base   string // http://host:port once serving
	srv    *http.Server
	closed bool
	done   chan struct{}
}

// New returns a server with no queues; it serves nothing until Serve or
// Start.
func New(o Options) *Server {
	o = o.withDefaults()
	s := &Server{o: o, clock: o.Clock, queues: map[string]*queue{}, base: "http://localhost", done: make(chan struct{})}
	if s.clock == nil {
		s.clock = &clock.Clock{}
	} else {
		go s.watchClock()
	}
	return s
}

func (s *Server) now() time.Time { return s.clock.Now() }

// watchClock wakes every long poll when the clock jumps, so a wait for a
// visibility timeout or a delay ends at the new time, not the old one.
func (s *Server) watchClock() {
	for {
		moved := s.clock.Moved()
		select {
		case <-moved:
			s.mu.Lock()
			for _, q := range s.queues {
				q.wake()
			}
			s.mu.Unlock()
		case <-s.done:
			return
		}
	}
}

// Start listens on addr, which must be a loopback address such as
// 127.0.0.1:0, serves in the background and returns the endpoint URL
// to give the SDK as its BaseEndpoint.
func (s *Server) Start(addr string) (string, error) {
	ln, err := loopback.Listen(addr)
	if err != nil {
		return "", fmt.Errorf("sqs: %w", err)
	}
	if err := s.listen(ln); err != nil {
		ln.Close()
		return "", err
	}
	loopback.Serve(s.srv, ln, func(err error) {
		s.o.Logger.Error("sqs: serve", slog.String("error", err.Error()))
	})
	return s.URL(), nil
}

// Serve answers SQS requests on ln until Close. It refuses a listener
// that is not on a loopback address: the emulator checks no signatures,
// so it must not be reachable from other machines.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.listen(ln); err != nil {
		return err
	}
	if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sqs: serve: %w", err)
	}
	return nil
}

func (s *Server) listen(ln net.Listener) error {
	addr, err := loopback.Addr(ln)
	if err != nil {
		return fmt.Errorf("sqs: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.srv != nil:
		return errors.New("sqs: already serving")
	}
	s.base = "http://" + addr.String()
	s.srv = loopback.NewServer(s)
	return nil
}

// URL is the endpoint the server answers on (http://127.0.0.1:port), and
// the base of its queue URLs; http://localhost before it serves.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// Close stops serving, ends the long polls in progress (they answer
// with no messages) and stops the clock watcher. The Go API still reads
// the queues, but a receive that would wait fails with ErrClosed.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	srv := s.srv
	s.mu.Unlock()
	if srv != nil {
		if err := srv.Close(); err != nil {
			return fmt.Errorf("sqs: close: %w", err)
		}
	}
	return nil
}

// maxRequestBody bounds what a request may carry: a batch of ten 1 MiB
// messages with base64 binary attributes fits well within it.
const maxRequestBody = 16 << 20

// ServeHTTP answers one JSON protocol request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := awsid.UUID()
	w.Header().Set("x-amzn-RequestId", id)
	action, _ := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeQueryError(w, id)
		return
	}

	out, err := s.serve(r, action)
	status := http.StatusOK
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{status: http.StatusInternalServerError, shape: "InternalError", code: "InternalError", message: "internal error"}
			s.o.Logger.Error("sqs: internal error", slog.String("request_id", id), slog.String("action", action), slog.String("error", err.Error()))
		}
		status = ae.status
		writeError(w, ae)
	} else {
		writeJSON(w, status, out)
	}
	attrs := []slog.Attr{
		slog.String("request_id", id),
		slog.String("action", action),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.o.Logger.LogAttrs(r.Context(), slog.LevelDebug, "sqs request", attrs...)
}

func (s *Server) serve(r *http.Request, action string) (any, error) {
	if r.Method != http.MethodPost {
		return nil, errUnsupported("SQS answers POST requests only.")
	}
	h, ok := actions[action]
	if !ok {
		return nil, errUnsupported("The action %q is not supported by the local SQS emulator.", action)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, fmt.Errorf("sqs: read request: %w", err)
	}
	if len(body) > maxRequestBody {
		return nil, errInvalidParameter("The request is larger than %d bytes.", maxRequestBody)
	}
	return h(s, r.Context(), body)
}

// handler runs one action on its JSON input.
type handler func(s *Server, ctx context.Context, body []byte) (any, error)

// action adapts a typed action to a handler.
func action[I, O any](fn func(*Server, context.Context, *I) (*O, error)) handler {
	return func(s *Server, ctx context.Context, body []byte) (any, error) {
		in := new(I)
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				return nil, errSerialization(err)
			}
		}
		out, err := fn(s, ctx, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// actions are the operations the emulator implements; any other target
// is UnsupportedOperation.
var actions = map[string]handler{
	"CreateQueue":                  action((*Server).createQueue),
	"GetQueueUrl":                  action((*Server).getQueueURL),
	"ListQueues":                   action((*Server).listQueues),
	"GetQueueAttributes":           action((*Server).getQueueAttributes),
	"SetQueueAttributes":           action((*Server).setQueueAttributes),
	"DeleteQueue":                  action((*Server).deleteQueue),
	"PurgeQueue":                   action((*Server).purgeQueue),
	"ListDeadLetterSourceQueues":   action((*Server).listDeadLetterSourceQueues),
	"TagQueue":                     action((*Server).tagQueue),
	"UntagQueue":                   action((*Server).untagQueue),
	"ListQueueTags":                action((*Server).listQueueTags),
	"SendMessage":                  action((*Server).sendMessage),
	"SendMessageBatch":             action((*Server).sendMessageBatch),
	"ReceiveMessage":               action((*Server).receiveMessage),
	"DeleteMessage":                action((*Server).deleteMessage),
	"DeleteMessageBatch":           action((*Server).deleteMessageBatch),
	"ChangeMessageVisibility":      action((*Server).changeMessageVisibility),
	"ChangeMessageVisibilityBatch": action((*Server).changeMessageVisibilityBatch),
	"StartMessageMoveTask":         action((*Server).startMessageMoveTask),
	"ListMessageMoveTasks":         action((*Server).listMessageMoveTasks),
}

const contentType = "application/x-amz-json-1.0"

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, &apiError{status: http.StatusInternalServerError, shape: "InternalError", code: "InternalError", message: "encode response"})
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers as SQS's JSON protocol does: the shape in __type,
// the legacy code and fault in x-amzn-query-error.
func writeError(w http.ResponseWriter, e *apiError) {
	shape := e.shape
	if !strings.Contains(shape, "#") {
		shape = "com.amazonaws.sqs#" + shape
	}
	fault := "Sender"
	if e.status >= 500 {
		fault = "Receiver"
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{shape, e.message})
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("x-amzn-query-error", e.code+";"+fault)
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// writeQueryError answers a Query protocol request (an SDK from before
// SQS moved to JSON) in that protocol's XML, so the client shows why.
func writeQueryError(w http.ResponseWriter, requestID string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = fmt.Fprintf(w, `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">`+
		`<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.UnsupportedOperation</Code>`+
		`<Message>The local SQS emulator speaks the AWS JSON 1.0 protocol only; upgrade the SDK.</Message></Error>`+
		`<RequestId>%s</RequestId></ErrorResponse>`, requestID)
}
