package wsgateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"innkeeper/local/awsid"
)

// ManagementTimeLayout is how GetConnection writes its times: RFC 3339
// in UTC with milliseconds.
const ManagementTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// errGone is a management call's answer for an id that is not connected.
var errGone = errors.New("wsgateway: connection gone")

// serveManagement answers one @connections call, as the
// apigatewaymanagementapi client makes it (REST-JSON): POST sends its
// body to the connection, GET describes it, DELETE closes it. Signatures
// are not checked.
func (g *Gateway) serveManagement(w http.ResponseWriter, r *http.Request, id string) {
	start := time.Now()
	requestID := awsid.UUID()
	w.Header().Set("x-amzn-RequestId", requestID)
	status, err := g.manage(w, r, id)
	attrs := []slog.Attr{
		slog.String("request_id", requestID),
		slog.String("connection_id", id),
		slog.String("method", r.Method),
		slog.Int("status", status),
		slog.Float64("latency_ms", ms(time.Since(start))),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	g.o.Logger.LogAttrs(r.Context(), slog.LevelInfo, logManagement, attrs...)
}

func (g *Gateway) manage(w http.ResponseWriter, r *http.Request, id string) (int, error) {
	if id == "" || strings.Contains(id, "/") {
		writeAPIError(w, http.StatusForbidden, "ForbiddenException", msgForbidden)
		return http.StatusForbidden, nil
	}
	switch r.Method {
	case http.MethodPost:
		return g.postToConnection(w, r, id)
	case http.MethodGet:
		return g.getConnection(w, id)
	case http.MethodDelete:
		return g.deleteConnection(w, id)
	}
	writeAPIError(w, http.StatusForbidden, "ForbiddenException", msgForbidden)
	return http.StatusForbidden, nil
}

// postToConnection sends the request's body to the client.
func (g *Gateway) postToConnection(w http.ResponseWriter, r *http.Request, id string) (int, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxMessage+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "BadRequestException", "Could not read the request body")
		return http.StatusBadRequest, fmt.Errorf("wsgateway: read posted data: %w", err)
	}
	if len(data) > MaxMessage {
		writeAPIError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Message too long")
		return http.StatusRequestEntityTooLarge, nil
	}
	c, ok := g.lookup(id)
	if !ok {
		return writeGone(w), errGone
	}
	ctx, cancel := context.WithTimeout(r.Context(), sendTimeout)
	defer cancel()
	if err := c.send(ctx, data); err != nil {
		// The socket broke under the write; reading will find out and
		// invoke $disconnect.
		return writeGone(w), fmt.Errorf("wsgateway: post to %s: %w", id, err)
	}
	c.touch()
	w.WriteHeader(http.StatusOK)
	return http.StatusOK, nil
}

// connectionInfo is GetConnection's answer.
type connectionInfo struct {
	ConnectedAt  string           `json:"connectedAt"`
	Identity     connectionCaller `json:"identity"`
	LastActiveAt string           `json:"lastActiveAt"`
}

type connectionCaller struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

func (g *Gateway) getConnection(w http.ResponseWriter, id string) (int, error) {
	c, ok := g.lookup(id)
	if !ok {
		return writeGone(w), errGone
	}
	body, err := json.Marshal(connectionInfo{
		ConnectedAt:  c.peer.connectedAt.UTC().Format(ManagementTimeLayout),
		Identity:     connectionCaller{SourceIP: c.peer.sourceIP, UserAgent: c.peer.userAgent},
		LastActiveAt: c.lastActiveAt().UTC().Format(ManagementTimeLayout),
	})
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, "InternalServerErrorException", msgInternal)
		return http.StatusInternalServerError, fmt.Errorf("wsgateway: encode connection %s: %w", id, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK, nil
}

// deleteConnection closes the connection; from now on the id is gone,
// while the close handshake and $disconnect go on in the background.
func (g *Gateway) deleteConnection(w http.ResponseWriter, id string) (int, error) {
	c, ok := g.lookup(id)
	if !ok {
		return writeGone(w), errGone
	}
	c.shut(websocket.StatusNormalClosure, "", "DeleteConnection")
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent, nil
}

// writeGone answers 410 GoneException as AWS does, with a null message.
func writeGone(w http.ResponseWriter) int {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", "GoneException")
	w.WriteHeader(http.StatusGone)
	_, _ = io.WriteString(w, `{"message":null}`)
	return http.StatusGone
}

// writeAPIError answers an error in the REST-JSON protocol: its type in
// the x-amzn-ErrorType header, its message in the body.
func writeAPIError(w http.ResponseWriter, status int, errorType, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
