package wsgateway

import (
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/awsid"
	"innkeeper/local/gateway"
)

// TimeLayout is the layout of requestContext.requestTime, as API Gateway
// writes it: "20/Jan/2024:11:55:08 +0000".
const TimeLayout = "02/Jan/2006:15:04:05 -0700"

// The event types and direction of the events API Gateway sends.
const (
	EventConnect    = "CONNECT"
	EventMessage    = "MESSAGE"
	EventDisconnect = "DISCONNECT"
	directionIn     = "IN"
)

// peer is what the gateway knows of a connection's client.
type peer struct {
	connectionID string
	connectedAt  time.Time
	sourceIP     string
	userAgent    string
	domainName   string
}

// requestContext is the part every event shares. The gateway uses the
// one id as requestId and extendedRequestId, as the events captured from
// AWS show.
func (g *Gateway) requestContext(p peer, routeKey, eventType, requestID string, now time.Time) events.APIGatewayWebsocketProxyRequestContext {
	return events.APIGatewayWebsocketProxyRequestContext{
		RouteKey:          routeKey,
		EventType:         eventType,
		ExtendedRequestID: requestID,
		RequestID:         requestID,
		RequestTime:       now.UTC().Format(TimeLayout),
		RequestTimeEpoch:  now.UnixMilli(),
		MessageDirection:  directionIn,
		Stage:             g.o.Stage,
		ConnectedAt:       p.connectedAt.UnixMilli(),
		Identity: events.APIGatewayRequestIdentity{
			SourceIP:  p.sourceIP,
			UserAgent: p.userAgent,
		},
		DomainName:   p.domainName,
		ConnectionID: p.connectionID,
		APIID:        g.o.APIID,
	}
}

// connectEvent is the CONNECT event for the upgrade request r.
func (g *Gateway) connectEvent(r *http.Request, p peer, requestID string, now time.Time) events.APIGatewayWebsocketProxyRequest {
	headers, multi := connectHeaders(r, now)
	query, multiQuery := queryParameters(r.URL.RawQuery)
	return events.APIGatewayWebsocketProxyRequest{
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		RequestContext:                  g.requestContext(p, RouteConnect, EventConnect, requestID, now),
	}
}

// messageEvent is the MESSAGE event for a text message of the route key.
func (g *Gateway) messageEvent(p peer, routeKey, requestID, messageID string, body []byte, now time.Time) events.APIGatewayWebsocketProxyRequest {
	rc := g.requestContext(p, routeKey, EventMessage, requestID, now)
	rc.MessageID = messageID
	return events.APIGatewayWebsocketProxyRequest{RequestContext: rc, Body: string(body)}
}

// disconnectEvent is the DISCONNECT event for a connection closed with
// code and reason. Its headers are the few, mostly empty, ones the events
// captured from AWS carry.
func (g *Gateway) disconnectEvent(p peer, code int, reason, requestID string, now time.Time) events.APIGatewayWebsocketProxyRequest {
	rc := g.requestContext(p, RouteDisconnect, EventDisconnect, requestID, now)
	rc.DisconnectStatusCode = int64(code)
	rc.DisconnectReason = &reason
	headers := map[string]string{"Host": p.domainName, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
	multi := make(map[string][]string, len(headers))
	for name, v := range headers {
		multi[name] = []string{v}
	}
	return events.APIGatewayWebsocketProxyRequest{Headers: headers, MultiValueHeaders: multi, RequestContext: rc}
}

// headerSpelling is how API Gateway spells the headers whose names Go's
// server canonicalises differently.
var headerSpelling = map[string]string{
	"Sec-Websocket-Key":        "Sec-WebSocket-Key",
	"Sec-Websocket-Version":    "Sec-WebSocket-Version",
	"Sec-Websocket-Extensions": "Sec-WebSocket-Extensions",
	"Sec-Websocket-Protocol":   "Sec-WebSocket-Protocol",
}

// hopByHop are the upgrade's own headers, which the function never sees.
var hopByHop = map[string]bool{"Connection": true, "Upgrade": true}

// connectHeaders are the upgrade request's headers as the CONNECT event
// carries them: the last value of each name, and all of them, plus what
// the gateway adds on its way to the function.
func connectHeaders(r *http.Request, now time.Time) (map[string]string, map[string][]string) {
	multi := map[string][]string{}
	for name, values := range r.Header {
		if hopByHop[name] {
			continue
		}
		if s, ok := headerSpelling[name]; ok {
			name = s
		}
		multi[name] = append([]string(nil), values...)
	}
	// Go's server moves Host out of the header map; the gateway keeps it.
	multi["Host"] = []string{r.Host}
	ip := gateway.SourceIP(r)
	if prior := r.Header.Values("X-Forwarded-For"); len(prior) > 0 {
		multi["X-Forwarded-For"] = []string{prior[len(prior)-1] + ", " + ip}
	} else {
		multi["X-Forwarded-For"] = []string{ip}
	}
	multi["X-Forwarded-Proto"] = []string{"http"}
	if r.TLS != nil {
		multi["X-Forwarded-Proto"] = []string{"https"}
	}
	multi["X-Forwarded-Port"] = []string{gateway.LocalPort(r)}
	if len(multi["X-Amzn-Trace-Id"]) == 0 {
		multi["X-Amzn-Trace-Id"] = []string{awsid.TraceHeader(now)}
	}
	headers := make(map[string]string, len(multi))
	for name, values := range multi {
		headers[name] = values[len(values)-1]
	}
	return headers, multi
}

// queryParameters decodes the query: the last value of each name, and
// all of them; nil for no query.
func queryParameters(raw string) (map[string]string, map[string][]string) {
	if raw == "" {
		return nil, nil
	}
	// A malformed pair is dropped; the well-formed ones still arrive.
	values, _ := url.ParseQuery(raw)
	if len(values) == 0 {
		return nil, nil
	}
	single := make(map[string]string, len(values))
	for name, vs := range values {
		single[name] = vs[len(vs)-1]
	}
	return single, values
}
