package consolesec

import (
	"strings"
	"testing"
)

func TestCSP(t *testing.T) {
	csp := CSP("ws://127.0.0.1:*", "ws://localhost:*")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, "; ") {
		name, value, _ := strings.Cut(d, " ")
		if _, dup := directives[name]; dup {
			t.Errorf("%s appears twice: %s", name, csp)
		}
		directives[name] = value
	}
	want := map[string]string{
		"default-src":     "'self'",
		"script-src":      "'self'",
		"style-src":       "'self'",
		"connect-src":     "'self' ws://127.0.0.1:* ws://localhost:*",
		"object-src":      "'none'",
		"frame-ancestors": "'none'",
		"base-uri":        "'self'",
	}
	for k, v := range want {
		if directives[k] != v {
			t.Errorf("%s is %q, want %q (%s)", k, directives[k], v, csp)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("CSP is looser than self: %s", csp)
	}
	if got := CSP(); !strings.Contains(got, "connect-src 'self';") {
		t.Errorf("no WebSocket origins: %s", got)
	}
}

func TestHeaders(t *testing.T) {
	h := Headers("wss://ws.example")
	if h["Content-Security-Policy"] != CSP("wss://ws.example") || h["X-Frame-Options"] != "DENY" ||
		h["X-Content-Type-Options"] != "nosniff" || h["Referrer-Policy"] != ReferrerPolicy {
		t.Errorf("headers %v", h)
	}
}
