package wsgateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"innkeeper/local/awsid"
	"innkeeper/local/sandbox"
	"innkeeper/shared/topology"
)

// The quotas of API Gateway WebSocket APIs that the emulator enforces;
// none of them can be raised in the cloud.
const (
	// MaxFrame is the largest frame a client may send: 32 KB.
	MaxFrame = 32 << 10
	// MaxMessage is the largest message, in any number of frames, a client
	// may send or a backend may post: 128 KB.
	MaxMessage = 128 << 10
	// DefaultIdleTimeout closes a connection with no message either way.
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultMaxDuration closes any connection at that age.
	DefaultMaxDuration = 2 * time.Hour
	// IntegrationTimeout is how long the gateway waits for a function.
	IntegrationTimeout = 29 * time.Second
)

// DefaultStage is the stage served when neither the options nor the
// manifest name one.
const DefaultStage = "live"

// Invoker runs a function synchronously, as Lambda's Invoke API does.
type Invoker = sandbox.Invoker

// Options tune the gateway.
type Options struct {
	// Stage is the stage named in every event and in the management
	// path; the manifest's stage when empty, "live" when that is empty too.
	Stage string
	APIID string // "localws" when empty
	// Account is "000000000000" when empty. The WebSocket events AWS
	// sends carry no accountId, so it appears in no event.
	Account     string
	IdleTimeout time.Duration // DefaultIdleTimeout when 0
	MaxDuration time.Duration // DefaultMaxDuration when 0
	Logger      *slog.Logger  // nil: discard
	// Now stamps the events and GetConnection's times; nil: time.Now.
	// The idle and duration limits run on real time whatever it says.
	Now func() time.Time
}

func (o Options) withDefaults(api topology.WebSocketAPI) Options {
	if o.Stage == "" {
		o.Stage = api.Stage
	}
	if o.Stage == "" {
		o.Stage = DefaultStage
	}
	if o.APIID == "" {
		o.APIID = "localws"
	}
	if o.Account == "" {
		o.Account = "000000000000"
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = DefaultMaxDuration
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Gateway is an http.Handler that behaves as an API Gateway WebSocket
// API and its @connections endpoint in front of the functions of its
// routes.
type Gateway struct {
	routes routes
	inv    Invoker
	o      Options
	// base bounds the invocations of message routes; Close cancels it.
	base   context.Context
	cancel context.CancelFunc

	mu sync.Mutex
	// conns holds the open connections by id, and a nil for each id whose
	// $connect is still running, so that ids stay unique.
	conns  map[string]*conn
	closed bool
	srv    *http.Server
	// running counts the handshakes and connections in progress.
	running sync.WaitGroup
}

// New returns a gateway for api, invoking the functions of its routes
// with inv. It fails on routes or a route selection expression the
// emulator cannot serve.
func New(api topology.WebSocketAPI, inv Invoker, o Options) (*Gateway, error) {
	if inv == nil {
		return nil, errors.New("wsgateway: no invoker")
	}
	rt, err := newRoutes(api)
	if err != nil {
		return nil, err
	}
	base, cancel := context.WithCancel(context.Background())
	return &Gateway{
		routes: rt, inv: inv, o: o.withDefaults(api),
		base: base, cancel: cancel,
		conns: map[string]*conn{},
	}, nil
}

// ManagementEndpoint is the @connections endpoint of the gateway served
// at base (http://127.0.0.1:port): what the apigatewaymanagementapi
// client takes as its BaseEndpoint.
func (g *Gateway) ManagementEndpoint(base string) string {
	return strings.TrimSuffix(base, "/") + "/" + g.o.Stage
}

// Connections is the number of open connections.
func (g *Gateway) Connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, c := range g.conns {
		if c != nil {
			n++
		}
	}
	return n
}

// ServeHTTP answers WebSocket upgrades at the stage root ("/" and
// "/<stage>") and the management API under /<stage>/@connections/{id}.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stageRoot := "/" + g.o.Stage
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, stageRoot+"/@connections/"); ok {
		g.serveManagement(w, r, rest)
		return
	}
	switch {
	case strings.Contains(path, "/@connections"):
		// The management endpoint without the stage, or with another
		// stage, is the usual mistake; AWS answers it so.
		writeAPIError(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
	case path == "/" || path == stageRoot || path == stageRoot+"/":
		g.serveUpgrade(w, r)
	default:
		writeMessage(w, http.StatusForbidden, "Forbidden")
	}
}

// Close closes every connection with 1001 Going away, invokes $disconnect
// for each, waits for that, and stops the server Start started. Upgrades
// after Close are refused.
func (g *Gateway) Close() {
	g.mu.Lock()
	g.closed = true
	var open []*conn
	for _, c := range g.conns {
		if c != nil {
			open = append(open, c)
		}
	}
	srv := g.srv
	g.mu.Unlock()

	g.cancel()
	for _, c := range open {
		c.shut(websocket.StatusGoingAway, reasonGoingAway, "gateway closed")
	}
	g.running.Wait()
	if srv != nil {
		if err := srv.Close(); err != nil {
			g.o.Logger.Error("wsgateway: close server", slog.String("error", err.Error()))
		}
	}
}

// reserve takes a fresh connection id for a handshake; false once the
// gateway is closed. Each true must be followed by running.Done.
func (g *Gateway) reserve() (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return "", false
	}
	id := awsid.GatewayID()
	for _, taken := g.conns[id]; taken; _, taken = g.conns[id] {
		id = awsid.GatewayID()
	}
	g.conns[id] = nil
	g.running.Add(1)
	return id, true
}

// open makes a reserved id's connection known to @connections; false if
// the gateway closed meanwhile.
func (g *Gateway) open(c *conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		delete(g.conns, c.id)
		return false
	}
	g.conns[c.id] = c
	return true
}

// forget removes an id, reserved or open.
func (g *Gateway) forget(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.conns, id)
}

// lookup is the open connection of id, if it is open and not closing.
func (g *Gateway) lookup(id string) (*conn, bool) {
	g.mu.Lock()
	c := g.conns[id]
	g.mu.Unlock()
	if c == nil || c.isClosing() {
		return nil, false
	}
	return c, true
}

// Errors of an integration call, for the status the gateway reports.
var (
	errFunction           = errors.New("function error")
	errIntegrationTimeout = errors.New("integration timed out")
)

// call invokes function with the event ev, as the gateway's Lambda proxy
// integration does: a function error or timeout is an error.
func (g *Gateway) call(ctx context.Context, function string, ev any) (sandbox.Result, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return sandbox.Result{}, fmt.Errorf("wsgateway: encode event for %s: %w", function, err)
	}
	ctx, cancel := context.WithTimeout(ctx, IntegrationTimeout)
	defer cancel()
	res, err := g.inv.Invoke(ctx, function, payload)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return res, fmt.Errorf("wsgateway: invoke %s: %w after %s: %w", function, errIntegrationTimeout, IntegrationTimeout, err)
	case err != nil:
		return res, fmt.Errorf("wsgateway: invoke %s: %w", function, err)
	case res.Timeout:
		return res, fmt.Errorf("wsgateway: %s: %w: timed out", function, errFunction)
	case res.FunctionError != "":
		return res, fmt.Errorf("wsgateway: %s: %w: %s", function, errFunction, res.ErrorSummary())
	}
	return res, nil
}

// The words of the gateway's own answers.
const (
	msgForbidden    = "Forbidden"
	msgInternal     = "Internal server error"
	msgTimedOut     = "Endpoint request timed out"
	reasonGoingAway = "Going away"
	reasonTooBig    = "Message too big"
	reasonBinary    = "Binary frames are not supported"
	logConnection   = "websocket connection"
	logMessage      = "websocket message"
	logManagement   = "websocket management"
	noFunction      = "-" // the log's function when there is none
)

// errorFrame is the frame API Gateway sends a client whose message could
// not be routed or whose function failed, spacing included.
func errorFrame(message, connectionID, requestID string) []byte {
	return fmt.Appendf(nil, `{"message": %q, "connectionId":%q, "requestId":%q}`, message, connectionID, requestID)
}

// writeMessage sends one of the gateway's own HTTP answers.
func writeMessage(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client is gone; nothing to tell it
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
