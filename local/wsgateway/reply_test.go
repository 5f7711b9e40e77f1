package wsgateway_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"innkeeper/local/sandbox"
	"innkeeper/local/wsgateway"
	"innkeeper/shared/topology"
)

// A two-way route (one with a route response) sends the client the body
// of its function's answer, as API Gateway does: text when it is UTF-8,
// binary for a base64 body that is not, the answer itself when it is not
// a proxy response, nothing for an empty body. A one-way route sends
// nothing back, whatever its function answers.
func TestTwoWayRoutesSendTheFunctionsAnswer(t *testing.T) {
	t.Parallel()
	api := topology.WebSocketAPI{
		RouteSelection: "$request.body.action",
		Routes: []topology.WebSocketRoute{
			{Key: "$connect", Function: "connect-fn"},
			{Key: "$default", Function: "default-fn", Reply: true},
			{Key: "subscribe", Function: "subscribe-fn", Reply: true},
			{Key: "notify", Function: "notify-fn"}, // one-way
		},
	}
	binary := []byte{0xff, 0x00, 0xfe}
	// Each function answers with the payload its message names.
	answerWith := func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
		var m struct{ Answer string }
		_ = json.Unmarshal([]byte(ev.Body), &m)
		payloads := map[string]string{
			"frame":  `{"statusCode":200,"body":"{\"type\":\"subscribed\"}"}`,
			"error":  `{"statusCode":400,"body":"{\"type\":\"error\",\"code\":\"bad-frame\"}"}`,
			"base64": `{"statusCode":200,"isBase64Encoded":true,"body":"` + base64.StdEncoding.EncodeToString(binary) + `"}`,
			"plain":  `"just a string"`,
			"empty":  `{"statusCode":200}`,
		}
		return sandbox.Result{RequestID: "fake", Payload: []byte(payloads[m.Answer])}, nil
	}
	e := newEnv(t, api, wsgateway.Options{}, map[string]answer{"$default": answerWith, "subscribe": answerWith, "notify": answerWith})
	c, _ := e.dial(t, "")

	tests := []struct {
		name    string
		message string
		typ     websocket.MessageType
		want    []byte // nil: no frame
	}{
		{"two-way", `{"action":"subscribe","answer":"frame"}`, websocket.MessageText, []byte(`{"type":"subscribed"}`)},
		{"two-way, any status", `{"action":"subscribe","answer":"error"}`, websocket.MessageText, []byte(`{"type":"error","code":"bad-frame"}`)},
		{"$default two-way", `{"action":"dance","answer":"error"}`, websocket.MessageText, []byte(`{"type":"error","code":"bad-frame"}`)},
		{"base64", `{"action":"subscribe","answer":"base64"}`, websocket.MessageBinary, binary},
		{"not a proxy response", `{"action":"subscribe","answer":"plain"}`, websocket.MessageText, []byte(`"just a string"`)},
		{"empty body", `{"action":"subscribe","answer":"empty"}`, websocket.MessageText, nil},
		{"one-way", `{"action":"notify","answer":"frame"}`, websocket.MessageText, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, c, tt.message)
			// A marker after each message: the messages of a connection
			// are answered in order, so what comes before it is the
			// message's answer, if any.
			write(t, c, `{"action":"subscribe","answer":"frame"}`)
			typ, got := read(t, c)
			if tt.want == nil {
				if string(got) != `{"type":"subscribed"}` {
					t.Fatalf("%s answered %q, want nothing", tt.message, got)
				}
				return
			}
			if typ != tt.typ || !bytes.Equal(got, tt.want) {
				t.Fatalf("%s answered %v %q, want %v %q", tt.message, typ, got, tt.typ, tt.want)
			}
			if _, marker := read(t, c); string(marker) != `{"type":"subscribed"}` {
				t.Fatalf("after the answer: %q", marker)
			}
		})
	}
}
