package httpapi

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// OriginHeader carries the secret the CDN adds to every request it
// forwards; the API refuses a request without it, so no one reaches
// the function around the CDN's firewall and rate rules.
const OriginHeader = "X-Origin-Verify"

// viewerHeader is where CloudFront writes the viewer's address and
// port; the API Gateway source address behind it is CloudFront's own.
const viewerHeader = "CloudFront-Viewer-Address"

// fromOrigin refuses, with a 403 problem, any request that does not
// carry one of secrets in OriginHeader: the current value and, during
// a rotation, the previous one. No secrets: no check (local stacks and
// stages without a CDN). A request that passes came through the CDN,
// so its viewer address header is trusted as the client's address, for
// rate limits and attribution.
func (s *Server) fromOrigin(secrets []string, next http.Handler) http.Handler {
	var accepted [][]byte
	for _, v := range secrets {
		if v != "" {
			accepted = append(accepted, []byte(v))
		}
	}
	if len(accepted) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get(OriginHeader))
		ok := 0
		// Every value is compared, whatever matched first, so the time
		// taken says nothing about which one did.
		for _, want := range accepted {
			ok |= subtle.ConstantTimeCompare(got, want)
		}
		if ok != 1 || len(got) == 0 {
			if info := infoFrom(r.Context()); info != nil {
				info.route = "403 origin"
			}
			writeProblem(w, problem(http.StatusForbidden, "forbidden-origin", "Forbidden",
				"Requests reach this API through its public address only."))
			return
		}
		r.Header.Del(OriginHeader)
		if addr, ok := viewerAddress(r.Header.Get(viewerHeader)); ok {
			r.RemoteAddr = addr
		}
		next.ServeHTTP(w, r)
	})
}

// viewerAddress reads CloudFront-Viewer-Address, "203.0.113.7:46532"
// or "2001:db8::1:46532" (IPv6 without brackets: the port follows the
// last colon), as a host:port RemoteAddr.
func viewerAddress(v string) (string, bool) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		return "", false
	}
	ip := net.ParseIP(v[:i])
	if ip == nil {
		return "", false
	}
	return net.JoinHostPort(ip.String(), v[i+1:]), true
}
