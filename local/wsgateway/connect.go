package wsgateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"innkeeper/local/awsid"
	"innkeeper/local/gateway"
)

// errBadResponse is what the $connect function answered when the gateway
// cannot read it as a proxy response.
var errBadResponse = errors.New("malformed function response")

// serveUpgrade runs the $connect route for an upgrade request and, when
// it allows the connection, opens it and serves it until it closes.
func (g *Gateway) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if !isUpgrade(r) {
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Sec-WebSocket-Version", "13")
		writeMessage(w, http.StatusUpgradeRequired, "Upgrade Required")
		return
	}
	id, ok := g.reserve()
	if !ok {
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	defer g.running.Done()

	now := g.o.Now()
	p := peer{connectionID: id, connectedAt: now, sourceIP: gateway.SourceIP(r), userAgent: r.UserAgent(), domainName: r.Host}
	requestID := awsid.GatewayID()
	v, function := g.connect(r, p, requestID, now)
	logConnect := func(status int, err error) {
		attrs := []slog.Attr{
			slog.String("connection_id", id),
			slog.String("request_id", requestID),
			slog.String("event_type", EventConnect),
			slog.String("route_key", RouteConnect),
			slog.String("function", function),
			slog.String("ip", p.sourceIP),
			slog.Int("status", status),
			slog.Float64("latency_ms", ms(time.Since(start))),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		g.o.Logger.LogAttrs(context.Background(), slog.LevelInfo, logConnection, attrs...)
	}
	if v.status/100 != 2 {
		g.forget(id)
		v.refuse(w)
		logConnect(v.status, v.err)
		return
	}

	// The connection is known to @connections before the client learns
	// it is open, so that a backend told of it at once can post to it.
	c := newConn(g, p)
	if !g.open(c) {
		c.abandon()
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		logConnect(http.StatusServiceUnavailable, errors.New("wsgateway: closed during $connect"))
		g.disconnect(p, int(websocket.StatusGoingAway), reasonGoingAway, "gateway closed")
		return
	}
	ws, watch, err := accept(w, r, v.subprotocol)
	if err != nil {
		// The function has seen the connection; tell it that it is gone.
		g.forget(id)
		c.abandon()
		logConnect(http.StatusInternalServerError, err)
		g.disconnect(p, int(websocket.StatusAbnormalClosure), "", "upgrade failed")
		return
	}
	logConnect(http.StatusSwitchingProtocols, nil)
	c.attach(ws, watch)
	c.run()
}

// verdict is the $connect route's answer to a handshake.
type verdict struct {
	status      int
	header      http.Header
	body        []byte
	subprotocol string
	err         error // why the integration failed, for the log
}

// connect invokes the $connect route's function, if there is one, and
// returns its verdict and the function's name.
func (g *Gateway) connect(r *http.Request, p peer, requestID string, now time.Time) (verdict, string) {
	function, ok := g.routes.lookup(RouteConnect)
	if !ok {
		return verdict{status: http.StatusOK}, noFunction
	}
	ctx, stop := context.WithCancel(r.Context())
	defer stop()
	defer context.AfterFunc(g.base, stop)()

	fail := func(err error) (verdict, string) {
		status, message := http.StatusInternalServerError, msgInternal
		if errors.Is(err, errIntegrationTimeout) {
			status, message = http.StatusGatewayTimeout, msgTimedOut
		}
		h := http.Header{"Content-Type": {"application/json"}}
		return verdict{status: status, header: h, body: errorFrame(message, p.connectionID, requestID), err: err}, function
	}
	res, err := g.call(ctx, function, g.connectEvent(r, p, requestID, now))
	if err != nil {
		return fail(err)
	}
	v, err := parseConnectResponse(res.Payload)
	if err != nil {
		return fail(fmt.Errorf("wsgateway: %s: %w", function, err))
	}
	return v, function
}

// parseConnectResponse reads the $connect function's answer. A JSON
// object with statusCode is a proxy response, whose status decides; any
// other JSON, or nothing, allows the connection. Invalid JSON, a status
// that is not a number from 200 to 599 or a base64 body that does not
// decode are errors.
func parseConnectResponse(payload []byte) (verdict, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 {
		return verdict{status: http.StatusOK}, nil
	}
	if !json.Valid(payload) {
		return verdict{}, fmt.Errorf("%w: not JSON", errBadResponse)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) != nil {
		return verdict{status: http.StatusOK}, nil // null, a string, a list…
	}
	if _, ok := fields["statusCode"]; !ok {
		return verdict{status: http.StatusOK}, nil
	}
	var res events.APIGatewayProxyResponse
	if err := json.Unmarshal(payload, &res); err != nil {
		return verdict{}, fmt.Errorf("%w: %w", errBadResponse, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 599 {
		return verdict{}, fmt.Errorf("%w: statusCode %d", errBadResponse, res.StatusCode)
	}
	body := []byte(res.Body)
	if res.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(res.Body); err != nil {
			return verdict{}, fmt.Errorf("%w: base64 body: %w", errBadResponse, err)
		}
	}
	h := http.Header{}
	for name, value := range res.Headers {
		h.Set(name, value)
	}
	for name, values := range res.MultiValueHeaders {
		for _, v := range values {
			h.Add(name, v)
		}
	}
	return verdict{status: res.StatusCode, header: h, body: body, subprotocol: h.Get("Sec-WebSocket-Protocol")}, nil
}

// refuse answers the handshake with the verdict's status, headers and
// body instead of upgrading.
func (v verdict) refuse(w http.ResponseWriter) {
	for name, values := range v.header {
		switch lower := strings.ToLower(name); {
		case lower == "content-length", lower == "transfer-encoding", lower == "connection",
			lower == "upgrade", strings.HasPrefix(lower, "sec-websocket-"):
		default:
			w.Header()[name] = values
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(v.body)))
	w.WriteHeader(v.status)
	_, _ = w.Write(v.body) // the client is gone; nothing to tell it
}

// accept completes the handshake, with the subprotocol $connect chose,
// and returns the connection with the watch on its frames.
func accept(w http.ResponseWriter, r *http.Request, subprotocol string) (*websocket.Conn, *frameWatch, error) {
	ww := &watchingWriter{ResponseWriter: w}
	opts := &websocket.AcceptOptions{
		// API Gateway lets any origin connect; the $connect function
		// decides, as the deployed one must.
		InsecureSkipVerify: true,
	}
	if subprotocol != "" {
		opts.Subprotocols = []string{subprotocol}
	}
	ws, err := websocket.Accept(ww, r, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("wsgateway: accept: %w", err)
	}
	if ww.watch == nil {
		_ = ws.CloseNow()
		return nil, nil, errors.New("wsgateway: accept: the connection was not hijacked through the frame watch")
	}
	ws.SetReadLimit(MaxMessage)
	return ws, ww.watch, nil
}

// isUpgrade reports whether r asks for a WebSocket (version 13).
func isUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		hasToken(r.Header, "Connection", "upgrade") &&
		hasToken(r.Header, "Upgrade", "websocket") &&
		r.Header.Get("Sec-WebSocket-Version") == "13" &&
		r.Header.Get("Sec-WebSocket-Key") != ""
}

// hasToken reports whether a comma-separated header lists token.
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
