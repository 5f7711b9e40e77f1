package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"innkeeper/local/awsid"
	"innkeeper/local/sandbox"
	"innkeeper/shared/topology"
)

// MaxRequestBody is the HTTP API's limit on a request body: 10 MiB.
const MaxRequestBody = 10 << 20

// DefaultStage is the stage served at the root of the API.
const DefaultStage = "$default"

// Invoker runs a function synchronously, as Lambda's Invoke API does.
type Invoker = sandbox.Invoker

// Options tune the gateway.
type Options struct {
	// Stage is the stage named in every event; "$default" when empty.
	// The $default stage is served at the root. Any other stage is
	// served under /<Stage>/ and only there, as API Gateway serves a
	// named stage: the routes match the path after the stage, rawPath
	// and requestContext.http.path keep it.
	Stage   string
	APIID   string           // "local" when empty
	Account string           // "000000000000" when empty
	Logger  *slog.Logger     // nil: discard
	Now     func() time.Time // nil: time.Now
}

func (o Options) withDefaults() Options {
	if o.Stage == "" {
		o.Stage = DefaultStage
	}
	if o.APIID == "" {
		o.APIID = "local"
	}
	if o.Account == "" {
		o.Account = "000000000000"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Gateway is an http.Handler that behaves as API Gateway's HTTP API in
// front of the functions of its routes.
type Gateway struct {
	router *Router
	inv    Invoker
	o      Options
}

// New returns a gateway for routes, invoking their functions with inv.
// It fails on routes the HTTP API would not accept.
func New(routes []topology.Route, inv Invoker, o Options) (*Gateway, error) {
	if inv == nil {
		return nil, errors.New("gateway: no invoker")
	}
	rt, err := NewRouter(routes)
	if err != nil {
		return nil, err
	}
	return &Gateway{router: rt, inv: inv, o: o.withDefaults()}, nil
}

// The gateway's own answers, worded as the HTTP API words them.
const (
	msgNotFound      = "Not Found"
	msgTooLarge      = "Request Entity Too Large"
	msgInternal      = "Internal Server Error"
	msgUnavailable   = "Service Unavailable"
	msgBadRequest    = "Bad Request"
	noRoute          = "-" // the access log's route key when none matched
	accessLogMessage = "http api"
)

// ServeHTTP routes r, invokes the route's function and answers as the
// HTTP API would, then writes one access-log line.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, id: awsid.GatewayID()}
	out := g.serve(rec, r)
	attrs := []slog.Attr{
		slog.String("request_id", rec.id),
		slog.String("ip", SourceIP(r)),
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.String("route_key", out.routeKey),
		slog.String("function", out.function),
		slog.Int("status", rec.status),
		slog.Int("response_length", rec.size),
		slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if out.err != nil {
		attrs = append(attrs, slog.String("integration_error", out.err.Error()))
	}
	g.o.Logger.LogAttrs(r.Context(), slog.LevelInfo, accessLogMessage, attrs...)
}

// outcome is what the access log says of a request beyond its status.
type outcome struct {
	routeKey, function string
	err                error
}

func (g *Gateway) serve(w *recorder, r *http.Request) outcome {
	head := r.Method == http.MethodHead
	out := outcome{routeKey: noRoute}
	path, ok := g.routePath(r.URL.EscapedPath())
	var m Match
	if ok {
		m, ok = g.router.Match(r.Method, path)
	}
	if !ok {
		writeError(w, http.StatusNotFound, msgNotFound, head)
		return out
	}
	out.routeKey, out.function = m.Route.Key(), m.Route.Function
	fail := func(status int, message string, err error) outcome {
		writeError(w, status, message, head)
		out.err = err
		return out
	}

	// A body over 10 MiB would make an event over Lambda's 6 MiB anyway;
	// refusing it on its stated length spares reading it.
	if r.ContentLength > MaxRequestBody {
		return fail(http.StatusRequestEntityTooLarge, msgTooLarge,
			fmt.Errorf("gateway: Content-Length %d over the HTTP API's %d", r.ContentLength, MaxRequestBody))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return fail(http.StatusBadRequest, msgBadRequest, fmt.Errorf("gateway: read request body: %w", err))
	}
	if len(body) > MaxRequestBody {
		return fail(http.StatusRequestEntityTooLarge, msgTooLarge,
			fmt.Errorf("gateway: request body over the HTTP API's %d bytes", MaxRequestBody))
	}

	payload, err := json.Marshal(Event(r, body, m, w.id, g.o.Now(), g.o))
	if err != nil {
		return fail(http.StatusInternalServerError, msgInternal, fmt.Errorf("gateway: encode event: %w", err))
	}
	if len(payload) > sandbox.MaxPayload {
		return fail(http.StatusRequestEntityTooLarge, msgTooLarge,
			fmt.Errorf("gateway: event of %d bytes over Lambda's %d: %w", len(payload), sandbox.MaxPayload, sandbox.ErrPayloadTooLarge))
	}

	res, err := g.inv.Invoke(r.Context(), m.Route.Function, payload)
	switch {
	case errors.Is(err, sandbox.ErrPayloadTooLarge):
		return fail(http.StatusRequestEntityTooLarge, msgTooLarge, fmt.Errorf("gateway: invoke %s: %w", m.Route.Function, err))
	case err != nil:
		return fail(http.StatusInternalServerError, msgInternal, fmt.Errorf("gateway: invoke %s: %w", m.Route.Function, err))
	case res.Timeout:
		return fail(http.StatusServiceUnavailable, msgUnavailable, fmt.Errorf("gateway: %s timed out", m.Route.Function))
	case res.FunctionError != "":
		return fail(http.StatusInternalServerError, msgInternal,
			fmt.Errorf("gateway: %s: %s error: %s", m.Route.Function, res.FunctionError, res.ErrorSummary()))
	case len(res.Payload) > sandbox.MaxPayload:
		// Lambda refuses such a response with a function error
		// (Function.ResponseSizeTooLarge); the HTTP API documents a
		// failing Lambda integration as 500 {"message":"Internal Server
		// Error"}. (REST APIs answer 502 here; HTTP APIs are not
		// documented to.)
		return fail(http.StatusInternalServerError, msgInternal,
			fmt.Errorf("gateway: %s: response of %d bytes over Lambda's %d", m.Route.Function, len(res.Payload), sandbox.MaxPayload))
	}

	resp, err := ParseResponse(res.Payload)
	if err != nil {
		return fail(http.StatusInternalServerError, msgInternal, fmt.Errorf("gateway: %s: %w", m.Route.Function, err))
	}
	if len(resp.MultiValueHeaders) > 0 {
		g.o.Logger.LogAttrs(r.Context(), slog.LevelWarn, "multiValueHeaders ignored: payload format 2.0 has no such field; use headers with comma-joined values",
			slog.String("request_id", w.id), slog.String("function", m.Route.Function))
	}
	if err := writeResponse(w, resp, head); err != nil {
		out.err = err
	}
	return out
}

// routePath is the path the routes see: all of it on the $default stage,
// what follows /<stage> on a named one; false outside the stage.
func (g *Gateway) routePath(rawPath string) (string, bool) {
	if g.o.Stage == DefaultStage {
		return rawPath, true
	}
	prefix := "/" + url.PathEscape(g.o.Stage)
	rest, ok := strings.CutPrefix(rawPath, prefix)
	switch {
	case !ok:
		return "", false
	case rest == "":
		return "/", true
	case strings.HasPrefix(rest, "/"):
		return rest, true
	}
	return "", false
}

// recorder stamps every answer with the request id, as the real gateway
// does, and keeps the status and size for the access log.
type recorder struct {
	http.ResponseWriter
	id     string
	status int
	size   int
}

func (rec *recorder) WriteHeader(code int) {
	rec.status = code
	rec.Header().Set("Apigw-Requestid", rec.id)
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.size += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
