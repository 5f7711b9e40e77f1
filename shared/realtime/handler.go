package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/keyring"
	"innkeeper/shared/meter"
)

// MaxFrame is API Gateway's limit on a WebSocket frame.
const MaxFrame = 32 << 10

// Handler is the WebSocket API's function: $connect authenticates,
// $disconnect forgets, and messages subscribe, unsubscribe or ping.
// Every bad frame is answered with an error frame; nothing a client sends
// makes the function fail.
type Handler struct {
	Hub *Hub
	// Pusher closes the connections of revoked keys; with no
	// @connections client (no egress) they are only forgotten. Replies
	// never go through it: they are the responses of the two-way routes.
	Pusher  *Pusher
	Service *booking.Service
	Keys    Keys
	// Origins browsers may connect from (the CORS allowlist); a client
	// that sends no Origin is not a browser and is let through.
	Origins []string
	Log     *slog.Logger
	// Function is the name cost attribution knows the handler by.
	Function string
	// Addresses names client addresses for the per-address connection
	// cap, so Redis never holds one in clear; nil: no cap.
	Addresses *keyring.Addresses
	// MaxConnectionsPerAddress is how many connections one address may
	// hold at once (more are refused with 429), and
	// MaxSubscriptionsPerConnection how many topics one connection may
	// follow; the defaults if 0.
	MaxConnectionsPerAddress      int
	MaxSubscriptionsPerConnection int
}

// The caps' defaults (WS_MAX_CONNECTIONS_PER_ADDRESS,
// WS_MAX_SUBSCRIPTIONS_PER_CONNECTION): enough for an office of staff
// screens behind one address, too few for one client to make a
// booking's pushes outlast the worker's budget.
const (
	DefaultMaxConnectionsPerAddress      = 20
	DefaultMaxSubscriptionsPerConnection = 50
)

// addressPurpose labels the names of client addresses counted for the
// connection cap (keyring.Addresses).
const addressPurpose = "ws-connections"

func reply(status int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: status, Body: http.StatusText(status)}
}

// Handle serves every route of the WebSocket API.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	kind := meter.TriggerWebSocketMessage
	switch ev.RequestContext.EventType {
	case "CONNECT":
		kind = meter.TriggerWebSocketConnect
	case "DISCONNECT":
		kind = meter.TriggerWebSocketDisconnect
	}
	ctx, inv := meter.Begin(ctx, h.Log, h.Function, kind, ev.RequestContext.RouteKey, int64(len(ev.Body)))
	defer inv.Log(ctx, h.Log)
	id := ev.RequestContext.ConnectionID
	switch ev.RequestContext.EventType {
	case "CONNECT":
		return h.connect(ctx, id, ev), nil
	case "DISCONNECT":
		inv.Connected(h.connectedFor(ctx, id, ev.RequestContext))
		if err := h.Hub.Disconnect(ctx, id); err != nil {
			h.Log.WarnContext(ctx, "disconnect", slog.String("connection_id", id), slog.String("error", err.Error()))
		}
		return reply(http.StatusOK), nil
	default:
		return answer(h.message(ctx, id, ev.Body)), nil
	}
}

// connectedFor is how long the connection a $disconnect ends was open,
// which its connection minutes are billed on: from API Gateway's
// connectedAt (milliseconds since the epoch) when the event carries it,
// else from the time Connect recorded, to the $disconnect's request
// time (or now); zero when neither is known.
func (h *Handler) connectedFor(ctx context.Context, id string, rc events.APIGatewayWebsocketProxyRequestContext) time.Duration {
	end := time.Now()
	if rc.RequestTimeEpoch > 0 {
		end = time.UnixMilli(rc.RequestTimeEpoch)
	}
	start := time.UnixMilli(rc.ConnectedAt)
	if rc.ConnectedAt <= 0 {
		at, ok, err := h.Hub.ConnectedAt(ctx, id)
		if err != nil {
			h.Log.WarnContext(ctx, "disconnect: connection time unknown", slog.String("connection_id", id), slog.String("error", err.Error()))
		}
		if !ok {
			return 0
		}
		start = at
	}
	return max(end.Sub(start), 0)
}

func header(hs map[string]string, name string) string {
	for k, v := range hs {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// connect decides who the client is, before the connection exists:
// a guest with their booking's reference and access token, staff with a
// ticket bought with their API key (keys.go), or anyone. A bad
// credential, or a key in the URL, is 401; a finance key or a disallowed
// origin 403.
func (h *Handler) connect(ctx context.Context, id string, ev events.APIGatewayWebsocketProxyRequest) events.APIGatewayProxyResponse {
	if origin := header(ev.Headers, "Origin"); origin != "" && !slices.Contains(h.Origins, origin) {
		return reply(http.StatusForbidden)
	}
	q := ev.QueryStringParameters
	p := Principal{Kind: Anonymous}
	switch {
	case q["reference"] != "" || q["token"] != "":
		r, err := h.Service.Reservation(ctx, q["reference"], q["token"])
		if errors.Is(err, booking.ErrNotFound) {
			return reply(http.StatusUnauthorized)
		}
		if err != nil {
			h.Log.ErrorContext(ctx, "connect", slog.String("error", err.Error()))
			return reply(http.StatusServiceUnavailable)
		}
		p = Principal{Kind: Guest, Reference: r.Reference}
	case q["key"] != "":
		return reply(http.StatusUnauthorized)
	case q["ticket"] != "":
		k, err := h.Keys.RedeemWSTicket(ctx, q["ticket"])
		if errors.Is(err, booking.ErrNotFound) {
			return reply(http.StatusUnauthorized)
		}
		if err != nil {
			h.Log.ErrorContext(ctx, "connect", slog.String("error", err.Error()))
			return reply(http.StatusServiceUnavailable)
		}
		if !k.Role.Allows(auth.RoleStaff) {
			return reply(http.StatusForbidden)
		}
		p = Principal{Kind: Staff, Role: string(k.Role), KeyID: k.ID, Key: k.PublicID}
	}
	if status := h.admit(ctx, id, ev.RequestContext.Identity.SourceIP); status != http.StatusOK {
		return reply(status)
	}
	if err := h.Hub.Connect(ctx, id, p); err != nil {
		h.Log.ErrorContext(ctx, "connect", slog.String("error", err.Error()))
		h.release(ctx, id)
		return reply(http.StatusServiceUnavailable)
	}
	h.Log.InfoContext(ctx, "connected", slog.String("connection_id", id), slog.String("as", p.Kind), slog.String("key", p.Key))
	return reply(http.StatusOK)
}

// admit takes a place for connection id among its address's
// connections: 200, 429 when the address holds its cap already, 503
// when Redis cannot tell.
func (h *Handler) admit(ctx context.Context, id, ip string) int {
	if h.Addresses == nil {
		return http.StatusOK
	}
	limit := h.MaxConnectionsPerAddress
	if limit <= 0 {
		limit = DefaultMaxConnectionsPerAddress
	}
	addr := h.Addresses.Name(addressPurpose, ip, 16)
	ok, err := h.Hub.Admit(ctx, id, addr, limit)
	switch {
	case err != nil:
		h.Log.ErrorContext(ctx, "connect", slog.String("error", err.Error()))
		return http.StatusServiceUnavailable
	case !ok:
		h.Log.WarnContext(ctx, "connection refused: address at its cap", slog.String("address", addr), slog.Int("cap", limit))
		return http.StatusTooManyRequests
	}
	return http.StatusOK
}

// release gives back the place of a connection that was admitted but
// not connected.
func (h *Handler) release(ctx context.Context, id string) {
	if err := h.Hub.Disconnect(ctx, id); err != nil {
		h.Log.WarnContext(ctx, "release", slog.String("connection_id", id), slog.String("error", err.Error()))
	}
}

// clientFrame is what a client sends.
type clientFrame struct {
	Action    string `json:"action"`
	Topic     string `json:"topic"`
	Hotel     string `json:"hotel"`
	Reference string `json:"reference"`
}

// message answers one frame of the client's with the frame to send
// back; the zero Frame sends nothing.
func (h *Handler) message(ctx context.Context, id, body string) Frame {
	fail := func(code, msg string) Frame { return Frame{Type: "error", Code: code, Message: msg} }
	if len(body) > MaxFrame {
		return fail("too-large", "frames are at most 32 KB")
	}
	var f clientFrame
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		return fail("bad-frame", `send a JSON object such as {"action":"subscribe","topic":"availability","hotel":"lisbon-riverside"}`)
	}
	switch f.Action {
	case "ping":
		return Frame{Type: "pong"}
	case "subscribe", "unsubscribe":
	default:
		return fail("unknown-action", "actions are subscribe, unsubscribe and ping")
	}
	p, ok, err := h.Hub.Principal(ctx, id)
	if err != nil {
		return fail("unavailable", "try again shortly")
	}
	if !ok {
		return fail("unknown-connection", "this connection is not known; reconnect")
	}
	if p.Kind == Staff {
		if answer, live := h.keyLive(ctx, id, p); !live {
			return answer
		}
	}
	topic, code, msg := h.topic(ctx, p, f)
	if code != "" {
		return fail(code, msg)
	}
	limit := h.MaxSubscriptionsPerConnection
	if limit <= 0 {
		limit = DefaultMaxSubscriptionsPerConnection
	}
	added := true
	if f.Action == "subscribe" {
		added, err = h.Hub.SubscribeAtMost(ctx, id, topic, limit)
	} else {
		err = h.Hub.Unsubscribe(ctx, id, topic)
	}
	if err != nil {
		return fail("unavailable", "try again shortly")
	}
	if !added {
		return fail("too-many-subscriptions", fmt.Sprintf("a connection follows at most %d topics; unsubscribe from one first", limit))
	}
	return Frame{Type: f.Action + "d", Topic: topic}
}

// answer is the response to a message: its body is the frame API
// Gateway sends back to the sender, as the message routes are two-way
// (topology.WebSocketRoute.Reply). Replies so need no @connections
// call, which a VPC without egress could not make.
func answer(f Frame) events.APIGatewayProxyResponse {
	if f.Type == "" {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}
	}
	data, _ := json.Marshal(f) // strings only: it cannot fail
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: string(data)}
}

// topic names the topic a frame asks for, or says why it may not have it.
func (h *Handler) topic(ctx context.Context, p Principal, f clientFrame) (topic, code, msg string) {
	hotel := func() bool {
		_, err := h.Service.Hotel(ctx, f.Hotel)
		return err == nil
	}
	switch f.Topic {
	case "availability":
		if !hotel() {
			return "", "not-found", "no such hotel"
		}
		return AvailabilityTopic(f.Hotel), "", ""
	case "reservation":
		if p.Kind != Guest || p.Reference != f.Reference {
			return "", "forbidden", "connect with this reservation's reference and access token to follow it"
		}
		return ReservationTopic(f.Reference), "", ""
	case "bookings":
		if p.Kind != Staff {
			return "", "forbidden", "a hotel's bookings are for staff keys"
		}
		if !hotel() {
			return "", "not-found", "no such hotel"
		}
		return BookingsTopic(f.Hotel), "", ""
	}
	return "", "unknown-topic", "topics are availability, reservation and bookings"
}
