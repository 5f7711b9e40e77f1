package wsgateway

import (
	"encoding/json"
	"fmt"
	"strings"

	"innkeeper/shared/topology"
)

// The route keys API Gateway reserves.
const (
	RouteConnect    = "$connect"
	RouteDisconnect = "$disconnect"
	RouteDefault    = "$default"
)

// DefaultRouteSelection is the expression used when the API names none,
// the one the AWS console proposes.
const DefaultRouteSelection = "$request.body.action"

// routes maps route keys to functions and selects a message's route.
type routes struct {
	function map[string]string
	// reply holds the two-way routes: those with a route response.
	reply map[string]bool
	// field is the path in the message's JSON body that the route
	// selection expression names: ["action"] for $request.body.action.
	field []string
}

func newRoutes(api topology.WebSocketAPI) (routes, error) {
	expr := api.RouteSelection
	if expr == "" {
		expr = DefaultRouteSelection
	}
	path, ok := strings.CutPrefix(expr, "$request.body.")
	if !ok {
		return routes{}, fmt.Errorf("wsgateway: route selection %q: only $request.body.<field> is supported", expr)
	}
	field := strings.Split(path, ".")
	for _, f := range field {
		if f == "" {
			return routes{}, fmt.Errorf("wsgateway: route selection %q: empty field name", expr)
		}
	}
	rt := routes{function: map[string]string{}, reply: map[string]bool{}, field: field}
	for _, r := range api.Routes {
		switch {
		case r.Key == "":
			return routes{}, fmt.Errorf("wsgateway: a route to %q has no key", r.Function)
		case r.Function == "":
			return routes{}, fmt.Errorf("wsgateway: route %s has no function", r.Key)
		case strings.HasPrefix(r.Key, "$") && r.Key != RouteConnect && r.Key != RouteDisconnect && r.Key != RouteDefault:
			return routes{}, fmt.Errorf("wsgateway: route %s: keys starting with $ are reserved", r.Key)
		}
		if _, dup := rt.function[r.Key]; dup {
			return routes{}, fmt.Errorf("wsgateway: route %s declared twice", r.Key)
		}
		if r.Reply && (r.Key == RouteConnect || r.Key == RouteDisconnect) {
			return routes{}, fmt.Errorf("wsgateway: route %s cannot reply", r.Key)
		}
		rt.function[r.Key] = r.Function
		rt.reply[r.Key] = r.Reply
	}
	return rt, nil
}

// lookup is the function of the route key.
func (rt routes) lookup(key string) (string, bool) {
	f, ok := rt.function[key]
	return f, ok
}

// replies says whether route key is two-way: its function's answer goes
// back to the client.
func (rt routes) replies(key string) bool { return rt.reply[key] }

// selectRoute is the route of a message: the route its selection value
// names, else $default; false when neither exists. A body that is not
// JSON, lacks the field or has a value other than a string goes to
// $default, and so does a value naming $connect or $disconnect.
func (rt routes) selectRoute(body []byte) (string, bool) {
	if key, ok := rt.selectionValue(body); ok && key != RouteConnect && key != RouteDisconnect {
		if _, ok := rt.function[key]; ok {
			return key, true
		}
	}
	_, ok := rt.function[RouteDefault]
	return RouteDefault, ok
}

func (rt routes) selectionValue(body []byte) (string, bool) {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return "", false
	}
	for _, f := range rt.field {
		obj, ok := doc.(map[string]any)
		if !ok {
			return "", false
		}
		doc = obj[f]
	}
	s, ok := doc.(string)
	return s, ok
}
