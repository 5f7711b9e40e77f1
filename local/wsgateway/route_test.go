package wsgateway

import (
	"testing"

	"innkeeper/shared/topology"
)

func TestSelectRoute(t *testing.T) {
	t.Parallel()
	withDefault := []topology.WebSocketRoute{
		{Key: "$connect", Function: "ws"}, {Key: "$default", Function: "ws"},
		{Key: "subscribe", Function: "ws"}, {Key: "$disconnect", Function: "ws"},
	}
	withoutDefault := []topology.WebSocketRoute{{Key: "subscribe", Function: "ws"}}
	tests := []struct {
		name       string
		expression string
		routes     []topology.WebSocketRoute
		body       string
		want       string
		wantOK     bool
	}{
		{name: "named route", body: `{"action":"subscribe"}`, routes: withDefault, want: "subscribe", wantOK: true},
		{name: "default expression", expression: "-", body: `{"action":"subscribe"}`, routes: withDefault, want: "subscribe", wantOK: true},
		{name: "unknown value", body: `{"action":"nope"}`, routes: withDefault, want: "$default", wantOK: true},
		{name: "invalid JSON", body: `{"action":`, routes: withDefault, want: "$default", wantOK: true},
		{name: "empty message", body: ``, routes: withDefault, want: "$default", wantOK: true},
		{name: "null value", body: `{"action":null}`, routes: withDefault, want: "$default", wantOK: true},
		{name: "$connect is not selectable", body: `{"action":"$connect"}`, routes: withDefault, want: "$default", wantOK: true},
		{name: "$default by name", body: `{"action":"$default"}`, routes: withDefault, want: "$default", wantOK: true},
		{name: "no default: named route", body: `{"action":"subscribe"}`, routes: withoutDefault, want: "subscribe", wantOK: true},
		{name: "no default: unknown value", body: `{"action":"nope"}`, routes: withoutDefault, wantOK: false},
		{name: "no default: invalid JSON", body: `nope`, routes: withoutDefault, wantOK: false},
		{name: "other field", expression: "$request.body.type", body: `{"type":"subscribe","action":"x"}`, routes: withDefault, want: "subscribe", wantOK: true},
		{name: "nested field", expression: "$request.body.meta.action", body: `{"meta":{"action":"subscribe"}}`, routes: withDefault, want: "subscribe", wantOK: true},
		{name: "nested field through a string", expression: "$request.body.meta.action", body: `{"meta":"subscribe"}`, routes: withDefault, want: "$default", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr := tt.expression
			switch expr {
			case "":
				expr = "$request.body.action"
			case "-":
				expr = ""
			}
			rt, err := newRoutes(topology.WebSocketAPI{RouteSelection: expr, Routes: tt.routes})
			if err != nil {
				t.Fatal(err)
			}
			got, ok := rt.selectRoute([]byte(tt.body))
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Errorf("selectRoute(%s) = %q, %v; want %q, %v", tt.body, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
