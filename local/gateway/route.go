package gateway

import (
	"fmt"
	"net/url"
	"strings"

	"innkeeper/shared/topology"
)

// methods are the methods an HTTP API route may name, ANY aside.
var methods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "HEAD": true, "OPTIONS": true,
}

// anyMethod is the route method that matches every request method.
const anyMethod = "ANY"

// kind is what a route's path segment matches; a higher kind is more
// specific.
type kind int

const (
	greedy   kind = iota // {name+}: the rest of the path
	variable             // {name}: one segment
	literal              // text: itself
)

type segment struct {
	kind kind
	text string // the literal, or the variable's name
}

type compiled struct {
	route  topology.Route
	segs   []segment
	greedy bool
}

// Match is a route chosen for a request, with the values of its path
// variables (URL-decoded once; nil when the route has none).
type Match struct {
	Route  topology.Route
	Params map[string]string
}

// Router matches requests to routes as the HTTP API does: the most
// specific path wins (literal segments beat variables, any route without
// a greedy variable beats any route with one), then a route for the
// request's own method beats ANY, and $default takes what nothing else
// matched. Paths are compared case-sensitively and a trailing slash is a
// segment of its own. Two routes alike in all of that (GET /a/{x} and
// GET /a/{y}) resolve to the one listed first.
type Router struct {
	routes   []compiled
	fallback *topology.Route
}

// NewRouter compiles routes; it fails on a route the HTTP API would not
// accept: an unknown method, a path not starting with "/", a malformed or
// repeated variable, a greedy variable not last, a route key twice.
func NewRouter(routes []topology.Route) (*Router, error) {
	rt := &Router{}
	seen := map[string]bool{}
	for _, r := range routes {
		key := r.Key()
		if seen[key] {
			return nil, fmt.Errorf("gateway: route %s twice", key)
		}
		seen[key] = true
		if r.Function == "" {
			return nil, fmt.Errorf("gateway: route %s: no function", key)
		}
		if r.Path == topology.DefaultRoute {
			rt.fallback = &r
			continue
		}
		c, err := compile(r)
		if err != nil {
			return nil, fmt.Errorf("gateway: route %s: %w", key, err)
		}
		rt.routes = append(rt.routes, c)
	}
	return rt, nil
}

func compile(r topology.Route) (compiled, error) {
	if r.Method != anyMethod && !methods[r.Method] {
		return compiled{}, fmt.Errorf("method %q", r.Method)
	}
	if !strings.HasPrefix(r.Path, "/") {
		return compiled{}, fmt.Errorf("path %q must start with /", r.Path)
	}
	c := compiled{route: r}
	names := map[string]bool{}
	parts := strings.Split(r.Path[1:], "/")
	for i, p := range parts {
		s, err := parseSegment(p)
		if err != nil {
			return compiled{}, err
		}
		if s.kind != literal {
			if names[s.text] {
				return compiled{}, fmt.Errorf("variable {%s} twice", s.text)
			}
			names[s.text] = true
		}
		if s.kind == greedy {
			if i != len(parts)-1 {
				return compiled{}, fmt.Errorf("greedy variable {%s+} must be last", s.text)
			}
			c.greedy = true
		}
		c.segs = append(c.segs, s)
	}
	return c, nil
}

func parseSegment(p string) (segment, error) {
	if !strings.ContainsAny(p, "{}") {
		return segment{kind: literal, text: p}, nil
	}
	if !strings.HasPrefix(p, "{") || !strings.HasSuffix(p, "}") {
		return segment{}, fmt.Errorf("segment %q: a variable must be a whole segment", p)
	}
	name, k := p[1:len(p)-1], variable
	if n, ok := strings.CutSuffix(name, "+"); ok {
		name, k = n, greedy
	}
	if name == "" || strings.ContainsAny(name, "{}+") {
		return segment{}, fmt.Errorf("segment %q: bad variable name", p)
	}
	return segment{kind: k, text: name}, nil
}

// Match finds the route for a request's method and its path as received
// (still percent-encoded, so that an encoded "/" stays inside its
// segment). It reports false when no route, $default included, matches.
func (rt *Router) Match(method, rawPath string) (Match, bool) {
	var best *compiled
	var bestParams map[string]string
	if strings.HasPrefix(rawPath, "/") {
		parts := strings.Split(rawPath[1:], "/")
		for i := range rt.routes {
			c := &rt.routes[i]
			if c.route.Method != anyMethod && c.route.Method != method {
				continue
			}
			params, ok := c.match(parts)
			if ok && (best == nil || c.beats(best)) {
				best, bestParams = c, params
			}
		}
	}
	switch {
	case best != nil:
		return Match{Route: best.route, Params: bestParams}, true
	case rt.fallback != nil:
		return Match{Route: *rt.fallback}, true
	}
	return Match{}, false
}

// match reports whether the path's raw segments fit c, with the decoded
// values of its variables.
func (c *compiled) match(parts []string) (map[string]string, bool) {
	if len(parts) < len(c.segs) || (!c.greedy && len(parts) != len(c.segs)) {
		return nil, false
	}
	var params map[string]string
	set := func(name, raw string) {
		if params == nil {
			params = map[string]string{}
		}
		params[name] = unescape(raw)
	}
	for i, s := range c.segs {
		switch s.kind {
		case literal:
			if unescape(parts[i]) != s.text {
				return nil, false
			}
		case variable:
			if parts[i] == "" {
				return nil, false
			}
			set(s.text, parts[i])
		case greedy:
			rest := strings.Join(parts[i:], "/")
			if rest == "" {
				return nil, false
			}
			set(s.text, rest)
		}
	}
	return params, true
}

// beats reports whether c is a more specific route than o, both matching
// the same request.
func (c *compiled) beats(o *compiled) bool {
	if c.greedy != o.greedy {
		return !c.greedy
	}
	for i := 0; i < len(c.segs) && i < len(o.segs); i++ {
		if c.segs[i].kind != o.segs[i].kind {
			return c.segs[i].kind > o.segs[i].kind
		}
	}
	// Same kinds all along means the same length (a greedy segment is
	// always last): only the method is left to tell them apart.
	return c.route.Method != anyMethod && o.route.Method == anyMethod
}

// unescape decodes a path piece once; a piece that is not valid
// percent-encoding is kept as received.
func unescape(raw string) string {
	s, err := url.PathUnescape(raw)
	if err != nil {
		return raw
	}
	return s
}
