package gateway

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/awsid"
)

// TimeLayout is the layout of requestContext.time, as API Gateway writes
// it: "21/Apr/2020:15:08:21 +0000".
const TimeLayout = "02/Jan/2006:15:04:05 -0700"

// Event builds the payload format 2.0 event API Gateway sends to the
// function of the route m for request r, whose body has been read into
// body. requestID and now are the request's id and arrival time; o names
// the API, its stage and account (empty fields take their defaults).
func Event(r *http.Request, body []byte, m Match, requestID string, now time.Time, o Options) events.APIGatewayV2HTTPRequest {
	o = o.withDefaults()
	headers, cookies := eventHeaders(r, body, now)
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              m.Route.Key(),
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        m.Params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     m.Route.Key(),
			AccountID:    o.Account,
			Stage:        o.Stage,
			RequestID:    requestID,
			APIID:        o.APIID,
			DomainName:   r.Host,
			DomainPrefix: domainPrefix(r.Host),
			Time:         now.UTC().Format(TimeLayout),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  protocol(r),
				SourceIP:  SourceIP(r),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if textual(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// eventHeaders lower-cases the header names and joins repeated values
// with commas, takes the cookies out, and adds what the real gateway adds
// on its way to the function.
func eventHeaders(r *http.Request, body []byte, now time.Time) (map[string]string, []string) {
	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		name = strings.ToLower(name)
		if name == "cookie" {
			for _, v := range values {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[name] = strings.Join(values, ",")
	}
	// Go's server moves Host out of the header map; the gateway keeps it,
	// and states the length of the body it has buffered.
	headers["host"] = r.Host
	headers["content-length"] = strconv.Itoa(len(body))
	ip := SourceIP(r)
	if prior := headers["x-forwarded-for"]; prior != "" {
		headers["x-forwarded-for"] = prior + ", " + ip
	} else {
		headers["x-forwarded-for"] = ip
	}
	headers["x-forwarded-proto"] = "http"
	if r.TLS != nil {
		headers["x-forwarded-proto"] = "https"
	}
	headers["x-forwarded-port"] = LocalPort(r)
	if headers["x-amzn-trace-id"] == "" {
		headers["x-amzn-trace-id"] = awsid.TraceHeader(now)
	}
	return headers, cookies
}

// queryParameters decodes the query, joining a repeated name's values with
// commas; nil for no query.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	// A malformed pair is dropped; the well-formed ones still arrive.
	values, _ := url.ParseQuery(raw)
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for name, vs := range values {
		out[name] = strings.Join(vs, ",")
	}
	return out
}

// textual reports whether a body of this content type travels as a
// string; everything else is base64-encoded.
func textual(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded":
		return true
	}
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	return strings.HasPrefix(mt, "application/") &&
		(strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml"))
}

// SourceIP is the client's address without its port, as API Gateway
// reports it.
func SourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// LocalPort is the port the client connected to (x-forwarded-port).
func LocalPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		return port
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

// domainPrefix is the first label of the host name.
func domainPrefix(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	return prefix
}

func protocol(r *http.Request) string {
	if r.Proto == "" {
		return "HTTP/1.1"
	}
	return r.Proto
}
