package wsgateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"

	"innkeeper/local/awsid"
	"innkeeper/local/sandbox"
)

// conn is one open connection.
type conn struct {
	g    *Gateway
	peer peer
	id   string
	// ready is closed once the handshake is over: ws and frames are set,
	// or stay nil if it failed.
	ready  chan struct{}
	ws     *websocket.Conn
	frames *frameWatch

	activity chan struct{} // a message went either way; the idle clock restarts
	ended    chan struct{} // the client side is closed
	closer   sync.WaitGroup

	mu         sync.Mutex
	lastActive time.Time
	closing    bool
	// How the connection closed, once closing: the close code and reason
	// sent by whichever side closed first, and why, for $disconnect and
	// the log.
	code   websocket.StatusCode
	reason string
	cause  string
}

func newConn(g *Gateway, p peer) *conn {
	return &conn{
		g: g, peer: p, id: p.connectionID,
		ready:      make(chan struct{}),
		activity:   make(chan struct{}, 1),
		ended:      make(chan struct{}),
		lastActive: p.connectedAt,
	}
}

// attach ends the handshake with the accepted socket.
func (c *conn) attach(ws *websocket.Conn, frames *frameWatch) {
	c.ws, c.frames = ws, frames
	close(c.ready)
}

// abandon ends a handshake that failed.
func (c *conn) abandon() {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	close(c.ready)
}

// socket is the accepted socket once the handshake is over; nil if it
// failed.
func (c *conn) socket() *websocket.Conn {
	<-c.ready
	return c.ws
}

// inbound is one message from the client, waiting for its function.
type inbound struct {
	body []byte
	at   time.Time
}

// queueLength bounds the messages waiting for a busy function; past it,
// the client waits, as TCP makes it.
const queueLength = 64

// run serves the connection until it closes, then invokes $disconnect.
// The messages reach their functions one at a time, in order, and all of
// them before $disconnect.
func (c *conn) run() {
	queue := make(chan inbound, queueLength)
	worked := make(chan struct{})
	go func() {
		defer close(worked)
		for m := range queue {
			c.handle(m)
		}
	}()
	go c.watch()

	code, reason, cause := c.read(queue)
	close(queue)
	close(c.ended)
	c.g.forget(c.id)
	<-worked
	c.closer.Wait()
	c.g.disconnect(c.peer, int(code), reason, cause)
}

// read passes the client's messages to the queue until the connection
// closes, and returns the close code, reason and cause.
func (c *conn) read(queue chan<- inbound) (websocket.StatusCode, string, string) {
	for {
		typ, body, err := c.ws.Read(context.Background())
		if err != nil {
			return c.closedBy(err)
		}
		switch {
		case c.isClosing():
			// Closing: what the client sent before it saw the close frame
			// is dropped.
		case c.frames.oversized():
			c.shut(websocket.StatusMessageTooBig, reasonTooBig, "frame over 32 KB")
		case typ != websocket.MessageText:
			c.shut(websocket.StatusUnsupportedData, reasonBinary, "binary frame")
		default:
			now := c.touch()
			queue <- inbound{body: body, at: now}
		}
	}
}

// closedBy settles how the connection closed, once reading has ended
// with err: as the gateway closed it, else as the client did.
func (c *conn) closedBy(err error) (websocket.StatusCode, string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closing {
		c.closing = true
		var ce websocket.CloseError
		switch {
		case errors.Is(err, websocket.ErrMessageTooBig):
			c.code, c.reason, c.cause = websocket.StatusMessageTooBig, reasonTooBig, "message over 128 KB"
		case errors.As(err, &ce):
			c.code, c.reason, c.cause = ce.Code, ce.Reason, "client closed"
		default:
			// No close frame: the network dropped or the client crashed.
			c.code, c.reason, c.cause = websocket.StatusAbnormalClosure, "", "connection lost"
		}
	}
	return c.code, c.reason, c.cause
}

// shut closes the connection from the gateway's side with code and
// reason; cause is for the log. Only the first call counts.
func (c *conn) shut(code websocket.StatusCode, reason, cause string) {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.closing, c.code, c.reason, c.cause = true, code, reason, cause
	// Counted under the lock: run waits for the closer only after it has
	// taken the lock itself (closedBy), so it cannot miss it.
	c.closer.Add(1)
	c.mu.Unlock()
	// The close handshake waits for the client's answer, which read
	// receives; it must not hold up the caller.
	go func() {
		defer c.closer.Done()
		if ws := c.socket(); ws != nil {
			_ = ws.Close(code, reason)
		}
	}()
}

func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// touch records a message either way and restarts the idle clock.
func (c *conn) touch() time.Time {
	now := c.g.o.Now()
	c.mu.Lock()
	c.lastActive = now
	c.mu.Unlock()
	select {
	case c.activity <- struct{}{}:
	default:
	}
	return now
}

func (c *conn) lastActiveAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastActive
}

// watch closes the connection when it has been idle too long or has
// lived as long as a connection may.
func (c *conn) watch() {
	idle := time.NewTimer(c.g.o.IdleTimeout)
	defer idle.Stop()
	life := time.NewTimer(c.g.o.MaxDuration)
	defer life.Stop()
	for {
		select {
		case <-c.activity:
			idle.Reset(c.g.o.IdleTimeout)
		case <-idle.C:
			c.shut(websocket.StatusGoingAway, reasonGoingAway, "idle timeout")
			return
		case <-life.C:
			c.shut(websocket.StatusGoingAway, reasonGoingAway, "maximum duration")
			return
		case <-c.ended:
			return
		}
	}
}

// send writes data to the client as one message: text when it is valid
// UTF-8, binary otherwise, in frames of at most MaxFrame bytes as the
// gateway sends them.
func (c *conn) send(ctx context.Context, data []byte) error {
	ws := c.socket()
	if ws == nil {
		return errGone
	}
	typ := websocket.MessageText
	if !utf8.Valid(data) {
		typ = websocket.MessageBinary
	}
	if len(data) <= MaxFrame {
		return ws.Write(ctx, typ, data)
	}
	w, err := ws.Writer(ctx, typ)
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n := min(len(data), MaxFrame)
		if _, err := w.Write(data[:n]); err != nil {
			_ = w.Close()
			return err
		}
		data = data[n:]
	}
	return w.Close()
}

// sendTimeout bounds a write to a client that does not read.
const sendTimeout = 5 * time.Second

// handle routes one message and invokes its function.
func (c *conn) handle(m inbound) {
	start := time.Now()
	requestID := awsid.GatewayID()
	key, ok := c.g.routes.selectRoute(m.body)
	function := noFunction
	status := http.StatusOK
	var err error
	switch {
	case !ok:
		status = http.StatusForbidden
		c.reply(msgForbidden, requestID)
	default:
		function, _ = c.g.routes.lookup(key)
		ev := c.g.messageEvent(c.peer, key, requestID, awsid.GatewayID(), m.body, m.at)
		var res sandbox.Result
		if res, err = c.g.call(c.g.base, function, ev); err != nil {
			status = http.StatusInternalServerError
			message := msgInternal
			if errors.Is(err, errIntegrationTimeout) {
				status, message = http.StatusGatewayTimeout, msgTimedOut
			}
			c.reply(message, requestID)
			break
		}
		// A one-way route drops the function's answer, as API Gateway
		// does without a route response; a two-way route sends its body.
		if c.g.routes.replies(key) {
			err = c.answer(res.Payload)
		}
	}
	attrs := []slog.Attr{
		slog.String("connection_id", c.id),
		slog.String("request_id", requestID),
		slog.String("event_type", EventMessage),
		slog.String("route_key", key),
		slog.String("function", function),
		slog.Int("status", status),
		slog.Int("message_length", len(m.body)),
		slog.Float64("latency_ms", ms(time.Since(start))),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.g.o.Logger.LogAttrs(context.Background(), slog.LevelInfo, logMessage, attrs...)
}

// answer sends the client the body of its function's answer, if any.
// A client that has gone cannot be told; its $disconnect follows.
func (c *conn) answer(payload []byte) error {
	body, err := replyBody(payload)
	if err != nil || len(body) == 0 {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	if err := c.send(ctx, body); err != nil {
		return fmt.Errorf("wsgateway: route response to %s: %w", c.id, err)
	}
	c.touch()
	return nil
}

// reply sends the client one of the gateway's error frames.
func (c *conn) reply(message, requestID string) {
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	// A client that has gone cannot be told; its $disconnect follows.
	_ = c.ws.Write(ctx, websocket.MessageText, errorFrame(message, c.id, requestID))
}

// disconnect invokes the $disconnect route for a closed connection.
func (g *Gateway) disconnect(p peer, code int, reason, cause string) {
	start := time.Now()
	requestID := awsid.GatewayID()
	function, ok := g.routes.lookup(RouteDisconnect)
	status := http.StatusOK
	var err error
	if ok {
		ev := g.disconnectEvent(p, code, reason, requestID, g.o.Now())
		// Not bounded by Close: it is what Close waits for.
		if _, err = g.call(context.Background(), function, ev); err != nil {
			status = http.StatusInternalServerError
			if errors.Is(err, errIntegrationTimeout) {
				status = http.StatusGatewayTimeout
			}
		}
	} else {
		function = noFunction
	}
	attrs := []slog.Attr{
		slog.String("connection_id", p.connectionID),
		slog.String("request_id", requestID),
		slog.String("event_type", EventDisconnect),
		slog.String("route_key", RouteDisconnect),
		slog.String("function", function),
		slog.Int("status", status),
		slog.Int("close_code", code),
		slog.String("close_reason", reason),
		slog.String("cause", cause),
		slog.Float64("connected_s", g.o.Now().Sub(p.connectedAt).Seconds()),
		slog.Float64("latency_ms", ms(time.Since(start))),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	g.o.Logger.LogAttrs(context.Background(), slog.LevelInfo, logConnection, attrs...)
}
