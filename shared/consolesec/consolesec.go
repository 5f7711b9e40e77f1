// Package consolesec holds the console's security headers, one policy
// for every place that serves it: the CDN in the cloud (infra) and the
// devstack, which the browser tests run against with the policy on.
package consolesec

import "strings"

// Header values besides the Content-Security-Policy.
const (
	// ContentTypeOptions forbids MIME sniffing.
	ContentTypeOptions = "nosniff"
	// FrameOptions forbids framing (frame-ancestors 'none' for older
	// browsers).
	FrameOptions = "DENY"
	// ReferrerPolicy sends the origin only, and nothing to plain HTTP.
	ReferrerPolicy = "strict-origin-when-cross-origin"
)

// CSP is the console's Content-Security-Policy: everything from its own
// origin (the API included) and WebSockets to wsOrigins. Scripts and
// styles come only from the console's own files: no inline scripts, no
// <style> elements and no style="" attributes in markup (styles a script
// sets through the CSSOM, element.style, are not restricted).
func CSP(wsOrigins ...string) string {
	connect := "connect-src 'self'"
	for _, o := range wsOrigins {
		connect += " " + o
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data: blob:",
		"font-src 'self'",
		connect,
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// Headers are the console's security headers for wsOrigins, by name, for
// a server that sets them itself (the devstack; the CDN's response
// headers policy has a field for each).
func Headers(wsOrigins ...string) map[string]string {
	return map[string]string{
		"Content-Security-Policy": CSP(wsOrigins...),
		"X-Content-Type-Options":  ContentTypeOptions,
		"X-Frame-Options":         FrameOptions,
		"Referrer-Policy":         ReferrerPolicy,
	}
}
