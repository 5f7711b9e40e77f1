package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"innkeeper/shared/httpapi/headers"
	"innkeeper/shared/logging"
	"innkeeper/shared/requestid"
)

// requestInfo travels in the context so the outermost middleware learns
// what the innermost handler matched.
type requestInfo struct {
	route string
	key   string // the public id of the API key that acted, if one did
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(infoKey{}).(*requestInfo)
	return ri
}

// saneID reports whether a request id from outside is safe to log and
// echo: 1 to 128 characters of letters, digits and ._:=+/-.
func saneID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._:=+/-", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// requestID takes X-Request-Id when it is sane, else API Gateway's request
// id (which the Lambda adapter puts in the context, shared/requestid),
// else a fresh one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); saneID(id) {
		return id
	}
	if id, ok := requestid.Gateway(r.Context()); ok && saneID(id) {
		return id
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusWriter remembers what was written, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives every request an id, a deadline, a recovered panic and one
// access log line.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		info := &requestInfo{}
		ctx := logging.WithRequestID(r.Context(), id)
		ctx = context.WithValue(ctx, infoKey{}, info)
		ctx, cancel := context.WithTimeout(ctx, s.requestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}

		defer func() {
			if v := recover(); v != nil {
				s.log.ErrorContext(ctx, "panic", slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					writeProblem(sw, problem(http.StatusInternalServerError, "internal", "Internal error", "Something went wrong on our side; it has been logged."))
				}
			}
			route := info.route
			if route == "" {
				route = "unmatched"
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("client_ip", clientIP(r)),
			}
			if info.key != "" {
				attrs = append(attrs, slog.String("key", info.key))
			}
			s.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
			if s.metrics != nil {
				s.metrics.ObserveHTTP(ctx, r.Method, metricRoute(route), sw.status, time.Since(start))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// clientIP is the caller's address: API Gateway's sourceIp in Lambda
// (which the adapter puts in RemoteAddr), the socket peer locally.
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// secure sets the security headers on every response, errors included.
func secure(next http.Handler) http.Handler { return headers.Secure(next) }

// clean answers a path that is not in its clean form (a "..", a "//", a
// trailing slash) with a 404 problem, before the router would redirect
// it to another resource with a page of HTML.
func clean(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.EscapedPath(); p != "/" && p != "" && path.Clean(p) != p {
			writeProblem(w, notFound("There is nothing at this path; paths have no \"..\", \"//\" or trailing slash."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

var (
	corsMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsHeaders = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
	corsExpose  = "Location, Idempotent-Replayed, X-Request-Id, Retry-After, RateLimit, RateLimit-Policy"
)

// cors answers browsers from the allowlisted origins only. A disallowed
// origin gets no CORS headers at all, so its browser blocks the response.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		allowed := origin != "" && slices.Contains(s.origins, origin)
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", corsExpose)
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				h := w.Header()
				h.Set("Access-Control-Allow-Methods", corsMethods)
				h.Set("Access-Control-Allow-Headers", corsHeaders)
				h.Set("Access-Control-Max-Age", "600")
			}
			if info := infoFrom(r.Context()); info != nil {
				info.route = "OPTIONS (preflight)"
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// publicCache marks a response as cacheable by anyone for maxAge seconds.
func publicCache(w http.ResponseWriter, maxAge int) {
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", maxAge))
}

// metricRoute is a route's label: the path template of "GET /v1/x/{id}",
// the name itself for the API's own 404 and 405 handlers.
func metricRoute(route string) string {
	if _, path, ok := strings.Cut(route, " /"); ok {
		return "/" + path
	}
	return route
}
