package httpapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"innkeeper/shared/httpapi"
)

func TestOriginSecretGuardsTheAPI(t *testing.T) {
	srv := httpapi.New(httpapi.Deps{OriginSecrets: []string{"current-0123456789", "previous-0123456789"}})
	tests := []struct {
		name   string
		header []string // nil: no header at all
		want   int
	}{
		{"no header", nil, http.StatusForbidden},
		{"empty", []string{""}, http.StatusForbidden},
		{"wrong", []string{"current-0123456788"}, http.StatusForbidden},
		{"prefix of the current", []string{"current-012345678"}, http.StatusForbidden},
		{"current", []string{"current-0123456789"}, http.StatusOK},
		{"previous, during a rotation", []string{"previous-0123456789"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/livez", nil)
			for _, v := range tt.header {
				req.Header.Set(httpapi.OriginHeader, v)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			res := result{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
			if tt.want == http.StatusForbidden {
				res.Problem(t, http.StatusForbidden, "forbidden-origin")
				return
			}
			if res.Status != tt.want {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.want, res.Body)
			}
		})
	}
}

// Without secrets, as locally and on stages without a CDN, every
// request passes.
func TestNoOriginSecretsNoCheck(t *testing.T) {
	srv := httpapi.New(httpapi.Deps{OriginSecrets: []string{"", ""}})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/livez", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d without secrets configured, want 200\n%s", rec.Code, rec.Body)
	}
}

// Behind the CDN, API Gateway's source address is the CDN's; a request
// that carried the secret is counted under the viewer's address the
// CDN reports, and one that did not cannot choose its address.
func TestViewerAddressTrustedOnlyWithTheSecret(t *testing.T) {
	tests := []struct {
		name, secret, viewer, want string
	}{
		{"IPv4 viewer", "current-0123456789", "203.0.113.7:46532", `"client_ip":"203.0.113.7"`},
		{"IPv6 viewer", "current-0123456789", "2001:db8::1:46532", `"client_ip":"2001:db8::1"`},
		{"garbage kept out", "current-0123456789", "not-an-address", `"client_ip":"192.0.2.1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := httpapi.New(httpapi.Deps{
				OriginSecrets: []string{"current-0123456789"},
				Logger:        slog.New(slog.NewJSONHandler(&logs, nil)),
			})
			req := httptest.NewRequest(http.MethodGet, "/livez", nil)
			req.Header.Set(httpapi.OriginHeader, tt.secret)
			req.Header.Set("CloudFront-Viewer-Address", tt.viewer)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d\n%s", rec.Code, rec.Body)
			}
			if !bytes.Contains(logs.Bytes(), []byte(tt.want)) {
				t.Errorf("access log lacks %s:\n%s", tt.want, logs.String())
			}
		})
	}
}
